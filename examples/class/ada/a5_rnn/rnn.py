"""a5 rnn -- a student who writes every gradient as its own line and accumulates with +=."""
import numpy as np


def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    pre = np.dot(x, W_ih.T) + np.dot(h, W_hh.T)
    pre = pre + b_ih
    pre = pre + b_hh
    h_new = np.tanh(pre)
    cache = {"x": x.copy(), "h": h.copy(), "W_ih": W_ih.copy(), "W_hh": W_hh.copy(), "h_new": h_new.copy()}
    return h_new, cache


def rnn_cell_backward(dh_new, cache):
    dpre = dh_new * (1.0 - cache["h_new"] * cache["h_new"])
    dx = np.dot(dpre, cache["W_ih"])
    dh = np.dot(dpre, cache["W_hh"])
    dW_ih = np.dot(dpre.T, cache["x"])
    dW_hh = np.dot(dpre.T, cache["h"])
    db_ih = np.sum(dpre, axis=0)
    db_hh = np.sum(dpre, axis=0)
    return dx, dh, dW_ih, dW_hh, db_ih, db_hh


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    T, N = x.shape[0], x.shape[1]
    H = W_hh.shape[1]
    hs = np.zeros((T, N, H), dtype=x.dtype)
    steps = []
    h = h0
    for t in range(T):
        h, step = rnn_cell_forward(x[t], h, W_ih, W_hh, b_ih, b_hh)
        hs[t] = h
        steps.append(step)
    return hs, {"steps": steps, "x_shape": x.shape, "W_ih": W_ih.shape, "W_hh": W_hh.shape}


def rnn_backward(dhs, cache):
    steps = cache["steps"]
    dtype = dhs.dtype
    dx = np.zeros(cache["x_shape"], dtype=dtype)
    dW_ih = np.zeros(cache["W_ih"], dtype=dtype)
    dW_hh = np.zeros(cache["W_hh"], dtype=dtype)
    db_ih = np.zeros(cache["W_ih"][0], dtype=dtype)
    db_hh = np.zeros(cache["W_hh"][0], dtype=dtype)
    dh_next = np.zeros(dhs.shape[1:], dtype=dtype)
    for t in range(len(steps) - 1, -1, -1):
        dx_t, dh_next, dWi, dWh, dbi, dbh = rnn_cell_backward(dhs[t] + dh_next, steps[t])
        dx[t] = dx_t
        dW_ih += dWi
        dW_hh += dWh
        db_ih += dbi
        db_hh += dbh
    return dx, dh_next, dW_ih, dW_hh, db_ih, db_hh


def clip_grad_norm(grads, max_norm):
    if len(grads) == 0:
        total_norm = 0.0
    else:
        flat = np.concatenate([np.ravel(g) for g in grads])
        total_norm = float(np.linalg.norm(flat))
    clip_coef = max_norm / (total_norm + 1e-6)
    if clip_coef > 1.0:
        clip_coef = 1.0
    clipped = [g * clip_coef for g in grads]
    if isinstance(grads, tuple):
        clipped = tuple(clipped)
    return clipped, total_norm
