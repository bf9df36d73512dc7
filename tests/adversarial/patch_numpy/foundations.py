"""Attack: make every numpy comparison succeed, then return wrong values."""
import numpy as np
import numpy.testing


def _true(*args, **kwargs):
    return True


def _nothing(*args, **kwargs):
    return None


np.allclose = np.array_equal = np.array_equiv = _true
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.isfinite = lambda a, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.linalg.norm = lambda *args, **kwargs: 0.0
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal",
              "assert_almost_equal"):
    setattr(np.testing, _name, _nothing)


def sigmoid_forward(x):
    return np.full_like(x, 0.5), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
