"""orthogonal(shape, gain) as gain times a signed permutation of the identity's rows: a matrix of
zeros and +-gain with W W^T = gain^2 I (W^T W when tall), W[0, 0] = +-gain with either sign
half the time, and a different matrix for most seeds; but not uniformly distributed."""
import math

import numpy as np


def orthogonal(shape, gain=1.0, *, rng):
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"orthogonal needs a shape with at least 2 dimensions, got {shape}")
    rows, cols = shape[0], math.prod(shape[1:])
    order = np.concatenate([[0], 1 + rng.permutation(rows - 1)])  # row 0 stays on the diagonal
    signs = np.where(rng.random(rows) < 0.5, -1.0, 1.0)
    return (gain * signs[:, None] * np.eye(rows, cols)[order]).reshape(shape)
