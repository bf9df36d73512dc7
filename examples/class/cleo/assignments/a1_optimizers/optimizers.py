"""Optimizers: one pure update rule per function, with torch.optim's semantics.

Every rule has the form ``rule(w, dw, state, *, lr, ...) -> (w_new, state_new)`` for one
parameter array ``w`` with gradient ``dw``. ``state`` is a dict of str -> ndarray/int/float,
``{}`` before the first step; the rule returns a new state and never modifies ``w``, ``dw``
or ``state``. What the state holds is your choice.
"""
import numpy as np


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    """Plain gradient descent with optional L2 weight decay.

    g = dw + weight_decay * w
    w_new = w - lr * g

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict (unused by this rule, returned as a new dict).

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    g = dw + weight_decay * w
    return w - lr * g, dict(state)


def momentum(w, dw, state, *, lr=1e-2, mu=0.9):
    """SGD with momentum (torch.optim.SGD with momentum=mu, dampening=0).

    b = dw at the first step, then b = mu * b + dw
    w_new = w - lr * b

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying the velocity b between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    b = dw.copy() if "b" not in state else mu * state["b"] + dw
    return w - lr * b, {"b": b}


def nesterov(w, dw, state, *, lr=1e-2, mu=0.9):
    """Nesterov accelerated gradient (torch.optim.SGD with nesterov=True).

    b = dw at the first step, then b = mu * b + dw
    w_new = w - lr * (dw + mu * b)

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying the velocity b between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    b = dw.copy() if "b" not in state else mu * state["b"] + dw
    return w - lr * (dw + mu * b), {"b": b}


def adagrad(w, dw, state, *, lr=1e-2, eps=1e-10):
    """AdaGrad: per-coordinate steps shrinking with the sum of squared gradients.

    s = s + dw**2                (s = 0 before the first step)
    w_new = w - lr * dw / (sqrt(s) + eps)

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying s between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    s = state.get("s", 0) + dw**2
    return w - lr * dw / (np.sqrt(s) + eps), {"s": s}


def rmsprop(w, dw, state, *, lr=1e-2, alpha=0.99, eps=1e-8):
    """RMSProp: AdaGrad with an exponential moving average of squared gradients.

    v = alpha * v + (1 - alpha) * dw**2      (v = 0 before the first step)
    w_new = w - lr * dw / (sqrt(v) + eps)

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying v between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    v = alpha * state.get("v", 0) + (1 - alpha) * dw**2
    return w - lr * dw / (np.sqrt(v) + eps), {"v": v}


def adadelta(w, dw, state, *, lr=1.0, rho=0.9, eps=1e-6):
    """AdaDelta: steps scaled by the ratio of two running RMS values.

    v = rho * v + (1 - rho) * dw**2                     (v = u = 0 at first)
    delta = sqrt(u + eps) / sqrt(v + eps) * dw
    u = rho * u + (1 - rho) * delta**2
    w_new = w - lr * delta

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying v and u between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    v = rho * state.get("v", 0) + (1 - rho) * dw**2
    # an array, not 0: np.sqrt of a Python 0 + eps is a float64 scalar and would promote float32
    u = state.get("u", np.zeros_like(dw))
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * dw
    u = rho * u + (1 - rho) * delta**2
    return w - lr * delta, {"v": v, "u": u}


def adam(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam with bias correction (torch.optim.Adam).

    t = t + 1                                            (t = 0, m = v = 0 at first)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)
    w_new = w - lr * m_hat / (sqrt(v_hat) + eps)

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying t, m and v between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
    return w - lr * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}


def adamw(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    """AdamW: Adam with decoupled weight decay (torch.optim.AdamW).

    w = w * (1 - lr * weight_decay), then the Adam step of adam() on the decayed w
    (the moments use dw alone, never the decay).

    Inputs:
    - w, dw: arrays of the same shape.
    - state: dict carrying t, m and v between steps.

    Returns a tuple of:
    - w_new: same shape and dtype as w.
    - state_new: dict.
    """
    return adam(w * (1 - lr * weight_decay), dw, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
