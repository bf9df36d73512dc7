"""a4 pooling -- every channel as its own image, im2col indices from conv.py."""
import numpy as np

from .conv import as_pair, im2col_indices


def _columns(x, kernel_size, stride):
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    n_images, channels, height, width = x.shape
    k, i, j, (oh, ow) = im2col_indices(1, height, width, kh, kw, sh, sw)
    flat = x.reshape(n_images * channels, 1, height, width)
    return flat[:, k, i, j], (k, i, j), (n_images, channels, oh, ow)  # cols (N*C, KH*KW, OH*OW)


def _uncolumns(dcols, index, shape, dtype):
    k, i, j = index
    n_images, channels, height, width = shape
    dflat = np.zeros((n_images * channels, 1, height, width), dtype=dtype)
    np.add.at(dflat, (slice(None), k, i, j), dcols)
    return dflat.reshape(shape)


def maxpool2d_forward(x, kernel_size, stride=None):
    cols, index, out_shape = _columns(x, kernel_size, stride)
    best = cols.argmax(axis=1)  # (N*C, OH*OW)
    out = np.take_along_axis(cols, best[:, None, :], axis=1)[:, 0, :]
    return out.reshape(out_shape), {"best": best, "rows": cols.shape[1], "index": index, "shape": x.shape}


def maxpool2d_backward(dout, cache):
    best, index = cache["best"], cache["index"]
    dcols = np.zeros((best.shape[0], cache["rows"], best.shape[1]), dtype=dout.dtype)
    np.put_along_axis(dcols, best[:, None, :], dout.reshape(best.shape)[:, None, :], axis=1)
    return _uncolumns(dcols, index, cache["shape"], dout.dtype)


def avgpool2d_forward(x, kernel_size, stride=None):
    cols, index, out_shape = _columns(x, kernel_size, stride)
    return cols.mean(axis=1).reshape(out_shape), {"rows": cols.shape[1], "index": index, "shape": x.shape}


def avgpool2d_backward(dout, cache):
    rows = cache["rows"]
    flat = dout.reshape(dout.shape[0] * dout.shape[1], 1, -1)
    dcols = np.repeat(flat / rows, rows, axis=1)
    return _uncolumns(dcols, cache["index"], cache["shape"], dout.dtype)
