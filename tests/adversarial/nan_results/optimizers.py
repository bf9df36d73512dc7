"""Attack: return NaN, which compares false with everything, so "no difference"."""
import numpy as np


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    return w * np.nan, {"t": float("nan")}
