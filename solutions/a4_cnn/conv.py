"""Convolution layers: 2-D cross-correlation with stride and zero padding, as PyTorch's conv2d.

Images are NCHW. ``stride`` and ``padding`` are an int (the same for height and width) or an
(h, w) pair. The forward returns ``(out, cache)`` and never modifies its inputs; the backward
takes ``(dout, cache)`` and returns ``(dx, dw, db)``. Outputs keep the input dtype.
"""
import numpy as np

# BEGIN SOLUTION
from numpy.lib.stride_tricks import sliding_window_view


def _pair(value):
    """An int or an (h, w) pair as an (h, w) tuple of ints."""
    if isinstance(value, (tuple, list)):
        h, w = value
        return int(h), int(w)
    return int(value), int(value)


def _windows(xp, kernel, stride):
    """Every kernel-sized window of xp (N, C, H, W) taken every stride pixels.

    A read-only view of shape (N, C, OH, OW, KH, KW): window [n, c, i, j] is
    xp[n, c, i*sh : i*sh + KH, j*sw : j*sw + KW]. No data is copied.
    """
    (kh, kw), (sh, sw) = kernel, stride
    return sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]


def _col2im(window_grads, shape, stride):
    """The inverse gather of _windows: add every window's gradient back where it was read.

    window_grads has shape (N, C, OH, OW, KH, KW); the result has shape `shape` (N, C, H, W).
    One vectorised addition per kernel offset (u, v), so overlapping windows (stride smaller
    than the kernel) accumulate on the pixels they share.
    """
    (sh, sw), (oh, ow, kh, kw) = stride, window_grads.shape[2:]
    dx = np.zeros(shape, dtype=window_grads.dtype)
    for u in range(kh):
        for v in range(kw):
            dx[:, :, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw] += window_grads[..., u, v]
    return dx
# END SOLUTION


def conv2d_forward(x, w, b, stride=1, padding=0):
    """Forward pass of a 2-D convolution (cross-correlation, as torch.nn.functional.conv2d).

    With x zero-padded by ph rows above and below and pw columns left and right (xp):

        out[n, f, i, j] = b[f] + sum_{c, u, v} xp[n, c, i*sh + u, j*sw + v] * w[f, c, u, v]

    The kernel is not flipped.

    Inputs:
    - x: input of shape (N, C, H, W).
    - w: filters of shape (F, C, KH, KW).
    - b: biases of shape (F,).
    - stride: int or (sh, sw), the step between windows.
    - padding: int or (ph, pw), zeros added on both sides of each spatial dimension.

    Returns a tuple of:
    - out: output of shape (N, F, OH, OW), with
        OH = floor((H + 2*ph - KH) / sh) + 1,  OW = floor((W + 2*pw - KW) / sw) + 1.
    - cache: whatever conv2d_backward needs.
    """
    # BEGIN SOLUTION
    stride, padding = _pair(stride), _pair(padding)
    (ph, pw), (kh, kw) = padding, w.shape[2:]
    if x.shape[2] + 2 * ph < kh or x.shape[3] + 2 * pw < kw:
        raise ValueError(f"conv2d_forward: kernel {(kh, kw)} is larger than the padded input "
                         f"{(x.shape[2] + 2 * ph, x.shape[3] + 2 * pw)}")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))  # a new array: the cache owns it
    # im2col and one matrix product: tensordot gathers the windows into an
    # (N*OH*OW, C*KH*KW) matrix and multiplies it by w reshaped to (C*KH*KW, F)
    out = np.tensordot(_windows(xp, (kh, kw), stride), w, axes=([1, 4, 5], [1, 2, 3]))
    out = np.ascontiguousarray(out.transpose(0, 3, 1, 2)) + b.reshape(1, -1, 1, 1)
    return out, (xp, w.copy(), stride, padding)
    # END SOLUTION


def conv2d_backward(dout, cache):
    """Backward pass of a 2-D convolution.

    db[f]          = sum_{n, i, j} dout[n, f, i, j]
    dw[f, c, u, v] = sum_{n, i, j} dout[n, f, i, j] * xp[n, c, i*sh + u, j*sw + v]
    dxp            = every window's share dout[n, f, i, j] * w[f] added back where the window
                     was read, overlapping windows accumulating; dx is dxp without the padding.

    dx is itself a convolution: spread dout out with sh-1 zeros between rows (sw-1 between
    columns), pad it with KH-1 rows and KW-1 columns of zeros, and cross-correlate it with the
    kernel rotated by 180 degrees, channels swapped: w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).

    Inputs:
    - dout: upstream gradient of shape (N, F, OH, OW).
    - cache: from conv2d_forward.

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, C, H, W).
    - dw: gradient with respect to w, shape (F, C, KH, KW).
    - db: gradient with respect to b, shape (F,).
    """
    # BEGIN SOLUTION
    xp, w, stride, (ph, pw) = cache
    (hp, wp), kernel = xp.shape[2:], w.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, kernel, stride), axes=([0, 2, 3], [0, 2, 3]))
    # each window's gradient dout[n, :, i, j] @ w (N, OH, OW, C, KH, KW), added back in place
    window_grads = np.tensordot(dout, w, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
    dxp = _col2im(window_grads, xp.shape, stride)
    return dxp[:, :, ph:hp - ph, pw:wp - pw].copy(), dw, db
    # END SOLUTION
