"""a5 lstm -- one weight slice per gate, a branchy stable sigmoid, a dict cache."""
import numpy as np


def _sigmoid(a):
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _gate(x, h, W_ih, W_hh, b_ih, b_hh, k, H):
    rows = slice(k * H, (k + 1) * H)
    return x @ W_ih[rows].T + b_ih[rows] + h @ W_hh[rows].T + b_hh[rows]


def lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    i = _sigmoid(_gate(x, h, W_ih, W_hh, b_ih, b_hh, 0, H))
    f = _sigmoid(_gate(x, h, W_ih, W_hh, b_ih, b_hh, 1, H))
    g = np.tanh(_gate(x, h, W_ih, W_hh, b_ih, b_hh, 2, H))
    o = _sigmoid(_gate(x, h, W_ih, W_hh, b_ih, b_hh, 3, H))
    c_new = f * c + i * g
    h_new = o * np.tanh(c_new)
    cache = {"x": x.copy(), "h": h.copy(), "c": c.copy(), "W_ih": W_ih.copy(), "W_hh": W_hh.copy(),
             "i": i, "f": f, "g": g, "o": o, "c_new": c_new.copy()}
    return h_new, c_new, cache


def lstm_cell_backward(dh_new, dc_new, cache):
    i, f, g, o = cache["i"], cache["f"], cache["g"], cache["o"]
    tc = np.tanh(cache["c_new"])
    do = dh_new * tc
    dc = dc_new + dh_new * o * (1.0 - tc * tc)
    di = dc * g
    df = dc * cache["c"]
    dg = dc * i
    dc_prev = dc * f
    H = i.shape[1]
    W_ih, W_hh = cache["W_ih"], cache["W_hh"]
    dW_ih = np.zeros_like(W_ih)
    dW_hh = np.zeros_like(W_hh)
    db = np.zeros(4 * H, dtype=W_ih.dtype)
    dx = np.zeros_like(cache["x"])
    dh = np.zeros_like(cache["h"])
    local = [di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g * g), do * o * (1.0 - o)]
    for k in range(4):
        rows = slice(k * H, (k + 1) * H)
        da = local[k]
        dW_ih[rows] = da.T @ cache["x"]
        dW_hh[rows] = da.T @ cache["h"]
        db[rows] = da.sum(axis=0)
        dx += da @ W_ih[rows]
        dh += da @ W_hh[rows]
    return dx, dh, dc_prev, dW_ih, dW_hh, db, db.copy()


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    T, N = x.shape[0], x.shape[1]
    H = h0.shape[1]
    hs = np.zeros((T, N, H), dtype=x.dtype)
    steps = []
    h, c = h0, c0
    for t in range(T):
        h, c, step = lstm_cell_forward(x[t], h, c, W_ih, W_hh, b_ih, b_hh)
        hs[t] = h
        steps.append(step)
    return hs, steps


def lstm_backward(dhs, cache):
    T = len(cache)
    first = cache[0]
    dx = np.zeros((T,) + first["x"].shape, dtype=dhs.dtype)
    dW_ih = np.zeros_like(first["W_ih"])
    dW_hh = np.zeros_like(first["W_hh"])
    db_ih = np.zeros(first["W_ih"].shape[0], dtype=dhs.dtype)
    db_hh = np.zeros(first["W_ih"].shape[0], dtype=dhs.dtype)
    dh_next = np.zeros_like(dhs[0])
    dc_next = np.zeros_like(dhs[0])
    for t in range(T - 1, -1, -1):
        dx[t], dh_next, dc_next, dWi, dWh, dbi, dbh = lstm_cell_backward(dhs[t] + dh_next, dc_next, cache[t])
        dW_ih += dWi
        dW_hh += dWh
        db_ih += dbi
        db_hh += dbh
    return dx, dh_next, dc_next, dW_ih, dW_hh, db_ih, db_hh
