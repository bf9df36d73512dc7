"""Gated recurrent unit: one cell and a whole sequence with backprop through time.

Parameters use PyTorch's layout (torch.nn.GRUCell / torch.nn.GRU): the three gate blocks are
stacked in the order r, z, n, so W_ih (3H, D), W_hh (3H, H), b_ih (3H,), b_hh (3H,), and rows
k*H:(k+1)*H belong to gate k. Batches are (N, D); sequences are (T, N, D), time first.
Outputs keep the input dtype (float64 or float32).
"""
import numpy as np

# BEGIN SOLUTION
from .lstm import _sigmoid
# END SOLUTION


def gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    """One step of a GRU, as torch.nn.GRUCell.

    gi = x @ W_ih.T + b_ih, split into (N, H) blocks gi_r, gi_z, gi_n
    gh = h @ W_hh.T + b_hh, split into (N, H) blocks gh_r, gh_z, gh_n
    r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z)
    n = tanh(gi_n + r * gh_n)           (the reset gate scales W_hn h + b_hn)
    h_new = (1 - z) * n + z * h

    Inputs:
    - x: input at this step, shape (N, D).
    - h: previous hidden state, shape (N, H).
    - W_ih: shape (3H, D); W_hh: shape (3H, H); b_ih, b_hh: shape (3H,) each.

    Returns a tuple of:
    - h_new: next hidden state, shape (N, H).
    - cache: whatever gru_cell_backward needs.
    """
    # BEGIN SOLUTION
    gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    gh_r, gh_z, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = _sigmoid(gi_r + gh_r)
    z = _sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    h_new = (1 - z) * n + z * h
    return h_new, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), r, z, n, gh_n)
    # END SOLUTION


def gru_cell_backward(dh_new, cache):
    """Backward pass of one GRU step.

    dn = dh_new * (1 - z), dz = dh_new * (h - n), and h also gets dh_new * z directly.
    Through n = tanh(gi_n + r * gh_n): dgi_n = dn * (1 - n**2), dgh_n = dgi_n * r,
    dr = dgi_n * gh_n. The r and z pre-activations get dr * r * (1 - r) and dz * z * (1 - z)
    on both the input side and the hidden side; the stacked blocks (N, 3H) flow into x, h
    and the weights as in the RNN.

    Inputs:
    - dh_new: upstream gradient of h_new, shape (N, H).
    - cache: from gru_cell_forward.

    Returns a tuple of:
    - dx: shape (N, D).
    - dh: shape (N, H).
    - dW_ih: shape (3H, D).
    - dW_hh: shape (3H, H).
    - db_ih, db_hh: shape (3H,) each.
    """
    # BEGIN SOLUTION
    x, h, W_ih, W_hh, r, z, n, gh_n = cache
    dgi_n = dh_new * (1 - z) * (1 - n**2)
    da_r = dgi_n * gh_n * r * (1 - r)
    da_z = dh_new * (h - n) * z * (1 - z)
    dgi = np.concatenate([da_r, da_z, dgi_n], axis=1)
    dgh = np.concatenate([da_r, da_z, dgi_n * r], axis=1)
    dh = dgh @ W_hh + dh_new * z
    return dgi @ W_ih, dh, dgi.T @ x, dgh.T @ h, dgi.sum(axis=0), dgh.sum(axis=0)
    # END SOLUTION


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    """A GRU over a whole sequence: gru_cell_forward applied at t = 0, ..., T-1.

    h_0 = h0, h_{t+1} = gru_cell(x[t], h_t), hs[t] = h_{t+1}.

    Inputs:
    - x: input sequence, shape (T, N, D).
    - h0: initial hidden state, shape (N, H).
    - W_ih, W_hh, b_ih, b_hh: as in gru_cell_forward.

    Returns a tuple of:
    - hs: hidden state after every step, shape (T, N, H).
    - cache: whatever gru_backward needs.
    """
    # BEGIN SOLUTION
    h, hs, caches = h0, [], []
    for x_t in x:
        h, cache = gru_cell_forward(x_t, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches
    # END SOLUTION


def gru_backward(dhs, cache):
    """Backpropagation through time for gru_forward.

    Inputs:
    - dhs: upstream gradient of hs, shape (T, N, H).
    - cache: from gru_forward.

    Returns a tuple of:
    - dx: shape (T, N, D).
    - dh0: shape (N, H).
    - dW_ih: shape (3H, D).
    - dW_hh: shape (3H, H).
    - db_ih, db_hh: shape (3H,) each.
    """
    # BEGIN SOLUTION
    dh = np.zeros_like(dhs[0])
    dxs, totals = [], None
    for t in reversed(range(len(dhs))):
        dx, dh, *dparams = gru_cell_backward(dhs[t] + dh, cache[t])
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs[::-1]), dh, *totals)
    # END SOLUTION
