"""a1 optimizers -- torch-style bookkeeping: explicit step counter, zero-initialised buffers."""
import math

import numpy as np


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    grad = dw
    if weight_decay != 0:
        grad = grad + weight_decay * w
    new_state = {}
    for key in state:
        new_state[key] = state[key]
    return w - lr * grad, new_state


def momentum(w, dw, state, *, lr=1e-2, mu=0.9):
    if "velocity" in state:
        velocity = mu * state["velocity"] + dw
    else:
        velocity = np.array(dw, copy=True)
    return w - lr * velocity, {"velocity": velocity, "step": state.get("step", 0) + 1}


def nesterov(w, dw, state, *, lr=1e-2, mu=0.9):
    if "velocity" in state:
        velocity = mu * state["velocity"] + dw
    else:
        velocity = np.array(dw, copy=True)
    look_ahead = dw + mu * velocity
    return w - lr * look_ahead, {"velocity": velocity, "step": state.get("step", 0) + 1}


def adagrad(w, dw, state, *, lr=1e-2, eps=1e-10):
    sum_sq = state["sum_sq"] if "sum_sq" in state else np.zeros_like(dw)
    sum_sq = sum_sq + dw * dw
    std = np.sqrt(sum_sq) + eps
    return w - lr * (dw / std), {"sum_sq": sum_sq, "step": state.get("step", 0) + 1}


def rmsprop(w, dw, state, *, lr=1e-2, alpha=0.99, eps=1e-8):
    square_avg = state["square_avg"] if "square_avg" in state else np.zeros_like(dw)
    square_avg = alpha * square_avg + (1 - alpha) * (dw * dw)
    avg = np.sqrt(square_avg) + eps
    return w - lr * (dw / avg), {"square_avg": square_avg, "step": state.get("step", 0) + 1}


def adadelta(w, dw, state, *, lr=1.0, rho=0.9, eps=1e-6):
    square_avg = state["square_avg"] if "square_avg" in state else np.zeros_like(dw)
    acc_delta = state["acc_delta"] if "acc_delta" in state else np.zeros_like(dw)
    square_avg = rho * square_avg + (1 - rho) * (dw * dw)
    std = np.sqrt(square_avg + eps)
    delta = np.sqrt(acc_delta + eps) / std * dw
    acc_delta = rho * acc_delta + (1 - rho) * (delta * delta)
    return w - lr * delta, {"square_avg": square_avg, "acc_delta": acc_delta,
                            "step": state.get("step", 0) + 1}


def _adam_step(w, dw, state, lr, beta1, beta2, eps):
    step = state.get("step", 0) + 1
    exp_avg = state["exp_avg"] if "exp_avg" in state else np.zeros_like(dw)
    exp_avg_sq = state["exp_avg_sq"] if "exp_avg_sq" in state else np.zeros_like(dw)
    exp_avg = beta1 * exp_avg + (1 - beta1) * dw
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * (dw * dw)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = math.sqrt(bias_correction2)
    denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
    w_new = w - step_size * (exp_avg / denom)
    return w_new, {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}


def adam(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_step(w, dw, state, lr, beta1, beta2, eps)


def adamw(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    decayed = w * (1 - lr * weight_decay)
    return _adam_step(decayed, dw, state, lr, beta1, beta2, eps)
