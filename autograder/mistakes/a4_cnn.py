"""Known mistakes of a4_cnn (conv.py and pool.py).

Each function is the kind of wrong version students really write. Its source is appended to the
reference file of its task under the task's name, so `np`, `_pair`, `_windows` and `_col2im`
below resolve to the reference module's, and a backward receives the reference forward's
cache: conv2d (xp, w, (sh, sw), (ph, pw)) with xp the padded input; maxpool2d
(x, (kh, kw), (sh, sw)); avgpool2d (x.shape, (kh, kw), (sh, sw)).
"""

import numpy as np

from autograder.grading.mistake_registry import mistake
from autograder.runtime.language import N_

_pair = _windows = _col2im = _geometry = None  # the reference module's helpers, in the mutant


# ---- conv2d_forward --------------------------------------------------------------------------


@mistake(
    "conv2d_forward",
    hint=N_(
        "you flip the kernel (a true convolution, w[:, :, ::-1, ::-1]): deep-learning "
        "convolutions are cross-correlations, out[i, j] = sum xp[i*sh + u, j*sw + v] * w[u, v] "
        "with the kernel as it is, as torch.nn.functional.conv2d"
    ),
)
def conv2d_forward_flips_kernel(x, w, b, stride=1, padding=0):
    stride, padding = _pair(stride), _pair(padding)
    (ph, pw), flipped = padding, w[:, :, ::-1, ::-1]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.tensordot(_windows(xp, w.shape[2:], stride), flipped, axes=([1, 4, 5], [1, 2, 3]))
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1), (xp, w.copy(), stride, padding)


@mistake(
    "conv2d_forward",
    hint=N_(
        "your padding is all on one side: x must sit in the middle of the padded array, "
        "xp[:, :, ph:ph + H, pw:pw + W] = x, with ph zero rows above and below and pw zero "
        "columns left and right (np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))))"
    ),
)
def conv2d_forward_pads_one_side(x, w, b, stride=1, padding=0):
    stride, padding = _pair(stride), _pair(padding)
    (n, c, h, wd), (ph, pw) = x.shape, padding
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=x.dtype)
    xp[:, :, :h, :wd] = x
    out = np.tensordot(_windows(xp, w.shape[2:], stride), w, axes=([1, 4, 5], [1, 2, 3]))
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1), (xp, w.copy(), stride, padding)


@mistake(
    "conv2d_forward",
    hint=N_(
        "you use the stride inside the window (as a dilation: taps xp[i + u*sh, j + v*sw]) "
        "instead of between windows: window (i, j) starts at row i*sh and column j*sw and "
        "reads the KH x KW pixels next to each other, xp[i*sh + u, j*sw + v]"
    ),
)
def conv2d_forward_stride_as_dilation(x, w, b, stride=1, padding=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (n, c, h, wd), (f, _, kh, kw) = x.shape, w.shape
    oh, ow = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1
    # reads that run past the padded input find zeros
    big = np.zeros((n, c, max(h + 2 * ph, oh + (kh - 1) * sh), max(wd + 2 * pw, ow + (kw - 1) * sw)), x.dtype)
    big[:, :, ph : ph + h, pw : pw + wd] = x
    out = np.zeros((n, f, oh, ow), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            taps = big[:, :, u * sh : u * sh + oh, v * sw : v * sw + ow]
            out += np.tensordot(taps, w[:, :, u, v], axes=([1], [1])).transpose(0, 3, 1, 2)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return out + b.reshape(1, -1, 1, 1), (xp, w.copy(), (sh, sw), (ph, pw))


@mistake(
    "conv2d_forward",
    hint=N_(
        "your output is one row or column too large when H + 2*ph - KH is not a multiple of "
        "the stride: the size rounds down, OH = floor((H + 2*ph - KH)/sh) + 1 (use //), and "
        "a window that would run past the padded input is left out"
    ),
)
def conv2d_forward_output_size_rounds_up(x, w, b, stride=1, padding=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (h, wd), (kh, kw) = x.shape[2:], w.shape[2:]
    oh, ow = -(-(h + 2 * ph - kh) // sh) + 1, -(-(wd + 2 * pw - kw) // sw) + 1
    # the extra window reads zeros past the padded input
    extra_h, extra_w = (oh - 1) * sh + kh - (h + 2 * ph), (ow - 1) * sw + kw - (wd + 2 * pw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)))
    out = np.tensordot(_windows(xp, (kh, kw), (sh, sw)), w, axes=([1, 4, 5], [1, 2, 3]))
    cache = (xp[:, :, : h + 2 * ph, : wd + 2 * pw].copy(), w.copy(), (sh, sw), (ph, pw))
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1), cache


# ---- conv2d_backward -------------------------------------------------------------------------


@mistake(
    "conv2d_backward",
    hint=N_(
        "your dx still has the padding: the gradient with respect to the padded input has "
        "shape (N, C, H + 2*ph, W + 2*pw); crop it back, dx = dxp[:, :, ph:ph + H, pw:pw + W]"
    ),
)
def conv2d_backward_dx_not_cropped(dout, cache):
    xp, w, stride, _ = cache
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, w.shape[2:], stride), axes=([0, 2, 3], [0, 2, 3]))
    window_grads = np.tensordot(dout, w, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
    dxp = _col2im(window_grads, xp.shape, stride)
    return dxp, dw, db


@mistake(
    "conv2d_backward",
    hint=N_(
        "your dw is (C, F, KH, KW), filters and channels swapped: dw has w's shape "
        "(F, C, KH, KW), dw[f, c, u, v] = sum over n, i, j of dout[n, f, i, j] * xp[n, c, i*sh + u, j*sw + v]"
    ),
)
def conv2d_backward_dw_transposed(dout, cache):
    xp, w, stride, (ph, pw) = cache
    (hp, wp) = xp.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, w.shape[2:], stride), axes=([0, 2, 3], [0, 2, 3]))
    window_grads = np.tensordot(dout, w, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
    dxp = _col2im(window_grads, xp.shape, stride)
    return dxp[:, :, ph : hp - ph, pw : wp - pw].copy(), dw.transpose(1, 0, 2, 3).copy(), db


@mistake(
    "conv2d_backward",
    hint=(
        N_(
            "your db sums dout over the batch only (dout.sum(axis=0), as for a linear layer): the bias is"
            " added at every output position too, so db = dout.sum(axis=(0, 2, 3)), shape (F,)"
        )
    ),
)
def conv2d_backward_db_summed_over_batch_only(dout, cache):
    xp, w, stride, (ph, pw) = cache
    (hp, wp) = xp.shape[2:]
    dw = np.tensordot(dout, _windows(xp, w.shape[2:], stride), axes=([0, 2, 3], [0, 2, 3]))
    window_grads = np.tensordot(dout, w, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
    dxp = _col2im(window_grads, xp.shape, stride)
    return dxp[:, :, ph : hp - ph, pw : wp - pw].copy(), dw, dout.sum(axis=0)


@mistake(
    "conv2d_backward",
    hint=(
        N_(
            "your dx keeps only the last window's gradient where windows overlap (stride smaller than the"
            " kernel): a pixel read by several windows collects the gradients of all of them, so add (+= "
            "in a loop, np.add.at with index arrays), never assign"
        )
    ),
)
def conv2d_backward_dx_overwrites_overlaps(dout, cache):
    xp, w, (sh, sw), (ph, pw) = cache
    (hp, wp), (kh, kw), (oh, ow) = xp.shape[2:], w.shape[2:], dout.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, (kh, kw), (sh, sw)), axes=([0, 2, 3], [0, 2, 3]))
    window_grads = np.tensordot(dout, w, axes=([1], [0]))  # (N, OH, OW, C, KH, KW)
    dxp = np.zeros_like(xp)
    for i in range(oh):
        for j in range(ow):
            dxp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] = window_grads[:, i, j]
    return dxp[:, :, ph : hp - ph, pw : wp - pw].copy(), dw, db


@mistake(
    "conv2d_backward",
    hint=N_(
        "you compute dx as a full convolution of dout with the kernel as it is: the kernel "
        "must be rotated by 180 degrees (w[:, :, ::-1, ::-1], channels and filters swapped), "
        "since output (i, j) read input (i*sh + u, j*sw + v) through w[u, v]"
    ),
)
def conv2d_backward_dx_kernel_not_rotated(dout, cache):
    xp, w, (sh, sw), (ph, pw) = cache
    (n, f, oh, ow), (hp, wp), (kh, kw) = dout.shape, xp.shape[2:], w.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, (kh, kw), (sh, sw)), axes=([0, 2, 3], [0, 2, 3]))
    dilated = np.zeros((n, f, (oh - 1) * sh + 1, (ow - 1) * sw + 1), dtype=dout.dtype)
    dilated[:, :, ::sh, ::sw] = dout
    extra_h, extra_w = hp - (oh - 1) * sh - kh, wp - (ow - 1) * sw - kw
    spread = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1 + extra_h), (kw - 1, kw - 1 + extra_w)))
    dxp = np.tensordot(_windows(spread, (kh, kw), (1, 1)), w, axes=([1, 4, 5], [0, 2, 3])).transpose(0, 3, 1, 2)
    return dxp[:, :, ph : hp - ph, pw : wp - pw].copy(), dw, db


# ---- pooling ---------------------------------------------------------------------------------


@mistake(
    "maxpool2d_forward",
    hint=(
        N_(
            "your windows move one pixel at a time when stride=None: the stride defaults to the kernel "
            "size (windows side by side, as torch's max_pool2d), not to 1"
        )
    ),
)
def maxpool2d_forward_stride_defaults_to_one(x, kernel_size, stride=None):
    kernel, stride = _pair(kernel_size), _pair(1 if stride is None else stride)
    return _windows(x, kernel, stride).max(axis=(4, 5)), (x.copy(), kernel, stride)


@mistake(
    "maxpool2d_backward",
    hint=N_(
        "you pass each window's gradient to every entry of the window: max pooling's output "
        "depends only on the window's maximum, so only that entry gets dout (the others get 0)"
    ),
)
def maxpool2d_backward_to_every_entry(dout, cache):
    x, (kh, kw), stride = cache
    return _col2im(np.broadcast_to(dout[..., None, None], dout.shape + (kh, kw)), x.shape, stride)


@mistake(
    "maxpool2d_backward",
    hint=(
        N_(
            "your dx keeps only one window's gradient where windows overlap (stride smaller than the "
            "kernel) and share their maximum: add the gradients of every window (np.add.at, or += in a "
            "loop); fancy-index assignment dx[idx] = dout keeps the last"
        )
    ),
)
def maxpool2d_backward_overwrites_overlaps(dout, cache):
    x, (kh, kw), (sh, sw) = cache
    windows = _windows(x, (kh, kw), (sh, sw))
    first_max = np.argmax(windows.reshape(windows.shape[:4] + (kh * kw,)), axis=-1)
    n, c, i, j = np.indices(first_max.shape)
    dx = np.zeros_like(x)
    dx[n, c, i * sh + first_max // kw, j * sw + first_max % kw] = dout
    return dx


@mistake(
    "maxpool2d_backward",
    hint=N_(
        "your dx is the mask of the maxima alone: multiply it by the upstream gradient, so "
        "each window's maximum gets dout[n, c, i, j] (chain rule)"
    ),
)
def maxpool2d_backward_forgets_dout(dout, cache):
    x, (kh, kw), stride = cache
    windows = _windows(x, (kh, kw), stride)
    flat = windows.reshape(windows.shape[:4] + (kh * kw,))
    mask = (np.arange(kh * kw) == np.argmax(flat, axis=-1)[..., None]).astype(dout.dtype)
    return _col2im(mask.reshape(windows.shape), x.shape, stride)


@mistake(
    "avgpool2d_forward", hint=N_("you sum each window: average pooling divides the sum by the window's size KH*KW")
)
def avgpool2d_forward_sums(x, kernel_size, stride=None):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _windows(x, kernel, stride).sum(axis=(4, 5)), (x.shape, kernel, stride)


@mistake(
    "avgpool2d_forward",
    hint=N_(
        "you ignore the stride argument and always step by the kernel size: the stride is "
        "the step between windows, and only stride=None means stride = kernel_size"
    ),
)
def avgpool2d_forward_ignores_stride(x, kernel_size, stride=None):
    kernel = _pair(kernel_size)
    return _windows(x, kernel, kernel).mean(axis=(4, 5)), (x.shape, kernel, kernel)


@mistake(
    "avgpool2d_backward",
    hint=(
        N_(
            "you spread dout itself over each window: each entry moves the average by 1/(KH*KW) of its "
            "own change, so spread dout / (KH*KW)"
        )
    ),
)
def avgpool2d_backward_not_divided(dout, cache):
    x_shape, (kh, kw), stride = cache
    return _col2im(np.broadcast_to(dout[..., None, None], dout.shape + (kh, kw)), x_shape, stride)


# ---- more published forms ---------------------------------------------------------------------


@mistake(
    "conv2d_forward",
    hint=N_(
        "your output size leaves the padding out, OH = (H - KH) // sh + 1: the windows slide "
        "over the padded input, so OH = (H + 2*ph - KH) // sh + 1 and OW = (W + 2*pw - KW) // sw + 1"
    ),
)
def conv2d_forward_output_size_without_padding(x, w, b, stride=1, padding=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (h, wd), (kh, kw) = x.shape[2:], w.shape[2:]
    if h < kh or wd < kw:
        raise ValueError("kernel larger than the input")
    oh, ow = (h - kh) // sh + 1, (wd - kw) // sw + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.tensordot(_windows(xp, (kh, kw), (sh, sw)), w, axes=([1, 4, 5], [1, 2, 3]))[:, :oh, :ow]
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1), (xp, w.copy(), (sh, sw), (ph, pw))


@mistake(
    "conv2d_forward",
    hint=N_(
        "you never pad x (padding is ignored): add ph zero rows above and below and pw zero "
        "columns left and right, np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))), and slide over that"
    ),
)
def conv2d_forward_ignores_padding(x, w, b, stride=1, padding=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    if x.shape[2] < w.shape[2] or x.shape[3] < w.shape[3]:
        raise ValueError("kernel larger than the input")
    out = np.tensordot(_windows(x, w.shape[2:], (sh, sw)), w, axes=([1, 4, 5], [1, 2, 3]))
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1), (xp, w.copy(), (sh, sw), (ph, pw))


@mistake(
    "conv2d_forward",
    hint=N_(
        "your windows step by the height's stride sh along both axes: with stride = (sh, sw) "
        "window (i, j) starts at row i*sh and column j*sw"
    ),
)
def conv2d_forward_row_stride_for_both(x, w, b, stride=1, padding=0):
    (sh, _), (ph, pw) = _pair(stride), _pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.tensordot(_windows(xp, w.shape[2:], (sh, sh)), w, axes=([1, 4, 5], [1, 2, 3]))
    return out.transpose(0, 3, 1, 2) + b.reshape(1, -1, 1, 1), (xp, w.copy(), (sh, sh), (ph, pw))


@mistake(
    "conv2d_backward",
    hint=N_(
        "your backward ignores the stride: window (i, j) read xp[i*sh : i*sh + KH, j*sw : j*sw + KW] "
        "in the forward, so dw takes its input from there and dx adds its gradient back there, not at (i, j)"
    ),
)
def conv2d_backward_ignores_stride(dout, cache):
    xp, w, _, (ph, pw) = cache
    (oh, ow), (kh, kw) = dout.shape[2:], w.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i : i + kh, j : j + kw]
            dw += np.tensordot(dout[:, :, i, j], patch, axes=([0], [0]))
            dxp[:, :, i : i + kh, j : j + kw] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    hp, wp = xp.shape[2:]
    return dxp[:, :, ph : hp - ph, pw : wp - pw].copy(), dw, dout.sum(axis=(0, 2, 3))


@mistake(
    "conv2d_backward",
    hint=N_(
        "your dw is that of the last example only (dw = ... inside the loop over the batch): "
        "every example uses the same filters, so add each example's contribution, dw += ..."
    ),
)
def conv2d_backward_dw_of_last_example(dout, cache):
    xp, w, stride, (ph, pw) = cache
    (hp, wp), kernel = xp.shape[2:], w.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout[-1:], _windows(xp[-1:], kernel, stride), axes=([0, 2, 3], [0, 2, 3]))
    window_grads = np.tensordot(dout, w, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
    dxp = _col2im(window_grads, xp.shape, stride)
    return dxp[:, :, ph : hp - ph, pw : wp - pw].copy(), dw, db


@mistake(
    "conv2d_backward",
    hint=N_(
        "you crop dx from the top-left corner (dxp[:, :, :H, :W]): x sits in the middle of the "
        "padded input, so crop ph rows and pw columns on each side, dx = dxp[:, :, ph:ph + H, pw:pw + W]"
    ),
)
def conv2d_backward_dx_cropped_from_the_corner(dout, cache):
    xp, w, stride, (ph, pw) = cache
    (hp, wp), kernel = xp.shape[2:], w.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw = np.tensordot(dout, _windows(xp, kernel, stride), axes=([0, 2, 3], [0, 2, 3]))
    window_grads = np.tensordot(dout, w, axes=([1], [0])).transpose(0, 3, 1, 2, 4, 5)
    dxp = _col2im(window_grads, xp.shape, stride)
    return dxp[:, :, : hp - 2 * ph, : wp - 2 * pw].copy(), dw, db


@mistake(
    "maxpool2d_forward",
    hint=N_(
        "your windows are KH x KH, square, whatever KW is: with kernel_size = (KH, KW) each "
        "window is KH rows by KW columns"
    ),
)
def maxpool2d_forward_square_kernel(x, kernel_size, stride=None):
    (kh, _), stride = _geometry(kernel_size, stride)
    out = _windows(x, (kh, kh), stride).max(axis=(4, 5))
    return out, (x.copy(), (kh, kh), stride)
