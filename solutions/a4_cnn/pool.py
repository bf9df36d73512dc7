"""Pooling layers: max and average pooling over windows, as PyTorch's max_pool2d and avg_pool2d.

Images are NCHW. ``kernel_size`` and ``stride`` are an int or an (h, w) pair; ``stride``
defaults to ``kernel_size`` (windows side by side). There is no padding, and windows that would
run past the input are dropped (floor, as torch's ceil_mode=False). Forwards return
``(out, cache)``; backwards take ``(dout, cache)`` and return ``dx``.
"""
import numpy as np

# BEGIN SOLUTION
from .conv import _col2im, _pair, _windows


def _geometry(kernel_size, stride):
    """(kernel, stride) as (h, w) pairs, stride defaulting to the kernel."""
    kernel = _pair(kernel_size)
    return kernel, kernel if stride is None else _pair(stride)
# END SOLUTION


def maxpool2d_forward(x, kernel_size, stride=None):
    """Forward pass of 2-D max pooling.

    out[n, c, i, j] = max_{u, v} x[n, c, i*sh + u, j*sw + v],   0 <= u < KH, 0 <= v < KW

    Inputs:
    - x: input of shape (N, C, H, W).
    - kernel_size: int or (KH, KW), the window size.
    - stride: int or (sh, sw); None means stride = kernel_size.

    Returns a tuple of:
    - out: output of shape (N, C, OH, OW), with
        OH = floor((H - KH) / sh) + 1,  OW = floor((W - KW) / sw) + 1.
    - cache: whatever maxpool2d_backward needs.
    """
    # BEGIN SOLUTION
    kernel, stride = _geometry(kernel_size, stride)
    windows = _windows(x, kernel, stride)
    out = windows.max(axis=(4, 5))
    return out, (x.copy(), kernel, stride)
    # END SOLUTION


def maxpool2d_backward(dout, cache):
    """Backward pass of 2-D max pooling.

    Each window's upstream gradient dout[n, c, i, j] goes to the one entry of the window that
    held its maximum; every other entry of the window gets nothing from it. Where windows
    overlap (stride < kernel), a pixel collects the gradients of every window it is the maximum
    of. Where a window has tied maxima, any split of its gradient among them is correct; this
    one gives it all to the first maximum in row-major order, as PyTorch does.

    Inputs:
    - dout: upstream gradient of shape (N, C, OH, OW).
    - cache: from maxpool2d_forward.

    Returns:
    - dx: gradient with respect to x, shape (N, C, H, W).
    """
    # BEGIN SOLUTION
    x, (kh, kw), stride = cache
    windows = _windows(x, (kh, kw), stride)
    flat = windows.reshape(windows.shape[:4] + (kh * kw,))
    first_max = np.argmax(flat, axis=-1)[..., None]
    one_hot = np.arange(kh * kw) == first_max
    window_grads = (one_hot * dout[..., None]).reshape(windows.shape)
    return _col2im(window_grads, x.shape, stride)
    # END SOLUTION


def avgpool2d_forward(x, kernel_size, stride=None):
    """Forward pass of 2-D average pooling.

    out[n, c, i, j] = (1 / (KH*KW)) * sum_{u, v} x[n, c, i*sh + u, j*sw + v]

    Inputs:
    - x: input of shape (N, C, H, W).
    - kernel_size: int or (KH, KW), the window size.
    - stride: int or (sh, sw); None means stride = kernel_size.

    Returns a tuple of:
    - out: output of shape (N, C, OH, OW), sizes as in maxpool2d_forward.
    - cache: whatever avgpool2d_backward needs.
    """
    # BEGIN SOLUTION
    kernel, stride = _geometry(kernel_size, stride)
    out = _windows(x, kernel, stride).mean(axis=(4, 5))
    return out, (x.shape, kernel, stride)
    # END SOLUTION


def avgpool2d_backward(dout, cache):
    """Backward pass of 2-D average pooling.

    Each window's upstream gradient dout[n, c, i, j] is spread evenly over its KH*KW entries
    (each gets dout[n, c, i, j] / (KH*KW)); overlapping windows accumulate.

    Inputs:
    - dout: upstream gradient of shape (N, C, OH, OW).
    - cache: from avgpool2d_forward.

    Returns:
    - dx: gradient with respect to x, shape (N, C, H, W).
    """
    # BEGIN SOLUTION
    x_shape, (kh, kw), stride = cache
    share = (dout / (kh * kw))[..., None, None]
    return _col2im(np.broadcast_to(share, dout.shape + (kh, kw)), x_shape, stride)
    # END SOLUTION
