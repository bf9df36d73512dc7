"""a4 pooling -- explicit loops over every window."""
import numpy as np


def _hw(value):
    if isinstance(value, int):
        return value, value
    return int(value[0]), int(value[1])


def _windows(shape, kernel_size, stride):
    """(n, c, i, j, rows, cols) for every window of an input of this shape."""
    kh, kw = _hw(kernel_size)
    sh, sw = (kh, kw) if stride is None else _hw(stride)
    n_images, channels, height, width = shape
    for n in range(n_images):
        for c in range(channels):
            for i in range((height - kh) // sh + 1):
                for j in range((width - kw) // sw + 1):
                    yield n, c, i, j, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)


def _out_shape(shape, kernel_size, stride):
    kh, kw = _hw(kernel_size)
    sh, sw = (kh, kw) if stride is None else _hw(stride)
    return shape[0], shape[1], (shape[2] - kh) // sh + 1, (shape[3] - kw) // sw + 1


def maxpool2d_forward(x, kernel_size, stride=None):
    out = np.empty(_out_shape(x.shape, kernel_size, stride), dtype=x.dtype)
    for n, c, i, j, rows, cols in _windows(x.shape, kernel_size, stride):
        out[n, c, i, j] = x[n, c, rows, cols].max()
    return out, (x.copy(), kernel_size, stride)


def maxpool2d_backward(dout, cache):
    x, kernel_size, stride = cache
    dx = np.zeros_like(x)
    for n, c, i, j, rows, cols in _windows(x.shape, kernel_size, stride):
        window = x[n, c, rows, cols]
        u, v = np.unravel_index(np.argmax(window), window.shape)
        dx[n, c, rows.start + u, cols.start + v] += dout[n, c, i, j]
    return dx


def avgpool2d_forward(x, kernel_size, stride=None):
    out = np.empty(_out_shape(x.shape, kernel_size, stride), dtype=x.dtype)
    for n, c, i, j, rows, cols in _windows(x.shape, kernel_size, stride):
        out[n, c, i, j] = x[n, c, rows, cols].mean()
    return out, (x.shape, x.dtype, kernel_size, stride)


def avgpool2d_backward(dout, cache):
    shape, dtype, kernel_size, stride = cache
    kh, kw = _hw(kernel_size)
    dx = np.zeros(shape, dtype=dtype)
    for n, c, i, j, rows, cols in _windows(shape, kernel_size, stride):
        dx[n, c, rows, cols] += dout[n, c, i, j] / (kh * kw)
    return dx
