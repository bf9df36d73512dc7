"""a5 lstm -- stacked [x, h] weights, a log-sum-exp sigmoid, time-vectorised BPTT."""
import numpy as np


def _sigmoid(a):
    return np.exp(-np.logaddexp(0, -a))


def _gates(a, H):
    return _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), _sigmoid(a[:, 3 * H:])


def lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    xh = np.concatenate([x, h], axis=1)
    W = np.concatenate([W_ih, W_hh], axis=1)
    i, f, g, o = _gates(xh @ W.T + (b_ih + b_hh), H)
    c_new = f * c + i * g
    h_new = o * np.tanh(c_new)
    return h_new, c_new, (xh, W, c.copy(), np.stack([i, f, g, o]), c_new.copy(), x.shape[1])


def _gate_grads(dh, dc, c, gates, c_new):
    """Gradients of the stacked pre-activations (N, 4H) and of c_prev for one step."""
    i, f, g, o = gates
    tc = np.tanh(c_new)
    dc = dc + dh * o * (1 - tc**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2),
                         dh * tc * o * (1 - o)], axis=1)
    return da, dc * f


def lstm_cell_backward(dh_new, dc_new, cache):
    xh, W, c, gates, c_new, d = cache
    da, dc = _gate_grads(dh_new, dc_new, c, gates, c_new)
    dxh = da @ W
    dW = da.T @ xh
    db = da.sum(axis=0)
    return dxh[:, :d], dxh[:, d:], dc, dW[:, :d], dW[:, d:], db, db.copy()


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    H = h0.shape[1]
    projected = np.einsum("tnd,gd->tng", x, W_ih) + (b_ih + b_hh)
    hs = np.empty(projected.shape[:2] + (H,), dtype=projected.dtype)
    cs = np.empty_like(hs)
    gates = np.empty((len(x), 4) + hs.shape[1:], dtype=projected.dtype)
    h, c = h0, c0
    for t in range(len(x)):
        gates[t] = _gates(projected[t] + h @ W_hh.T, H)
        i, f, g, o = gates[t]
        c = f * c + i * g
        h = o * np.tanh(c)
        hs[t], cs[t] = h, c
    return hs, (x.copy(), h0.copy(), c0.copy(), W_ih.copy(), W_hh.copy(), hs.copy(), cs, gates)


def lstm_backward(dhs, cache):
    x, h0, c0, W_ih, W_hh, hs, cs, gates = cache
    previous_h = np.concatenate([h0[None], hs[:-1]], axis=0)
    previous_c = np.concatenate([c0[None], cs[:-1]], axis=0)
    das = np.empty(dhs.shape[:2] + (W_hh.shape[0],), dtype=dhs.dtype)
    dh, dc = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(len(x))):
        das[t], dc = _gate_grads(dhs[t] + dh, dc, previous_c[t], gates[t], cs[t])
        dh = das[t] @ W_hh
    dx = das @ W_ih
    dW_ih = np.einsum("tng,tnd->gd", das, x)
    dW_hh = np.einsum("tng,tnk->gk", das, previous_h)
    db = das.sum(axis=(0, 1))
    return dx, dh, dc, dW_ih, dW_hh, db, db.copy()
