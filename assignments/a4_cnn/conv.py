"""Convolution layers: 2-D cross-correlation with stride and zero padding, as PyTorch's conv2d.

Images are NCHW. ``stride`` and ``padding`` are an int (the same for height and width) or an
(h, w) pair. The forward returns ``(out, cache)`` and never modifies its inputs; the backward
takes ``(dout, cache)`` and returns ``(dx, dw, db)``. Outputs keep the input dtype.
"""
import numpy as np


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here
