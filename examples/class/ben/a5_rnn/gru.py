"""a5 gru -- input and hidden projections kept apart, time-vectorised BPTT."""
import numpy as np


def _sigmoid(a):
    return np.exp(-np.logaddexp(0, -a))


def _step(gi, h, W_hh, b_hh):
    """One GRU step from the input projection gi (N, 3H): h_new and what the backward needs."""
    H = h.shape[1]
    gh = h @ W_hh.T + b_hh
    rz = _sigmoid(gi[:, :2 * H] + gh[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return z * h + (1 - z) * n, (r, z, n, gh[:, 2 * H:])


def _step_grads(dh_new, h, saved, W_hh):
    """Gradients of the input projection (N, 3H), the hidden projection (N, 3H) and h."""
    r, z, n, hn = saved
    dpre_n = dh_new * (1 - z) * (1 - n * n)
    drz = np.concatenate([dpre_n * hn * r * (1 - r), dh_new * (h - n) * z * (1 - z)], axis=1)
    dgi = np.concatenate([drz, dpre_n], axis=1)
    dgh = np.concatenate([drz, dpre_n * r], axis=1)
    return dgi, dgh, dgh @ W_hh + dh_new * z


def gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    h_new, saved = _step(x @ W_ih.T + b_ih, h, W_hh, b_hh)
    return h_new, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), saved)


def gru_cell_backward(dh_new, cache):
    x, h, W_ih, W_hh, saved = cache
    dgi, dgh, dh = _step_grads(dh_new, h, saved, W_hh)
    return dgi @ W_ih, dh, dgi.T @ x, dgh.T @ h, dgi.sum(axis=0), dgh.sum(axis=0)


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    gis = np.einsum("tnd,gd->tng", x, W_ih) + b_ih
    hs = np.empty(x.shape[:2] + h0.shape[1:], dtype=gis.dtype)
    saved = []
    h = h0
    for t in range(len(x)):
        h, kept = _step(gis[t], h, W_hh, b_hh)
        hs[t] = h
        saved.append(kept)
    return hs, (x.copy(), h0.copy(), W_ih.copy(), W_hh.copy(), hs.copy(), saved)


def gru_backward(dhs, cache):
    x, h0, W_ih, W_hh, hs, saved = cache
    previous = np.concatenate([h0[None], hs[:-1]], axis=0)
    dgis = np.empty(dhs.shape[:2] + (W_ih.shape[0],), dtype=dhs.dtype)
    dghs = np.empty_like(dgis)
    dh = np.zeros_like(h0)
    for t in reversed(range(len(x))):
        dgis[t], dghs[t], dh = _step_grads(dhs[t] + dh, previous[t], saved[t], W_hh)
    dx = dgis @ W_ih
    dW_ih = np.einsum("tng,tnd->gd", dgis, x)
    dW_hh = np.einsum("tng,tnk->gk", dghs, previous)
    return dx, dh, dW_ih, dW_hh, dgis.sum(axis=(0, 1)), dghs.sum(axis=(0, 1))
