"""a5 gru -- one weight slice per gate, gradients written out gate by gate."""
import numpy as np


def _sigmoid(a):
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _rows(k, H):
    return slice(k * H, (k + 1) * H)


def gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    R, Z, NN = _rows(0, H), _rows(1, H), _rows(2, H)
    r = _sigmoid(x @ W_ih[R].T + b_ih[R] + h @ W_hh[R].T + b_hh[R])
    z = _sigmoid(x @ W_ih[Z].T + b_ih[Z] + h @ W_hh[Z].T + b_hh[Z])
    hn = h @ W_hh[NN].T + b_hh[NN]
    n = np.tanh(x @ W_ih[NN].T + b_ih[NN] + r * hn)
    h_new = n + z * (h - n)
    cache = {"x": x.copy(), "h": h.copy(), "W_ih": W_ih.copy(), "W_hh": W_hh.copy(),
             "r": r, "z": z, "n": n, "hn": hn}
    return h_new, cache


def gru_cell_backward(dh_new, cache):
    x, h, W_ih, W_hh = cache["x"], cache["h"], cache["W_ih"], cache["W_hh"]
    r, z, n, hn = cache["r"], cache["z"], cache["n"], cache["hn"]
    H = h.shape[1]
    R, Z, NN = _rows(0, H), _rows(1, H), _rows(2, H)
    dn = dh_new * (1.0 - z)
    dz = dh_new * (h - n)
    dh = dh_new * z
    dpre_n = dn * (1.0 - n * n)
    dr = dpre_n * hn
    dhn = dpre_n * r
    dpre_r = dr * r * (1.0 - r)
    dpre_z = dz * z * (1.0 - z)

    dW_ih = np.zeros_like(W_ih)
    dW_hh = np.zeros_like(W_hh)
    db_ih = np.zeros(W_ih.shape[0], dtype=W_ih.dtype)
    db_hh = np.zeros(W_hh.shape[0], dtype=W_hh.dtype)
    dx = np.zeros_like(x)
    for rows, d_in, d_hid in ((R, dpre_r, dpre_r), (Z, dpre_z, dpre_z), (NN, dpre_n, dhn)):
        dW_ih[rows] = d_in.T @ x
        dW_hh[rows] = d_hid.T @ h
        db_ih[rows] = d_in.sum(axis=0)
        db_hh[rows] = d_hid.sum(axis=0)
        dx = dx + d_in @ W_ih[rows]
        dh = dh + d_hid @ W_hh[rows]
    return dx, dh, dW_ih, dW_hh, db_ih, db_hh


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    T, N = x.shape[0], x.shape[1]
    hs = np.zeros((T, N, h0.shape[1]), dtype=x.dtype)
    steps = []
    h = h0
    for t in range(T):
        h, step = gru_cell_forward(x[t], h, W_ih, W_hh, b_ih, b_hh)
        hs[t] = h
        steps.append(step)
    return hs, steps


def gru_backward(dhs, cache):
    T = len(cache)
    first = cache[0]
    dx = np.zeros((T,) + first["x"].shape, dtype=dhs.dtype)
    dW_ih = np.zeros_like(first["W_ih"])
    dW_hh = np.zeros_like(first["W_hh"])
    db_ih = np.zeros(first["W_ih"].shape[0], dtype=dhs.dtype)
    db_hh = np.zeros(first["W_hh"].shape[0], dtype=dhs.dtype)
    dh_next = np.zeros_like(dhs[0])
    for t in range(T - 1, -1, -1):
        dx[t], dh_next, dWi, dWh, dbi, dbh = gru_cell_backward(dhs[t] + dh_next, cache[t])
        dW_ih += dWi
        dW_hh += dWh
        db_ih += dbi
        db_hh += dbh
    return dx, dh_next, dW_ih, dW_hh, db_ih, db_hh
