"""Long short-term memory: one cell and a whole sequence with backprop through time.

Parameters use PyTorch's layout (torch.nn.LSTMCell / torch.nn.LSTM): the four gate blocks are
stacked in the order i, f, g, o, so W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,), and
rows k*H:(k+1)*H belong to gate k. Batches are (N, D); sequences are (T, N, D), time first.
Outputs keep the input dtype (float64 or float32).
"""
import numpy as np


def lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One step of an LSTM.

    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, split into four (N, H) blocks a_i, a_f, a_g, a_o
    i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
    c_new = f * c + i * g
    h_new = o * tanh(c_new)

    Inputs:
    - x: input at this step, shape (N, D).
    - h: previous hidden state, shape (N, H).
    - c: previous cell state, shape (N, H).
    - W_ih: shape (4H, D); W_hh: shape (4H, H); b_ih, b_hh: shape (4H,) each.

    Returns a tuple of:
    - h_new: next hidden state, shape (N, H).
    - c_new: next cell state, shape (N, H).
    - cache: whatever lstm_cell_backward needs.
    """
    raise NotImplementedError  # your code here


def lstm_cell_backward(dh_new, dc_new, cache):
    """Backward pass of one LSTM step.

    The cell state gets gradient from two places: dc_new directly, and h_new through tanh:
    dc = dc_new + dh_new * o * (1 - tanh(c_new)**2). Then
    dc_prev = dc * f, di = dc * g, df = dc * c, dg = dc * i, do = dh_new * tanh(c_new),
    each gate's pre-activation gradient follows from sigmoid' = s * (1 - s) and
    tanh' = 1 - t**2, and the stacked da (N, 4H) flows into x, h and the weights as in the RNN.

    Inputs:
    - dh_new: upstream gradient of h_new, shape (N, H).
    - dc_new: upstream gradient of c_new, shape (N, H).
    - cache: from lstm_cell_forward.

    Returns a tuple of:
    - dx: shape (N, D).
    - dh: shape (N, H).
    - dc: shape (N, H).
    - dW_ih: shape (4H, D).
    - dW_hh: shape (4H, H).
    - db_ih, db_hh: shape (4H,) each.
    """
    raise NotImplementedError  # your code here


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """An LSTM over a whole sequence: lstm_cell_forward applied at t = 0, ..., T-1.

    (h_0, c_0) = (h0, c0), (h_{t+1}, c_{t+1}) = lstm_cell(x[t], h_t, c_t), hs[t] = h_{t+1}.

    Inputs:
    - x: input sequence, shape (T, N, D).
    - h0, c0: initial hidden and cell states, shape (N, H) each.
    - W_ih, W_hh, b_ih, b_hh: as in lstm_cell_forward.

    Returns a tuple of:
    - hs: hidden state after every step, shape (T, N, H) (the cell states are not returned).
    - cache: whatever lstm_backward needs.
    """
    raise NotImplementedError  # your code here


def lstm_backward(dhs, cache):
    """Backpropagation through time for lstm_forward.

    Both states carry gradient back: h_t gets dhs[t-1] plus the dh of step t, and c_t gets
    the dc of step t (no upstream gradient reaches the cell states from outside). The weight
    gradients are sums over t.

    Inputs:
    - dhs: upstream gradient of hs, shape (T, N, H).
    - cache: from lstm_forward.

    Returns a tuple of:
    - dx: shape (T, N, D).
    - dh0, dc0: shape (N, H) each.
    - dW_ih: shape (4H, D).
    - dW_hh: shape (4H, H).
    - db_ih, db_hh: shape (4H,) each.
    """
    raise NotImplementedError  # your code here
