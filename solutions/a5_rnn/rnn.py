"""A vanilla (Elman) RNN: one cell, a whole sequence with backprop through time, and
gradient clipping.

Parameters use PyTorch's layout (torch.nn.RNNCell / torch.nn.RNN with nonlinearity="tanh"):
W_ih (H, D), W_hh (H, H), b_ih (H,), b_hh (H,). Batches are (N, D); sequences are (T, N, D),
time first. Every forward returns ``(..., cache)`` and never modifies its inputs; every
backward returns the gradients in the order the forward took its differentiable inputs.
Outputs keep the input dtype (float64 or float32).
"""
import numpy as np


def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    """One step of a tanh RNN.

    h_new = tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)

    Inputs:
    - x: input at this step, shape (N, D).
    - h: previous hidden state, shape (N, H).
    - W_ih: input-to-hidden weights, shape (H, D).
    - W_hh: hidden-to-hidden weights, shape (H, H).
    - b_ih, b_hh: biases, shape (H,) each.

    Returns a tuple of:
    - h_new: next hidden state, shape (N, H).
    - cache: whatever rnn_cell_backward needs.
    """
    # BEGIN SOLUTION
    h_new = np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
    return h_new, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), h_new.copy())
    # END SOLUTION


def rnn_cell_backward(dh_new, cache):
    """Backward pass of one RNN step.

    With a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh and h_new = tanh(a):
    da = dh_new * (1 - h_new**2), dx = da @ W_ih, dh = da @ W_hh,
    dW_ih = da.T @ x, dW_hh = da.T @ h, db_ih = db_hh = da summed over the batch.

    Inputs:
    - dh_new: upstream gradient of h_new, shape (N, H).
    - cache: from rnn_cell_forward.

    Returns a tuple of:
    - dx: shape (N, D).
    - dh: shape (N, H).
    - dW_ih: shape (H, D).
    - dW_hh: shape (H, H).
    - db_ih, db_hh: shape (H,) each.
    """
    # BEGIN SOLUTION
    x, h, W_ih, W_hh, h_new = cache
    da = dh_new * (1 - h_new**2)
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h, db, db.copy()
    # END SOLUTION


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    """A tanh RNN over a whole sequence: rnn_cell_forward applied at t = 0, ..., T-1.

    h_0 = h0, h_{t+1} = rnn_cell(x[t], h_t), hs[t] = h_{t+1}.

    Inputs:
    - x: input sequence, shape (T, N, D).
    - h0: initial hidden state, shape (N, H).
    - W_ih, W_hh, b_ih, b_hh: as in rnn_cell_forward.

    Returns a tuple of:
    - hs: hidden state after every step, shape (T, N, H).
    - cache: whatever rnn_backward needs.
    """
    # BEGIN SOLUTION
    h, hs, caches = h0, [], []
    for x_t in x:
        h, cache = rnn_cell_forward(x_t, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches
    # END SOLUTION


def rnn_backward(dhs, cache):
    """Backpropagation through time for rnn_forward.

    The gradient reaching h_{t+1} is dhs[t] plus what flows back from step t+1; the weights
    are shared by every step, so their gradients are sums over t.

    Inputs:
    - dhs: upstream gradient of hs, shape (T, N, H).
    - cache: from rnn_forward.

    Returns a tuple of:
    - dx: shape (T, N, D).
    - dh0: shape (N, H).
    - dW_ih: shape (H, D).
    - dW_hh: shape (H, H).
    - db_ih, db_hh: shape (H,) each.
    """
    # BEGIN SOLUTION
    dh = np.zeros_like(dhs[0])
    dxs, totals = [], None
    for t in reversed(range(len(dhs))):
        dx, dh, *dparams = rnn_cell_backward(dhs[t] + dh, cache[t])
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs[::-1]), dh, *totals)
    # END SOLUTION


def clip_grad_norm(grads, max_norm):
    """Scale a list of gradients so that their global L2 norm is at most max_norm
    (torch.nn.utils.clip_grad_norm_ with norm_type=2, without modifying its input).

    total_norm = sqrt(sum over every array g of sum(g**2))
    clipped[k] = grads[k] * min(1, max_norm / (total_norm + 1e-6))

    Inputs:
    - grads: a list or tuple of arrays of any shapes.
    - max_norm: the largest global norm allowed, a positive number.

    Returns a tuple of:
    - clipped: the scaled arrays, in a container of the type of grads (list or tuple), each
      with its gradient's shape and dtype.
    - total_norm: the global norm of grads before clipping, a float.
    """
    # BEGIN SOLUTION
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    return type(grads)(g * scale for g in grads), total_norm
    # END SOLUTION
