"""Known mistakes of a6_framework (nn.py, optim.py, train.py).

Each class or function replaces the reference's of the same task name in a copy of its file, so
the names it uses (Module, Parameter, linear_forward, ...) resolve to that file's own.
"""

import numpy as np

from autograder.checks.a6_framework import HINT_ACCUMULATE, HINT_EVAL, HINT_GRAD, HINT_INIT, HINT_TRAINING
from autograder.grading.mistake_registry import mistake
from autograder.runtime.language import N_

# Names the mutants resolve in their own file; bound here only so that this module imports.
Module = _Recurrent = Optimizer = object
Parameter = linear_forward = linear_backward = dropout_forward = dropout_backward = None
kaiming_uniform = _default_uniform = rnn_forward = rnn_backward = None
batchnorm_forward = batchnorm_backward = cross_entropy = momentum = mse = None
conv2d_forward = conv2d_backward = sgd = adamw = None
load_digits_split = digits_cnn = CrossEntropyLoss = Adam = cosine_annealing_lr = train_step = accuracy = None


@mistake("Linear", hint=HINT_ACCUMULATE, by_output=False)
class linear_assigns_its_gradients(Module):
    def __init__(self, in_features, out_features, *, rng):
        super().__init__()
        self.weight = Parameter(kaiming_uniform((out_features, in_features), a=np.sqrt(5), rng=rng))
        self.bias = Parameter(_default_uniform((out_features,), in_features, rng=rng))

    def forward(self, x):
        out, self.cache = linear_forward(x, self.weight.data, self.bias.data)
        return out

    def backward(self, dout):
        dx, self.weight.grad, self.bias.grad = linear_backward(dout, self.cache)
        return dx


@mistake("Linear", hint=HINT_INIT, by_output=False)
class linear_initialised_standard_normal(Module):
    def __init__(self, in_features, out_features, *, rng):
        super().__init__()
        self.weight = Parameter(rng.standard_normal((out_features, in_features)))
        self.bias = Parameter(np.zeros(out_features))

    def forward(self, x):
        out, self.cache = linear_forward(x, self.weight.data, self.bias.data)
        return out

    def backward(self, dout):
        dx, dw, db = linear_backward(dout, self.cache)
        self.weight.grad += dw
        self.bias.grad += db
        return dx


@mistake(
    "Module",
    hint=(
        N_(
            "your parameters() does not look inside lists and tuples of modules: Sequential keeps its "
            "layers in a list, so look inside them"
        )
    ),
)
class module_parameters_skip_lists:
    def __init__(self):
        self.training = True

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def parameters(self):
        found = []
        for value in vars(self).values():
            if isinstance(value, Parameter):
                found.append(value)
            elif isinstance(value, Module):
                found.extend(value.parameters())
        return found

    def modules(self):
        return [self] + [
            m
            for v in vars(self).values()
            if isinstance(v, list)
            for item in v
            if isinstance(item, Module)
            for m in item.modules()
        ]

    def zero_grad(self):
        for param in self.parameters():
            param.grad = np.zeros_like(param.data)

    def train(self, mode=True):
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        return self.train(False)


@mistake(
    "Module",
    hint=(
        N_(
            "your train() and eval() do not reach every sub-module: set training on every "
            "sub-module, nested ones included"
        )
    ),
)
class module_mode_not_recursive:
    def __init__(self):
        self.training = True

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def parameters(self):
        found, seen = [], set()

        def visit(value):
            if isinstance(value, Parameter) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
            elif isinstance(value, Module):
                for item in vars(value).values():
                    visit(item)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    visit(item)

        for item in vars(self).values():
            visit(item)
        return found

    def zero_grad(self):
        for param in self.parameters():
            param.grad = np.zeros_like(param.data)

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)


@mistake("Dropout", hint=HINT_EVAL, by_output=False)
class dropout_always_on(Module):
    def __init__(self, p=0.5, *, rng):
        super().__init__()
        self.p, self.rng = p, rng

    def forward(self, x):
        out, self.cache = dropout_forward(x, self.p, train=True, rng=self.rng)
        return out

    def backward(self, dout):
        return dropout_backward(dout, self.cache)


@mistake(
    "Sequential",
    hint=(N_("your backward runs the layers in forward order: run them in reverse, the last layer's backward first")),
)
class sequential_backward_in_forward_order(Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, dout):
        for layer in self.layers:
            dout = layer.backward(dout)
        return dout


@mistake(
    "CrossEntropyLoss",
    hint=(N_("your backward(dout) ignores dout: it is the gradient of dout * loss, so scale dlogits by dout")),
)
class cross_entropy_loss_ignores_dout(Module):
    def forward(self, logits, y):
        loss, self.dlogits = cross_entropy(logits, y)
        return loss

    def backward(self, dout=1.0):
        return self.dlogits


@mistake(
    "RNN",
    hint=(
        N_(
            "your layer returns the first hidden state: it returns the LAST one, hs[-1], and backward "
            "feeds dout into the last step"
        )
    ),
)
class rnn_returns_first_hidden_state(_Recurrent):
    gates = 1

    def forward(self, x):
        h0 = np.zeros((x.shape[1], self.hidden_size), dtype=x.dtype)
        hs, self.cache = rnn_forward(x, h0, *self._weights())
        self.hs_shape = hs.shape
        return hs[0]

    def backward(self, dout):
        dhs = np.zeros(self.hs_shape, dtype=dout.dtype)
        dhs[0] = dout
        dx, _, *dweights = rnn_backward(dhs, self.cache)
        self._accumulate(dweights)
        return dx


@mistake(
    "BatchNorm1d",
    hint=(
        N_(
            "you drop the new running statistics batchnorm_forward returns: keep them, self.running_mean,"
            " self.running_var = ..."
        )
    ),
)
class batchnorm_forgets_running_statistics(Module):
    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = Parameter(np.ones(num_features))
        self.bias = Parameter(np.zeros(num_features))
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)

    def forward(self, x):
        out, self.cache, _, _ = batchnorm_forward(
            x,
            self.weight.data,
            self.bias.data,
            self.running_mean,
            self.running_var,
            train=self.training,
            momentum=self.momentum,
            eps=self.eps,
        )
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = batchnorm_backward(dout, self.cache)
        self.weight.grad += dgamma
        self.bias.grad += dbeta
        return dx


@mistake(
    "Optimizer",
    hint=(
        N_(
            "your optimizer shares one state dict between all parameters, which mixes their histories: "
            "keep one state dict per parameter"
        )
    ),
)
class optimizer_shares_one_state:
    rule = None

    def __init__(self, params, **hyperparameters):
        self.params = list(params)
        self.hyperparameters = hyperparameters
        self.state = {}

    def step(self):
        for param in self.params:
            param.data, self.state = type(self).rule(param.data, param.grad, self.state, **self.hyperparameters)

    def zero_grad(self):
        for param in self.params:
            param.grad = np.zeros_like(param.data)


@mistake(
    "train_step",
    hint=(
        N_("you never call optimizer.zero_grad(), so gradients accumulate across steps: call it before each backward")
    ),
)
def train_step_without_zero_grad(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    optimizer.step()
    return float(loss)


@mistake(
    "accuracy", hint=N_("your accuracy uses integer division, correct // len(y): it is a fraction, correct / len(y)")
)
def accuracy_integer_division(model, x, y, batch_axis=0, batch_size=512):
    model.eval()
    correct = int((model(x).argmax(axis=1) == y).sum())
    model.train()
    return correct // len(y)


@mistake("Parameter", hint=HINT_GRAD, by_output=False)
class parameter_grad_starts_as_none:
    def __init__(self, data):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None


@mistake("Flatten", hint=N_("your Flatten.backward leaves dout flat: reshape it back to the input's shape"))
class flatten_backward_keeps_it_flat(Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout


@mistake(
    "MSELoss", hint=N_("your backward(dout) ignores dout: it is the gradient of dout * loss, so scale dpred by dout")
)
class mse_loss_ignores_dout(Module):
    def forward(self, pred, target):
        loss, self.dpred = mse(pred, target)
        return loss

    def backward(self, dout=1.0):
        return self.dpred


@mistake("train_digits_cnn", hint=HINT_TRAINING, by_output=False)
def train_digits_cnn_optimizes_another_model(*, rng, epochs=10, batch_size=32, lr=1e-2, progress=False, plot=None):
    X_train, y_train, X_test, y_test = load_digits_split()
    model, loss_fn = digits_cnn(rng=rng), CrossEntropyLoss()
    optimizer = Adam(digits_cnn(rng=rng).parameters(), lr=lr)
    history = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    for epoch in range(epochs):
        optimizer.hyperparameters["lr"] = cosine_annealing_lr(lr, epoch, epochs)
        order = rng.permutation(len(y_train))
        losses = [
            train_step(model, loss_fn, optimizer, X_train[batch], y_train[batch])
            for batch in np.array_split(order, max(1, len(order) // batch_size))
        ]
        history["loss"].append(float(np.mean(losses)))
        history["train_accuracy"].append(accuracy(model, X_train, y_train))
        history["test_accuracy"].append(accuracy(model, X_test, y_test))
    return history, history["test_accuracy"][-1], model


# ---- more published forms ---------------------------------------------------------------------


@mistake(
    "Optimizer",
    hint=N_(
        "your step passes a fresh {} to the rule every time and drops the state it returns, so "
        "momentum and Adam forget their history (momentum becomes plain SGD): keep self.states[i] = "
        "the state_new the rule returns, one per parameter"
    ),
)
class optimizer_forgets_its_state:
    rule = None

    def __init__(self, params, **hyperparameters):
        self.params = list(params)
        self.hyperparameters = hyperparameters
        self.states = [{} for _ in self.params]

    def step(self):
        for param in self.params:
            param.data, _ = type(self).rule(param.data, param.grad, {}, **self.hyperparameters)

    def zero_grad(self):
        for param in self.params:
            param.grad = np.zeros_like(param.data)


@mistake(
    "train_step",
    hint=N_(
        "you call optimizer.zero_grad() after the backward, so the step sees zero gradients and "
        "nothing is learned: zero the gradients first, then forward, loss, backward, step"
    ),
)
def train_step_zeroes_after_backward(model, loss_fn, optimizer, x, y):
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    optimizer.zero_grad()
    optimizer.step()
    return float(loss)


@mistake(
    "BatchNorm1d",
    hint=N_(
        "your layer always passes train=True to batchnorm_forward, so eval() still normalises with "
        "the batch's statistics: pass train=self.training"
    ),
)
class batchnorm_always_training(Module):
    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = Parameter(np.ones(num_features))
        self.bias = Parameter(np.zeros(num_features))
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)

    def forward(self, x):
        out, self.cache, self.running_mean, self.running_var = batchnorm_forward(
            x,
            self.weight.data,
            self.bias.data,
            self.running_mean,
            self.running_var,
            train=True,
            momentum=self.momentum,
            eps=self.eps,
        )
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = batchnorm_backward(dout, self.cache)
        self.weight.grad += dgamma
        self.bias.grad += dbeta
        return dx


@mistake("Conv2d", hint=HINT_ACCUMULATE, by_output=False)
class conv2d_assigns_its_gradients(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *, rng):
        super().__init__()
        kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else kernel_size
        self.stride, self.padding = stride, padding
        self.weight = Parameter(kaiming_uniform((out_channels, in_channels, kh, kw), a=np.sqrt(5), rng=rng))
        self.bias = Parameter(_default_uniform((out_channels,), in_channels * kh * kw, rng=rng))

    def forward(self, x):
        out, self.cache = conv2d_forward(x, self.weight.data, self.bias.data, self.stride, self.padding)
        return out

    def backward(self, dout):
        dx, self.weight.grad, self.bias.grad = conv2d_backward(dout, self.cache)
        return dx


@mistake(
    "SGD",
    hint=N_(
        "your SGD does not pass weight_decay on to the rule, so it never decays: "
        "super().__init__(params, lr=lr, weight_decay=weight_decay)"
    ),
)
class sgd_drops_weight_decay(Optimizer):
    rule = staticmethod(sgd)

    def __init__(self, params, *, lr=1e-2, weight_decay=0.0):
        super().__init__(params, lr=lr)


@mistake(
    "AdamW",
    hint=N_(
        "your AdamW does not pass weight_decay on to the rule, so it decays by the rule's default "
        "0.01 whatever is given: pass every hyper-parameter, weight_decay=weight_decay included"
    ),
)
class adamw_drops_weight_decay(Optimizer):
    rule = staticmethod(adamw)

    def __init__(self, params, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
