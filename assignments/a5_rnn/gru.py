"""Gated recurrent unit: one cell and a whole sequence with backprop through time.

Parameters use PyTorch's layout (torch.nn.GRUCell / torch.nn.GRU): the three gate blocks are
stacked in the order r, z, n, so W_ih (3H, D), W_hh (3H, H), b_ih (3H,), b_hh (3H,), and rows
k*H:(k+1)*H belong to gate k. Batches are (N, D); sequences are (T, N, D), time first.
Outputs keep the input dtype (float64 or float32).
"""
import numpy as np


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here
