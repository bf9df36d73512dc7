"""Known mistakes of a1_optimizers (optimizers.py and descent.py).

Each function is the kind of wrong version students really write. Its source is appended to
the reference file of its task under the task's name, so `adam` below resolves to the
reference optimizers.py's adam, and `minibatch_indices` / `sgd` to descent.py's.
"""

import math

import numpy as np

from autograder.checks.a1_optimizers import HINT_BATCH_RNG
from autograder.checks.common import HINT_MUTATES
from autograder.grading.mistake_registry import mistake
from autograder.runtime.language import N_, Message

# Default arguments are evaluated where a mistake is defined, so `optimizer=sgd` needs the name
# here; in the mutant it is descent.py's own `from .optimizers import sgd`.
sgd = None

# ---- update rules -----------------------------------------------------------------------------


@mistake("sgd", hint=N_("you ignore weight_decay: the gradient is g = dw + weight_decay * w, then w - lr * g"))
def sgd_ignores_weight_decay(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    return w - lr * dw, dict(state)


@mistake("sgd", hint=HINT_MUTATES, by_output=False)
def sgd_updates_w_in_place(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    w -= lr * (dw + weight_decay * w)
    return w, state


@mistake(
    "momentum",
    hint=N_(
        "you dampen the gradient (b = mu * b + (1 - mu) * dw): torch's momentum adds the "
        "full gradient, b = mu * b + dw (b = dw at the first step)"
    ),
)
def momentum_with_dampening(w, dw, state, *, lr=1e-2, mu=0.9):
    b = mu * state.get("b", 0) + (1 - mu) * dw
    return w - lr * b, {"b": b}


@mistake("momentum", hint=HINT_MUTATES, by_output=False)
def momentum_writes_into_state(w, dw, state, *, lr=1e-2, mu=0.9):
    if "b" in state:
        state["b"] = mu * state["b"] + dw
    else:
        state["b"] = dw.copy()
    return w - lr * state["b"], state


HINT_VELOCITY = N_(
    "your state holds a velocity with the learning rate folded in (v = mu * v - lr * g, as "
    "CS231n writes it), which agrees with torch only while lr stays constant: under a schedule "
    "the old steps keep their old lr. Keep torch's buffer b = mu * b + g and step w - lr * {step}"
)


@mistake("momentum", hint=Message(HINT_VELOCITY, step="b"))
def momentum_velocity_form(w, dw, state, *, lr=1e-2, mu=0.9):
    v = mu * state.get("v", 0) - lr * dw
    return w + v, {"v": v}


@mistake("nesterov", hint=Message(HINT_VELOCITY, step="(g + mu * b)"))
def nesterov_velocity_form(w, dw, state, *, lr=1e-2, mu=0.9):
    v = mu * state.get("v", 0) - lr * dw
    return w + mu * v - lr * dw, {"v": v}


@mistake(
    "nesterov",
    hint=N_(
        "you step along the velocity b alone, which is plain momentum: Nesterov steps "
        "along the look-ahead, w - lr * (dw + mu * b)"
    ),
)
def nesterov_without_lookahead(w, dw, state, *, lr=1e-2, mu=0.9):
    b = dw.copy() if "b" not in state else mu * state["b"] + dw
    return w - lr * b, {"b": b}


@mistake("adagrad", hint=N_("your eps is inside the square root, np.sqrt(s + eps): torch divides by np.sqrt(s) + eps"))
def adagrad_eps_inside_sqrt(w, dw, state, *, lr=1e-2, eps=1e-10):
    s = state.get("s", 0) + dw**2
    return w - lr * dw / np.sqrt(s + eps), {"s": s}


@mistake("rmsprop", hint=N_("your eps is inside the square root, np.sqrt(v + eps): torch divides by np.sqrt(v) + eps"))
def rmsprop_eps_inside_sqrt(w, dw, state, *, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * state.get("v", 0) + (1 - alpha) * dw**2
    return w - lr * dw / np.sqrt(v + eps), {"v": v}


@mistake(
    "adadelta",
    hint=N_(
        "you take the step with u already updated by this step's delta: compute "
        "delta = sqrt(u + eps) / sqrt(v + eps) * dw from the previous u, step w - lr * delta, "
        "and only then update u = rho * u + (1 - rho) * delta**2"
    ),
)
def adadelta_steps_with_updated_u(w, dw, state, *, lr=1.0, rho=0.9, eps=1e-6):
    v = rho * state.get("v", 0) + (1 - rho) * dw**2
    u = state.get("u", np.zeros_like(dw))
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * dw
    u = rho * u + (1 - rho) * delta**2
    step = np.sqrt(u + eps) / np.sqrt(v + eps) * dw
    return w - lr * step, {"v": v, "u": u}


@mistake(
    "adadelta", hint=N_("you ignore lr (the AdaDelta paper has none): torch scales the step by it, w - lr * delta")
)
def adadelta_ignores_lr(w, dw, state, *, lr=1.0, rho=0.9, eps=1e-6):
    v = rho * state.get("v", 0) + (1 - rho) * dw**2
    u = state.get("u", np.zeros_like(dw))
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * dw
    u = rho * u + (1 - rho) * delta**2
    return w - delta, {"v": v, "u": u}


@mistake(
    "adam",
    hint=(
        N_(
            "your Adam has no bias correction, so its first steps are far too small: divide m by (1 - "
            "beta1**t) and v by (1 - beta2**t)"
        )
    ),
)
def adam_without_bias_correction(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    return w - lr * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}


@mistake(
    "adam", hint=(N_("your eps is inside the square root, np.sqrt(v_hat + eps): torch divides by np.sqrt(v_hat) + eps"))
)
def adam_eps_inside_sqrt(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), {"t": t, "m": m, "v": v}


@mistake(
    "adamw",
    hint=N_(
        "you add weight_decay * w to the gradient (L2 regularisation, Adam's rule): AdamW "
        "decouples the decay, w * (1 - lr * weight_decay), then the Adam step with dw alone"
    ),
)
def adamw_decay_folded_into_gradient(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam(w, dw + weight_decay * w, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


@mistake(
    "adamw",
    hint=N_(
        "you apply the decay after the Adam step: decay first, w * (1 - lr * weight_decay), "
        "then take the Adam step from the decayed w"
    ),
)
def adamw_decays_after_the_step(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    w_new, state_new = adam(w, dw, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return w_new * (1 - lr * weight_decay), state_new


# ---- descent.py -------------------------------------------------------------------------------


@mistake(
    "minibatch_indices",
    hint=N_("you ignore drop_last: with drop_last=True leave out a last batch shorter than batch_size"),
)
def minibatch_indices_ignores_drop_last(n, batch_size, *, shuffle=True, drop_last=False, rng=None):
    if shuffle and rng is None:
        raise ValueError("shuffle=True needs an rng")
    order = rng.permutation(n) if shuffle else np.arange(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


@mistake(
    "fit_linear_regression",
    hint=N_(
        "you start a fresh optimizer state every epoch: create state = {} once before the "
        "epoch loop and carry it across all batches and epochs"
    ),
)
def fit_linear_regression_fresh_state_each_epoch(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = X.shape[0]
    X1 = np.concatenate([X, np.ones((n, 1), dtype=X.dtype)], axis=1)
    theta = np.zeros((X1.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        state = {}
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            grad = 2 / len(batch) * X1[batch].T @ (X1[batch] @ theta - y[batch])
            theta, state = optimizer(theta, grad, state, lr=lr)
        losses[epoch] = np.mean((X1 @ theta - y) ** 2)
    return theta, losses


@mistake(
    "fit_linear_regression",
    hint=N_(
        "you record the loss before the epoch's updates: losses[e] is the full-data loss "
        "after epoch e, computed at the end of the epoch"
    ),
)
def fit_linear_regression_loss_before_epoch(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = X.shape[0]
    X1 = np.concatenate([X, np.ones((n, 1), dtype=X.dtype)], axis=1)
    theta = np.zeros((X1.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        losses[epoch] = np.mean((X1 @ theta - y) ** 2)
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            grad = 2 / len(batch) * X1[batch].T @ (X1[batch] @ theta - y[batch])
            theta, state = optimizer(theta, grad, state, lr=lr)
    return theta, losses


@mistake(
    "fit_linear_regression",
    hint=N_(
        "your gradient misses the factor 2 of the squared error: grad = 2 / |B| * X1[B].T @ (X1[B] @ theta - y[B])"
    ),
)
def fit_linear_regression_gradient_without_factor_2(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = X.shape[0]
    X1 = np.concatenate([X, np.ones((n, 1), dtype=X.dtype)], axis=1)
    theta = np.zeros((X1.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            grad = X1[batch].T @ (X1[batch] @ theta - y[batch]) / len(batch)
            theta, state = optimizer(theta, grad, state, lr=lr)
        losses[epoch] = np.mean((X1 @ theta - y) ** 2)
    return theta, losses


@mistake(
    "fit_linear_regression",
    hint=N_(
        "your column of ones comes first, so the bias is theta[0]: append it as the last "
        "column of X1, so the bias is theta[-1]"
    ),
)
def fit_linear_regression_bias_column_first(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = X.shape[0]
    X1 = np.hstack([np.ones((n, 1), dtype=X.dtype), X])
    theta = np.zeros((X1.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            grad = 2 / len(batch) * X1[batch].T @ (X1[batch] @ theta - y[batch])
            theta, state = optimizer(theta, grad, state, lr=lr)
        losses[epoch] = np.mean((X1 @ theta - y) ** 2)
    return theta, losses


@mistake(
    "step_lr",
    hint=(
        N_(
            "your epoch / step_size is true division, so the rate decays a little every epoch: use floor "
            "division, gamma ** (epoch // step_size)"
        )
    ),
)
def step_lr_true_division(lr0, epoch, step_size, gamma=0.1):
    return lr0 * gamma ** (epoch / step_size)


@mistake(
    "cosine_annealing_lr",
    hint=N_(
        "you clamp t at t_max: torch's closed form is periodic past t_max, "
        "eta_min + (lr0 - eta_min) * (1 + cos(pi * t / t_max)) / 2 for every t"
    ),
)
def cosine_annealing_lr_clamped_at_t_max(lr0, t, t_max, eta_min=0.0):
    t = min(t, t_max)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


@mistake(
    "linear_warmup_lr",
    hint=N_("your rate keeps growing after the warm-up: cap it at lr0, lr0 * min(1, t / warmup_steps)"),
)
def linear_warmup_lr_not_capped(lr0, t, warmup_steps):
    if warmup_steps <= 0:
        return lr0
    return lr0 * t / warmup_steps


@mistake(
    "linear_warmup_lr",
    hint=N_(
        "you count warm-up steps from 1 ((t + 1) / warmup_steps): the rate is "
        "lr0 * min(1, t / warmup_steps), so 0 at t = 0"
    ),
)
def linear_warmup_lr_counts_from_one(lr0, t, warmup_steps):
    if warmup_steps <= 0:
        return lr0
    return lr0 * min(1.0, (t + 1) / warmup_steps)


# ---- more published forms ---------------------------------------------------------------------


@mistake(
    "sgd",
    hint=N_(
        "you subtract weight_decay * w outside the learning rate (w - lr * dw - weight_decay * w): "
        "the decay is part of the gradient, g = dw + weight_decay * w, and the step is w - lr * g"
    ),
)
def sgd_decay_not_scaled_by_lr(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    return w - lr * dw - weight_decay * w, dict(state)


@mistake("momentum", hint=HINT_MUTATES, by_output=False)
def momentum_next_w_is_w(w, dw, state, *, lr=1e-2, mu=0.9):
    b = dw.copy() if "b" not in state else mu * state["b"] + dw
    next_w = w
    next_w -= lr * b
    return next_w, {"b": b}


@mistake(
    "nesterov",
    hint=N_(
        "you step with the updated velocity, w + mu**2 * v - (1 + mu) * lr * g after v = mu * v - lr * g "
        "(deep-learning-from-scratch's form), which is neither torch's rule nor its velocity form: keep "
        "b = mu * b + g and step w - lr * (g + mu * b)"
    ),
)
def nesterov_dlfs_form(w, dw, state, *, lr=1e-2, mu=0.9):
    v = mu * state.get("v", 0) - lr * dw
    return w + mu * mu * v - (1 + mu) * lr * dw, {"v": v}


@mistake(
    "adagrad",
    hint=N_(
        "your eps is the constant 1e-7 whatever eps is passed (deep-learning-from-scratch's form): "
        "divide by np.sqrt(s) + eps with the eps argument"
    ),
)
def adagrad_hardcoded_eps(w, dw, state, *, lr=1e-2, eps=1e-10):
    s = state.get("s", 0) + dw**2
    return w - lr * dw / (np.sqrt(s) + 1e-7), {"s": s}


@mistake(
    "adagrad",
    hint=N_("your s is this step's squared gradient only: AdaGrad accumulates every step's, s = s + dw**2"),
)
def adagrad_without_accumulation(w, dw, state, *, lr=1e-2, eps=1e-10):
    s = dw**2
    return w - lr * dw / (np.sqrt(s) + eps), {"s": s}


@mistake(
    "rmsprop",
    hint=N_("your eps is the constant 1e-7 whatever eps is passed: divide by np.sqrt(v) + eps with the eps argument"),
)
def rmsprop_hardcoded_eps(w, dw, state, *, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * state.get("v", 0) + (1 - alpha) * dw**2
    return w - lr * dw / (np.sqrt(v) + 1e-7), {"v": v}


@mistake(
    "rmsprop",
    hint=N_(
        "your average weights the new squared gradient by alpha and the old v by 1 - alpha: "
        "alpha is the decay of the old average, v = alpha * v + (1 - alpha) * dw**2"
    ),
)
def rmsprop_alpha_on_the_new_gradient(w, dw, state, *, lr=1e-2, alpha=0.99, eps=1e-8):
    v = (1 - alpha) * state.get("v", 0) + alpha * dw**2
    return w - lr * dw / (np.sqrt(v) + eps), {"v": v}


@mistake(
    "adadelta",
    hint=N_(
        "your eps is outside the square roots ((np.sqrt(u) + eps) / (np.sqrt(v) + eps)), so the "
        "first steps, with u = 0, are almost nothing: AdaDelta puts it inside, "
        "delta = np.sqrt(u + eps) / np.sqrt(v + eps) * dw"
    ),
)
def adadelta_eps_outside_sqrt(w, dw, state, *, lr=1.0, rho=0.9, eps=1e-6):
    v = rho * state.get("v", 0) + (1 - rho) * dw**2
    u = state.get("u", np.zeros_like(dw))
    delta = (np.sqrt(u) + eps) / (np.sqrt(v) + eps) * dw
    u = rho * u + (1 - rho) * delta**2
    return w - lr * delta, {"v": v, "u": u}


@mistake(
    "adam",
    hint=N_(
        "your eps is the constant 1e-8 whatever eps is passed: divide by np.sqrt(v_hat) + eps with the eps argument"
    ),
)
def adam_hardcoded_eps(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + 1e-8), {"t": t, "m": m, "v": v}


@mistake(
    "adam",
    hint=N_(
        "you fold the bias correction into the learning rate, lr * sqrt(1 - beta2**t) / (1 - beta1**t), "
        "and add eps to the uncorrected np.sqrt(v) (deep-learning-from-scratch's form), which scales eps "
        "differently: torch adds eps to np.sqrt(v_hat), v_hat = v / (1 - beta2**t)"
    ),
)
def adam_bias_correction_in_lr(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - lr_t * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}


@mistake(
    "adam",
    hint=N_(
        "your state does not carry the step count t, so every step is bias-corrected as the first "
        "(t = 1): store t in the state and add 1 to it at every step"
    ),
)
def adam_step_count_not_kept(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v}


@mistake(
    "adam",
    hint=N_(
        "your state keeps m and v in float32 (np.zeros(..., dtype=np.float32), or astype), so float64 "
        "weights take steps of float32 precision: keep m and v in the dtype of dw (np.zeros_like(dw))"
    ),
)
def adam_state_in_float32(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = (beta1 * state.get("m", 0) + (1 - beta1) * dw).astype(np.float32)
    v = (beta2 * state.get("v", 0) + (1 - beta2) * dw**2).astype(np.float32)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return (w - lr * m_hat / (np.sqrt(v_hat) + eps)).astype(w.dtype), {"t": t, "m": m, "v": v}


@mistake("adam", hint=HINT_MUTATES, by_output=False)
def adam_next_w_is_w(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    next_w = w
    next_w -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return next_w, {"t": t, "m": m, "v": v}


@mistake(
    "adamw",
    hint=N_(
        "your decay is w * (1 - weight_decay), without the learning rate: torch decays by "
        "w * (1 - lr * weight_decay) before the Adam step"
    ),
)
def adamw_decay_without_lr(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam(w * (1 - weight_decay), dw, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


@mistake("minibatch_indices", hint=HINT_BATCH_RNG, by_output=False)
def minibatch_indices_global_random(n, batch_size, *, shuffle=True, drop_last=False, rng=None):
    if shuffle and rng is None:
        raise ValueError("shuffle=True needs an rng")
    order = np.random.permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    return [order[start : start + batch_size] for start in range(0, stop, batch_size)]


@mistake(
    "fit_linear_regression",
    hint=N_(
        "your losses[e] is the loss of the epoch's last mini-batch: it is the loss on the whole "
        "data after epoch e, np.mean((X1 @ theta - y)**2)"
    ),
)
def fit_linear_regression_loss_of_last_batch(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = X.shape[0]
    X1 = np.concatenate([X, np.ones((n, 1), dtype=X.dtype)], axis=1)
    theta = np.zeros((X1.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            grad = 2 / len(batch) * X1[batch].T @ (X1[batch] @ theta - y[batch])
            theta, state = optimizer(theta, grad, state, lr=lr)
            losses[epoch] = np.mean((X1[batch] @ theta - y[batch]) ** 2)
    return theta, losses


@mistake(
    "exponential_lr",
    hint=N_("your exponent is epoch + 1, so epoch 0 is already decayed: the rate is lr0 * gamma ** epoch"),
)
def exponential_lr_counts_from_one(lr0, epoch, gamma):
    return lr0 * gamma ** (epoch + 1)


@mistake(
    "cosine_annealing_lr",
    hint=N_(
        "you anneal from lr0 to 0 whatever eta_min is: the rate is "
        "eta_min + (lr0 - eta_min) * (1 + cos(pi * t / t_max)) / 2"
    ),
)
def cosine_annealing_lr_ignores_eta_min(lr0, t, t_max, eta_min=0.0):
    return lr0 * (1 + math.cos(math.pi * t / t_max)) / 2


@mistake(
    "step_lr",
    hint=N_(
        "you count epochs from 1, (epoch + 1) // step_size, so the first decay comes one epoch early: "
        "the rate is lr0 * gamma ** (epoch // step_size)"
    ),
)
def step_lr_counts_from_one(lr0, epoch, step_size, gamma=0.1):
    return lr0 * gamma ** ((epoch + 1) // step_size)


@mistake(
    "adam",
    hint=N_(
        "you store the bias-corrected m_hat and v_hat as the state, so the next step corrects them again: "
        "keep the raw averages m and v in the state and correct copies of them at every step"
    ),
)
def adam_corrects_the_stored_moments(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    m = m / (1 - beta1**t)
    v = v / (1 - beta2**t)
    return w - lr * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}


@mistake(
    "fit_linear_regression",
    hint=N_(
        "your X1 has no column of ones, so the model has no bias and theta has d entries: append a "
        "column of ones to X (X1 = [X, 1]), so that theta has d + 1 entries, the bias last"
    ),
)
def fit_linear_regression_without_the_ones(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = X.shape[0]
    theta = np.zeros((X.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            grad = 2 / len(batch) * X[batch].T @ (X[batch] @ theta - y[batch])
            theta, state = optimizer(theta, grad, state, lr=lr)
        losses[epoch] = np.mean((X @ theta - y) ** 2)
    return theta, losses
