"""Known mistakes of a0_foundations (foundations.py).

Each function is the kind of wrong version students really write. Its source is appended to
the reference foundations.py under the task's name, so names such as `softmax` and
`log_softmax` below resolve to the reference module's functions, and a backward receives the
reference forward's cache (sigmoid/tanh: the output; relu: x; leaky_relu: (x, slope);
linear: (x, W)).
"""

import numpy as np

from autograder.checks.a0_foundations import HINT_COPY, HINT_OVERFLOW, HINT_SHIFT
from autograder.checks.common import HINT_MUTATES
from autograder.grading.mistake_registry import mistake
from autograder.grading.numeric import HINT_FLOAT32
from autograder.runtime.language import N_

# ---- numerical_gradient -------------------------------------------------------------------


@mistake(
    "numerical_gradient",
    hint=N_(
        "you used forward differences (f(x + h) - f(x)) / h, which are only first-order "
        "accurate: use central differences (f(x + h) - f(x - h)) / (2h)"
    ),
)
def numerical_gradient_forward_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    fx = f(x.copy())
    for index in np.ndindex(x.shape):
        point = x.copy()
        point[index] += h
        grad[index] = (f(point) - fx) / h
    return grad


@mistake("numerical_gradient", hint=HINT_COPY, by_output=False)
def numerical_gradient_passes_x_itself_to_f(f, x, h=1e-5):
    x = x.copy()
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        f_plus = f(x)
        x[index] = old - h
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


# ---- activations ----------------------------------------------------------------------------


@mistake("sigmoid_forward", hint=HINT_OVERFLOW, by_output=False)
def sigmoid_forward_naive_exp(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


@mistake("sigmoid_forward", hint=HINT_FLOAT32, by_output=False)
def sigmoid_forward_in_float32(x):
    x32 = x.astype(np.float32)
    z = np.exp(-np.abs(x32))
    out = np.where(x32 >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype)
    return out, out


@mistake(
    "sigmoid_forward",
    hint=(
        N_(
            "you swapped the two branches of your stable sigmoid (you compute sigmoid(-x)): use 1 / (1 + "
            "exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) for x < 0"
        )
    ),
)
def sigmoid_forward_branches_swapped(x):
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, z / (1 + z), 1 / (1 + z))
    return out, out


@mistake(
    "sigmoid_backward",
    hint=N_(
        "you return the local derivative s * (1 - s) alone: by the chain rule multiply it "
        "by the upstream gradient, dx = dout * s * (1 - s)"
    ),
)
def sigmoid_backward_forgets_dout(dout, cache):
    s = cache
    return s * (1 - s)


@mistake(
    "tanh_backward",
    hint=N_(
        "your cache already holds tanh(x), and you applied tanh to it again: "
        "dx = dout * (1 - out**2) with out the cached forward output"
    ),
)
def tanh_backward_applies_tanh_again(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)


@mistake("relu_forward", hint=HINT_MUTATES, by_output=False)
def relu_forward_overwrites_x(x):
    x[x < 0] = 0
    return x, x.copy()


@mistake(
    "relu_backward",
    hint=N_(
        "you masked dout by the sign of dout itself: the ReLU gradient passes dout where "
        "the forward's input x was positive (use the cached x for the mask)"
    ),
)
def relu_backward_masks_by_dout(dout, cache):
    dx = dout.copy()
    dx[dout < 0] = 0
    return dx


@mistake(
    "leaky_relu_forward",
    hint=(
        N_(
            "you use np.maximum(x, slope * x), which is the leaky ReLU only for 0 <= slope <= 1: use "
            "np.where(x > 0, x, slope * x), which holds for any slope"
        )
    ),
)
def leaky_relu_forward_with_maximum(x, negative_slope=0.01):
    out = np.maximum(x, negative_slope * x)
    return out, (x.copy(), negative_slope)


@mistake(
    "leaky_relu_forward",
    hint=N_("you hard-coded the slope 0.01: use the negative_slope argument, np.where(x > 0, x, negative_slope * x)"),
)
def leaky_relu_forward_hardcoded_slope(x, negative_slope=0.01):
    out = np.where(x > 0, x, 0.01 * x)
    return out, (x.copy(), negative_slope)


@mistake(
    "leaky_relu_forward",
    hint=N_(
        "your negative_slope defaults to 0.1, so a call that leaves it out gets a slope ten times too "
        "large: the spec's signature is leaky_relu_forward(x, negative_slope=0.01)"
    ),
)
def leaky_relu_forward_default_slope(x, negative_slope=0.1):
    out = np.where(x > 0, x, negative_slope * x)
    return out, (x.copy(), negative_slope)


@mistake(
    "leaky_relu_backward",
    hint=N_(
        "you zero the gradient where x <= 0 as for a plain ReLU: there the leaky ReLU's "
        "gradient is negative_slope * dout"
    ),
)
def leaky_relu_backward_ignores_slope(dout, cache):
    x, negative_slope = cache
    return np.where(x > 0, dout, 0)


# ---- linear layer -----------------------------------------------------------------------------


@mistake("linear_forward", hint=N_("you forgot the bias: out = x @ W.T + b"))
def linear_forward_without_bias(x, W, b):
    return x @ W.T, (x.copy(), W.copy())


@mistake(
    "linear_backward",
    hint=(
        N_(
            "your db is the mean of dout over the batch; the bias is added to every row, so db is the sum"
            " over the batch, dout.sum(axis=0)"
        )
    ),
)
def linear_backward_db_averaged(dout, cache):
    x, W = cache
    return dout @ W, dout.T @ x, dout.mean(axis=0)


@mistake(
    "linear_backward",
    hint=N_("your dW is transposed (x.T @ dout has shape (in, out)): W has shape (out, in), so dW = dout.T @ x"),
)
def linear_backward_dW_transposed(dout, cache):
    x, W = cache
    return dout @ W, x.T @ dout, dout.sum(axis=0)


# ---- softmax and log_softmax ------------------------------------------------------------------


@mistake("softmax", hint=HINT_SHIFT, by_output=False)
def softmax_without_max_shift(x, axis=-1):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


@mistake(
    "softmax",
    hint=N_(
        "you normalise over the last axis whatever axis is given: pass axis (with "
        "keepdims=True) to both the max and the sum"
    ),
)
def softmax_ignores_axis(x, axis=-1):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


@mistake("softmax", hint=HINT_FLOAT32, by_output=False)
def softmax_in_float32(x, axis=-1):
    x32 = x.astype(np.float32)
    shifted = x32 - np.max(x32, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype)


@mistake("log_softmax", hint=HINT_SHIFT, by_output=False)
def log_softmax_as_log_of_softmax(x, axis=-1):
    return np.log(softmax(x, axis=axis))


@mistake(
    "log_softmax",
    hint=(
        N_(
            "you shift by the max inside the log-sum-exp but not in the first term: log_softmax = x - max"
            " - log(sum(exp(x - max)))"
        )
    ),
)
def log_softmax_forgets_the_max(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    return x - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


# ---- losses ------------------------------------------------------------------------------------

# dlogits_not_divided comes before summed_over_batch: both give the same dlogits, and when only
# dlogits is wrong (the loss matched) the first mistake whose dlogits matches names it.


@mistake(
    "cross_entropy",
    hint=(
        N_(
            "your dlogits is not divided by N: the loss is a mean over the batch, so its gradient is "
            "(softmax(logits) - onehot(y)) / N"
        )
    ),
)
def cross_entropy_dlogits_not_divided_by_n(logits, y):
    rows = np.arange(logits.shape[0])
    logp = log_softmax(logits, axis=1)
    loss = -logp[rows, y].mean()
    dlogits = np.exp(logp)
    dlogits[rows, y] -= 1
    return float(loss), dlogits


@mistake(
    "cross_entropy",
    hint=N_("you sum the loss over the batch: average it (divide by N), and divide dlogits by N to match"),
)
def cross_entropy_summed_over_batch(logits, y):
    rows = np.arange(logits.shape[0])
    logp = log_softmax(logits, axis=1)
    loss = -logp[rows, y].sum()
    dlogits = np.exp(logp)
    dlogits[rows, y] -= 1
    return float(loss), dlogits


@mistake("cross_entropy", hint=HINT_SHIFT, by_output=False)
def cross_entropy_unshifted_softmax(logits, y):
    n = logits.shape[0]
    rows = np.arange(n)
    e = np.exp(logits)
    probs = e / np.sum(e, axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[rows, y]))
    dlogits = probs.copy()
    dlogits[rows, y] -= 1
    return float(loss), dlogits / n


@mistake(
    "mse",
    hint=(
        N_("your dpred misses the factor 2 from differentiating the square: dpred = 2 * (pred - target) / pred.size")
    ),
)
def mse_gradient_without_factor_2(pred, target):
    diff = pred - target
    return float(np.mean(diff**2)), diff / diff.size


# over_rows comes before summed_instead_of_mean: for one row both give dpred = 2 * (pred - target)
@mistake(
    "mse",
    hint=N_(
        "your dpred divides by the number of rows, len(pred), instead of the number of entries: the "
        "loss is the mean over every entry, so dpred = 2 * (pred - target) / pred.size"
    ),
)
def mse_gradient_over_rows(pred, target):
    diff = pred - target
    return float(np.mean(diff**2)), 2 * diff / len(diff)


@mistake(
    "mse",
    hint=N_(
        "you sum the squared errors: the loss is their mean, mean((pred - target)**2), "
        "and dpred = 2 * (pred - target) / pred.size"
    ),
)
def mse_summed_instead_of_mean(pred, target):
    diff = pred - target
    return float(np.sum(diff**2)), 2 * diff


# ---- more published forms ---------------------------------------------------------------------


@mistake(
    "numerical_gradient",
    hint=N_(
        "your central difference is divided by h: the two points x + h and x - h are 2h apart, "
        "so divide f(x + h) - f(x - h) by 2 * h"
    ),
)
def numerical_gradient_central_over_h(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.result_type(x, np.float32))
    for index in np.ndindex(x.shape):
        plus, minus = x.astype(grad.dtype), x.astype(grad.dtype)
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / h
    return grad


@mistake(
    "numerical_gradient",
    hint=N_(
        "you never put x[i] back after perturbing it, so every later entry is differenced "
        "around a point already moved by -h: restore the entry (x[i] = old) after its two calls"
    ),
)
def numerical_gradient_does_not_restore(f, x, h=1e-5):
    point = x.astype(np.result_type(x, np.float32), copy=True)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        old = point[index]
        point[index] = old + h
        f_plus = f(point.copy())
        point[index] = old - h
        f_minus = f(point.copy())
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


@mistake(
    "tanh_backward",
    hint=N_(
        "you multiply dout by 1 - out, without the square: the derivative of tanh is "
        "1 - tanh(x)**2, so dx = dout * (1 - out**2)"
    ),
)
def tanh_backward_not_squared(dout, cache):
    return dout * (1 - cache)


@mistake(
    "relu_backward",
    hint=N_(
        "you return the mask (x > 0) alone, the local derivative: by the chain rule multiply "
        "it by the upstream gradient, dx = dout * (x > 0)"
    ),
)
def relu_backward_returns_the_mask(dout, cache):
    return (cache > 0).astype(dout.dtype)


@mistake(
    "leaky_relu_backward",
    hint=N_(
        "your mask is taken from dout (dout > 0) instead of the forward's input: the slope "
        "applies where the cached x is <= 0, dx = np.where(x > 0, dout, negative_slope * dout)"
    ),
)
def leaky_relu_backward_masks_by_dout(dout, cache):
    x, negative_slope = cache
    return np.where(dout > 0, dout, negative_slope * dout)


@mistake(
    "linear_backward",
    hint=N_(
        "your db has shape (1, out) (a sum with keepdims=True): b has shape (out,), so sum "
        "over the batch without keepdims, db = dout.sum(axis=0)"
    ),
)
def linear_backward_db_keepdims(dout, cache):
    x, W = cache
    return dout @ W, dout.T @ x, dout.sum(axis=0, keepdims=True)


@mistake(
    "softmax",
    hint=N_(
        "you divide by the sum over the whole array (the 1-D form np.exp(x) / np.sum(np.exp(x))), "
        "so the rows of a batch share one denominator: sum along axis with keepdims=True"
    ),
)
def softmax_one_sum_for_the_batch(x, axis=-1):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


@mistake(
    "log_softmax",
    hint=N_(
        "you normalise over the last axis whatever axis is given: pass axis (with "
        "keepdims=True) to both the max and the log-sum-exp"
    ),
)
def log_softmax_ignores_axis(x, axis=-1):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


@mistake(
    "cross_entropy",
    hint=N_(
        "your loss is -log(p + 1e-7), with a small constant added inside the log (as in "
        "deep-learning-from-scratch): it shifts the loss; use log_softmax, which is finite without it"
    ),
)
def cross_entropy_log_plus_delta(logits, y):
    n = logits.shape[0]
    rows = np.arange(n)
    probs = softmax(logits, axis=1)
    loss = -np.sum(np.log(probs[rows, y] + 1e-7)) / n
    dlogits = probs.copy()
    dlogits[rows, y] -= 1
    return float(loss), dlogits / n


@mistake(
    "mse",
    hint=N_(
        "your loss is half the sum of squared errors, 0.5 * sum((pred - target)**2) (as in "
        "deep-learning-from-scratch): the spec's loss is their mean, and dpred = 2 * (pred - target) / pred.size"
    ),
)
def mse_half_sum(pred, target):
    diff = pred - target
    return float(0.5 * np.sum(diff**2)), diff
