"""dropout_forward whose odd rows repeat one block of columns across the row: every entry is
still kept with probability 1 - p (so the kept fraction is right, and rows 2i and 2i + 1 are
independent), but within those rows column j is column j + block."""
import numpy as np


def dropout_forward(x, p, *, train, rng):
    if not train or p == 0:
        return x.copy(), (None, p)
    if p == 1:
        return np.zeros_like(x), (np.zeros(x.shape, dtype=bool), p)
    keep = rng.random(x.shape) >= p
    rows = keep.reshape(len(keep), -1)  # a view: writing to rows writes to keep
    block = max(1, rows.shape[1] // 4)
    rows[1::2] = np.tile(rows[1::2, :block], (1, -(-rows.shape[1] // block)))[:, :rows.shape[1]]
    return np.where(keep, x / (1 - p), 0).astype(x.dtype, copy=False), (keep, p)
