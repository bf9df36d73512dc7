"""Attack: return objects that compare equal to anything."""
from ..a0_foundations.foundations import Equal, Number


def sgd(w, dw, state, *, lr=1e-2, weight_decay=0.0):
    return Equal(), {"t": Number(1.0)}
