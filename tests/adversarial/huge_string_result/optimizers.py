"""Attack: a state that is a megabyte-long string list instead of a dict."""


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    return w - lr * (dw + weight_decay * w), ["C" * 1_000_000]
