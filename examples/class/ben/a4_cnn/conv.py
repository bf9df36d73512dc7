"""a4 conv -- im2col with precomputed index arrays, batched matmul, col2im with np.add.at."""
import numpy as np


def as_pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def im2col_indices(channels, height, width, kh, kw, sh, sw):
    """Index arrays (k, i, j), each (channels*kh*kw, oh*ow): column p of the im2col matrix is
    the window of output position p, row r one (channel, kernel row, kernel column)."""
    oh, ow = (height - kh) // sh + 1, (width - kw) // sw + 1
    kernel_rows = np.tile(np.repeat(np.arange(kh), kw), channels)
    kernel_cols = np.tile(np.arange(kw), kh * channels)
    out_rows = sh * np.repeat(np.arange(oh), ow)
    out_cols = sw * np.tile(np.arange(ow), oh)
    i = kernel_rows[:, None] + out_rows[None, :]
    j = kernel_cols[:, None] + out_cols[None, :]
    k = np.repeat(np.arange(channels), kh * kw)[:, None]
    return k, i, j, (oh, ow)


def conv2d_forward(x, w, b, stride=1, padding=0):
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    n_images, channels = x.shape[:2]
    n_filters, _, kh, kw = w.shape
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)], mode="constant")
    k, i, j, (oh, ow) = im2col_indices(channels, xp.shape[2], xp.shape[3], kh, kw, sh, sw)
    cols = xp[:, k, i, j]  # (N, C*KH*KW, OH*OW)
    out = np.matmul(w.reshape(n_filters, -1), cols) + b[:, None]
    cache = {"xp_shape": xp.shape, "cols": cols, "w": w.copy(), "index": (k, i, j), "padding": (ph, pw)}
    return out.reshape(n_images, n_filters, oh, ow), cache


def conv2d_backward(dout, cache):
    cols, w, (k, i, j) = cache["cols"], cache["w"], cache["index"]
    ph, pw = cache["padding"]
    n_images, n_filters = dout.shape[:2]
    dout_mat = dout.reshape(n_images, n_filters, -1)  # (N, F, OH*OW)
    db = dout_mat.sum(axis=(0, 2))
    dw = np.einsum("nfp,nrp->fr", dout_mat, cols).reshape(w.shape)
    dcols = np.matmul(w.reshape(n_filters, -1).T, dout_mat)  # (N, C*KH*KW, OH*OW)
    dxp = np.zeros(cache["xp_shape"], dtype=dout.dtype)
    np.add.at(dxp, (slice(None), k, i, j), dcols)
    hp, wp = cache["xp_shape"][2:]
    return dxp[:, :, ph:hp - ph, pw:wp - pw], dw, db
