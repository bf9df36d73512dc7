"""a4 conv -- explicit loops over every output pixel, the definition written out."""
import numpy as np


def _hw(value):
    """(h, w) from an int or a pair."""
    if isinstance(value, int):
        return value, value
    return int(value[0]), int(value[1])


def conv2d_forward(x, w, b, stride=1, padding=0):
    sh, sw = _hw(stride)
    ph, pw = _hw(padding)
    n_images, _, height, width = x.shape
    n_filters, _, kh, kw = w.shape
    oh = (height + 2 * ph - kh) // sh + 1
    ow = (width + 2 * pw - kw) // sw + 1
    padded = np.zeros((n_images, x.shape[1], height + 2 * ph, width + 2 * pw), dtype=x.dtype)
    padded[:, :, ph:ph + height, pw:pw + width] = x
    out = np.empty((n_images, n_filters, oh, ow), dtype=x.dtype)
    for n in range(n_images):
        for f in range(n_filters):
            for i in range(oh):
                for j in range(ow):
                    patch = padded[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, f, i, j] = np.sum(patch * w[f]) + b[f]
    return out, {"padded": padded, "w": w.copy(), "stride": (sh, sw), "padding": (ph, pw)}


def conv2d_backward(dout, cache):
    padded, w = cache["padded"], cache["w"]
    sh, sw = cache["stride"]
    ph, pw = cache["padding"]
    n_images, n_filters, oh, ow = dout.shape
    kh, kw = w.shape[2:]
    dpadded = np.zeros_like(padded)
    dw = np.zeros_like(w)
    for n in range(n_images):
        for f in range(n_filters):
            for i in range(oh):
                for j in range(ow):
                    g = dout[n, f, i, j]
                    rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                    dpadded[n, :, rows, cols] += g * w[f]
                    dw[f] += g * padded[n, :, rows, cols]
    db = np.array([dout[:, f].sum() for f in range(n_filters)], dtype=dout.dtype)
    height, width = padded.shape[2] - 2 * ph, padded.shape[3] - 2 * pw
    return dpadded[:, :, ph:ph + height, pw:pw + width].copy(), dw, db
