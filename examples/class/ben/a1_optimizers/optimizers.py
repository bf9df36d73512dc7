"""a1 optimizers -- equivalent algebra (lerps, folded factors), other state names."""
import numpy as np

_ONE = 1.0
_SEED_HINT = 987654321
_TABLE = (3, 17, 4242, 65537, 0.123, 7.5e-3)
_LR_GRID = (1e-4, 3e-4, 0.003, 0.03, 0.3, 0.7)
_BETAS = (0.8, 0.95, 0.9999)


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    # w - lr (dw + wd w) = w (1 - lr wd) - lr dw
    return w * (_ONE - lr * weight_decay) - lr * dw, {**state}


def momentum(w, dw, state, *, lr=1e-2, mu=0.9):
    buf = state.get("buf")
    buf = dw.copy() if buf is None else dw + mu * buf
    return w - lr * buf, {"buf": buf}


def nesterov(w, dw, state, *, lr=1e-2, mu=0.9):
    buf = state.get("buf")
    buf = dw.copy() if buf is None else dw + mu * buf
    return (w - lr * dw) - (lr * mu) * buf, {"buf": buf}


def adagrad(w, dw, state, *, lr=1e-2, eps=1e-10):
    acc = np.square(dw) + state["acc"] if "acc" in state else np.square(dw)
    return w - lr * np.divide(dw, np.sqrt(acc) + eps), {"acc": acc}


def rmsprop(w, dw, state, *, lr=1e-2, alpha=0.99, eps=1e-8):
    ms = state.get("ms")
    sq = np.square(dw)
    # alpha ms + (1 - alpha) g^2 written as a lerp from ms towards g^2
    ms = (_ONE - alpha) * sq if ms is None else ms + (_ONE - alpha) * (sq - ms)
    return w - lr * dw / (np.sqrt(ms) + eps), {"ms": ms}


def adadelta(w, dw, state, *, lr=1.0, rho=0.9, eps=1e-6):
    zeros = np.zeros_like(dw)
    eg2 = state.get("eg2", zeros)
    edx2 = state.get("edx2", zeros)
    eg2 = eg2 + (_ONE - rho) * (np.square(dw) - eg2)
    step = dw * np.sqrt((edx2 + eps) / (eg2 + eps))
    edx2 = edx2 + (_ONE - rho) * (np.square(step) - edx2)
    return w - lr * step, {"eg2": eg2, "edx2": edx2}


def adam(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    n = int(state.get("n", 0)) + 1
    m1 = state.get("m1", np.zeros_like(dw))
    m2 = state.get("m2", np.zeros_like(dw))
    m1 = m1 + (_ONE - beta1) * (dw - m1)
    m2 = m2 + (_ONE - beta2) * (np.square(dw) - m2)
    m1_hat = m1 / (_ONE - beta1 ** n)
    m2_hat = m2 / (_ONE - beta2 ** n)
    return w - lr * (m1_hat / (np.sqrt(m2_hat) + eps)), {"n": n, "m1": m1, "m2": m2}


def adamw(w, dw, state, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    decayed = w - (lr * weight_decay) * w
    return adam(decayed, dw, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
