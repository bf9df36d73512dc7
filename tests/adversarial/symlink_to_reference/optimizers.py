"""Attack: hand in the reference through symbolic links; this file is the student's own."""


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    return w - lr * (dw + weight_decay * w), dict(state)
