"""Known mistakes of a5_rnn (rnn.py, lstm.py, gru.py).

Each function is the kind of wrong version students really write. Its source is appended to
the reference file of its task under the task's name, so names such as `rnn_cell_backward`,
`lstm_cell_forward` or `_sigmoid` below resolve to the reference module's own. A backward
receives the reference forward's cache:
- rnn cell: (x, h, W_ih, W_hh, h_new); lstm cell: (x, h, c, W_ih, W_hh, i, f, g, o, tanh(c_new));
  gru cell: (x, h, W_ih, W_hh, r, z, n, gh_n) with gh_n = h @ W_hn.T + b_hn;
- sequences: the list of the cell caches of every step.
"""

import numpy as np

from autograder.checks.common import HINT_MUTATES
from autograder.grading.mistake_registry import mistake
from autograder.runtime.language import N_

HINT_ACCUMULATE = N_(
    "your weight gradients are those of one time step (overwritten at each step): the weights are"
    " shared by every step, so add each step's dW_ih, dW_hh, db_ih, db_hh to running totals"
)
HINT_RECURRENT_DH = N_(
    "you pass dhs[t] alone to the cell backward, so nothing flows back through time: the gradient"
    " reaching h_t is dhs[t] plus the dh from step t+1, so pass dhs[t] + dh"
)

# the two wrong placements of the reset gate give the same numbers when H = 1, so they share a hint
HINT_RESET = N_(
    "your reset gate applies r before the product (W_hn (r * h)) or leaves b_hn outside r: "
    "PyTorch's reset gate multiplies the whole hidden-side term, after the matrix product and "
    "with its bias, n = tanh(W_in x + b_in + r * (W_hn h + b_hn))"
)

# ---- rnn.py --------------------------------------------------------------------------------------


@mistake(
    "rnn_cell_forward",
    hint=N_(
        "you multiply h by W_hh untransposed (h @ W_hh, CS231n's layout): in PyTorch's layout W_hh is "
        "(H, H) with one row per output unit, so the recurrent term is h @ W_hh.T"
    ),
)
def rnn_cell_forward_cs231n_layout(x, h, W_ih, W_hh, b_ih, b_hh):
    h_new = np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh)
    return h_new, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), h_new.copy())


@mistake(
    "rnn_cell_forward",
    hint=N_("you left out b_hh: PyTorch's cells add two biases, x @ W_ih.T + b_ih + h @ W_hh.T + b_hh"),
)
def rnn_cell_forward_without_b_hh(x, h, W_ih, W_hh, b_ih, b_hh):
    h_new = np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)
    return h_new, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), h_new.copy())


@mistake(
    "rnn_cell_backward",
    hint=N_(
        "you forgot the derivative of tanh: the pre-activation's gradient is dh_new * (1 - h_new**2), not dh_new itself"
    ),
)
def rnn_cell_backward_forgets_tanh_derivative(dh_new, cache):
    x, h, W_ih, W_hh, h_new = cache
    da = dh_new
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h, db, db.copy()


@mistake(
    "rnn_cell_backward",
    hint=(
        N_(
            "your dh is da @ W_hh.T: the forward multiplies h by W_hh.T, so the backward multiplies da by"
            " W_hh, dh = da @ W_hh"
        )
    ),
)
def rnn_cell_backward_dh_through_transposed_W_hh(dh_new, cache):
    x, h, W_ih, W_hh, h_new = cache
    da = dh_new * (1 - h_new**2)
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh.T, da.T @ x, da.T @ h, db, db.copy()


@mistake("rnn_forward", hint=N_("your first step starts from zeros: start from the h0 given"))
def rnn_forward_ignores_h0(x, h0, W_ih, W_hh, b_ih, b_hh):
    h, hs, caches = np.zeros_like(h0), [], []
    for x_t in x:
        h, cache = rnn_cell_forward(x_t, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches


@mistake("rnn_backward", hint=HINT_ACCUMULATE)
def rnn_backward_keeps_the_last_weight_gradients(dhs, cache):
    dh = np.zeros_like(dhs[0])
    dxs = []
    for t in reversed(range(len(dhs))):
        dx, dh, dW_ih, dW_hh, db_ih, db_hh = rnn_cell_backward(dhs[t] + dh, cache[t])
        dxs.append(dx)
    return np.stack(dxs[::-1]), dh, dW_ih, dW_hh, db_ih, db_hh


@mistake("rnn_backward", hint=HINT_RECURRENT_DH)
def rnn_backward_drops_the_recurrent_dh(dhs, cache):
    dxs, totals, dh = [], None, None
    for t in reversed(range(len(dhs))):
        dx, dh, *dparams = rnn_cell_backward(dhs[t], cache[t])
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs[::-1]), dh, *totals)


@mistake("rnn_backward", hint=HINT_MUTATES, by_output=False)
def rnn_backward_adds_into_dhs(dhs, cache):
    dxs, totals = [], None
    for t in reversed(range(len(dhs))):
        dx, dh, *dparams = rnn_cell_backward(dhs[t], cache[t])
        if t > 0:
            dhs[t - 1] += dh
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs[::-1]), dh, *totals)


@mistake(
    "clip_grad_norm",
    hint=N_(
        "you clip every gradient by its own norm: clip_grad_norm uses one global norm over all of them, "
        "sqrt(sum of every squared entry), and multiplies every gradient by the same factor"
    ),
)
def clip_grad_norm_per_tensor(grads, max_norm):
    norms = [float(np.sqrt(np.sum(np.square(g, dtype=np.float64)))) for g in grads]
    clipped = [g * min(1.0, max_norm / (norm + 1e-6)) for g, norm in zip(grads, norms)]
    return type(grads)(clipped), float(np.sqrt(sum(norm**2 for norm in norms)))


@mistake(
    "clip_grad_norm",
    hint=N_(
        "you always multiply by max_norm / (total_norm + 1e-6), which scales small gradients up: the "
        "factor is min(1, max_norm / (total_norm + 1e-6)), so gradients below max_norm stay as they are"
    ),
)
def clip_grad_norm_without_the_min(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    return type(grads)(g * (max_norm / (total_norm + 1e-6)) for g in grads), total_norm


@mistake(
    "clip_grad_norm",
    hint=(
        N_(
            "your total_norm is the sum of the gradients' norms: it is the L2 norm of all of them "
            "together, sqrt(sum_k ||g_k||^2)"
        )
    ),
)
def clip_grad_norm_sums_the_norms(grads, max_norm):
    total_norm = float(sum(np.sqrt(np.sum(np.square(g, dtype=np.float64))) for g in grads))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    return type(grads)(g * scale for g in grads), total_norm


@mistake(
    "clip_grad_norm",
    hint=(
        N_(
            "your clipped comes back in another container than grads: return a tuple for a tuple, a list "
            "for a list (type(grads)(...))"
        )
    ),
)
def clip_grad_norm_always_returns_a_list(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    return [g * scale for g in grads], total_norm


@mistake("clip_grad_norm", hint=HINT_MUTATES, by_output=False)
def clip_grad_norm_in_place(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    for g in grads:
        g *= scale
    return grads, total_norm


# ---- lstm.py -------------------------------------------------------------------------------------


@mistake(
    "lstm_cell_forward",
    hint=N_(
        "your gate blocks are in CS231n's order i, f, o, g: PyTorch stacks them i, f, g, o, so rows "
        "2H:3H of the weights belong to the candidate g and rows 3H:4H to the output gate o"
    ),
)
def lstm_cell_forward_cs231n_gate_order(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)
    i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g), _sigmoid(a_o)
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    return o * tanh_c, c_new, (x.copy(), h.copy(), c.copy(), W_ih.copy(), W_hh.copy(), i, f, g, o, tanh_c)


@mistake(
    "lstm_cell_forward",
    hint=N_(
        "your forget gate has no bias: every gate gets its block of b_ih and b_hh, f = sigmoid(x @ W_if.T "
        "+ b_if + h @ W_hf.T + b_hf) with rows H:2H"
    ),
)
def lstm_cell_forward_forget_gate_without_bias(x, h, c, W_ih, W_hh, b_ih, b_hh):
    hidden = h.shape[1]
    bias = (b_ih + b_hh).copy()
    bias[hidden : 2 * hidden] = 0
    a = x @ W_ih.T + h @ W_hh.T + bias
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g), _sigmoid(a_o)
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    return o * tanh_c, c_new, (x.copy(), h.copy(), c.copy(), W_ih.copy(), W_hh.copy(), i, f, g, o, tanh_c)


@mistake("lstm_cell_forward", hint=N_("your h_new leaves out the tanh of the new cell state: h_new = o * tanh(c_new)"))
def lstm_cell_forward_h_without_tanh(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g), _sigmoid(a_o)
    c_new = f * c + i * g
    return o * c_new, c_new, (x.copy(), h.copy(), c.copy(), W_ih.copy(), W_hh.copy(), i, f, g, o, np.tanh(c_new))


@mistake(
    "lstm_cell_backward",
    hint=N_(
        "you dropped the incoming dc_new: the cell state's gradient is dc_new plus what comes through "
        "h_new, dc = dc_new + dh_new * o * (1 - tanh(c_new)**2)"
    ),
)
def lstm_cell_backward_drops_the_incoming_dc(dh_new, dc_new, cache):
    x, h, c, W_ih, W_hh, i, f, g, o, tanh_c = cache
    dc = dh_new * o * (1 - tanh_c**2)
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2), dh_new * tanh_c * o * (1 - o)], axis=1
    )
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, dc * f, da.T @ x, da.T @ h, db, db.copy()


@mistake(
    "lstm_cell_backward",
    hint=(
        N_(
            "you left out the factor (1 - tanh(c_new)**2) on the path from h_new back to c_new: dc = "
            "dc_new + dh_new * o * (1 - tanh(c_new)**2)"
        )
    ),
)
def lstm_cell_backward_forgets_the_tanh_of_c(dh_new, dc_new, cache):
    x, h, c, W_ih, W_hh, i, f, g, o, tanh_c = cache
    dc = dc_new + dh_new * o
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2), dh_new * tanh_c * o * (1 - o)], axis=1
    )
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, dc * f, da.T @ x, da.T @ h, db, db.copy()


@mistake("lstm_forward", hint=N_("your cell state starts from zeros: start from the c0 given"))
def lstm_forward_ignores_c0(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    h, c, hs, caches = h0, np.zeros_like(c0), [], []
    for x_t in x:
        h, c, cache = lstm_cell_forward(x_t, h, c, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches


@mistake(
    "lstm_backward",
    hint=(
        N_(
            "you pass zeros as each step's dc_new, so dc does not flow back through time: each step's "
            "cell backward returns the gradient of c_prev, which is the dc_new of the step before it"
        )
    ),
)
def lstm_backward_drops_dc_through_time(dhs, cache):
    dh = np.zeros_like(dhs[0])
    dxs, totals = [], None
    for t in reversed(range(len(dhs))):
        dx, dh, dc, *dparams = lstm_cell_backward(dhs[t] + dh, np.zeros_like(dh), cache[t])
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs[::-1]), dh, dc, *totals)


# ---- gru.py --------------------------------------------------------------------------------------


@mistake("gru_cell_forward", hint=HINT_RESET)
def gru_cell_forward_reset_before_the_product(x, h, W_ih, W_hh, b_ih, b_hh):
    hidden = h.shape[1]
    gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    gh_r, gh_z, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = _sigmoid(gi_r + gh_r)
    z = _sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + (r * h) @ W_hh[2 * hidden :].T + b_hh[2 * hidden :])
    return (1 - z) * n + z * h, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), r, z, n, gh_n)


@mistake(
    "gru_cell_forward",
    hint=N_("your update gate's mixing is swapped: h_new = (1 - z) * n + z * h (z keeps the old state)"),
)
def gru_cell_forward_update_mix_swapped(x, h, W_ih, W_hh, b_ih, b_hh):
    gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    gh_r, gh_z, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = _sigmoid(gi_r + gh_r)
    z = _sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    return z * n + (1 - z) * h, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), r, z, n, gh_n)


@mistake("gru_cell_forward", hint=HINT_RESET)
def gru_cell_forward_b_hn_outside_the_reset(x, h, W_ih, W_hh, b_ih, b_hh):
    hidden = h.shape[1]
    gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    gh_r, gh_z, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = _sigmoid(gi_r + gh_r)
    z = _sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * (gh_n - b_hh[2 * hidden :]) + b_hh[2 * hidden :])
    return (1 - z) * n + z * h, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), r, z, n, gh_n)


@mistake(
    "gru_cell_backward",
    hint=(
        N_(
            "your dh misses the direct path: h_new = (1 - z) * n + z * h depends on h directly, so dh "
            "gets dh_new * z on top of what flows through the gates"
        )
    ),
)
def gru_cell_backward_misses_the_direct_path(dh_new, cache):
    x, h, W_ih, W_hh, r, z, n, gh_n = cache
    dgi_n = dh_new * (1 - z) * (1 - n**2)
    da_r = dgi_n * gh_n * r * (1 - r)
    da_z = dh_new * (h - n) * z * (1 - z)
    dgi = np.concatenate([da_r, da_z, dgi_n], axis=1)
    dgh = np.concatenate([da_r, da_z, dgi_n * r], axis=1)
    return dgi @ W_ih, dgh @ W_hh, dgi.T @ x, dgh.T @ h, dgi.sum(axis=0), dgh.sum(axis=0)


@mistake(
    "gru_forward",
    hint=(
        N_(
            "you stored the state before reading x[t] (hs starts with h0 and misses the last state): "
            "hs[t] is the state after reading x[t]"
        )
    ),
)
def gru_forward_stores_the_previous_state(x, h0, W_ih, W_hh, b_ih, b_hh):
    h, hs, caches = h0, [], []
    for x_t in x:
        hs.append(h)
        h, cache = gru_cell_forward(x_t, h, W_ih, W_hh, b_ih, b_hh)
        caches.append(cache)
    return np.stack(hs), caches


@mistake(
    "gru_backward",
    hint=N_(
        "your dx is in reverse time order: going backwards through time you collect dx[T-1] first, so "
        "reverse the list (or write dx[t] in place) before returning it"
    ),
)
def gru_backward_dx_in_reverse_order(dhs, cache):
    dh = np.zeros_like(dhs[0])
    dxs, totals = [], None
    for t in reversed(range(len(dhs))):
        dx, dh, *dparams = gru_cell_backward(dhs[t] + dh, cache[t])
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs), dh, *totals)


# ---- more published forms ---------------------------------------------------------------------


@mistake(
    "rnn_cell_backward",
    hint=N_(
        "your cache already holds h_new = tanh(a), and you applied tanh to it again: the local "
        "derivative is 1 - h_new**2, so da = dh_new * (1 - h_new**2)"
    ),
)
def rnn_cell_backward_applies_tanh_again(dh_new, cache):
    x, h, W_ih, W_hh, h_new = cache
    da = dh_new * (1 - np.tanh(h_new) ** 2)
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h, db, db.copy()


@mistake(
    "clip_grad_norm",
    hint=N_(
        "your scale is max_norm / total_norm: torch divides by total_norm + 1e-6, "
        "scale = min(1, max_norm / (total_norm + 1e-6))"
    ),
)
def clip_grad_norm_without_the_epsilon(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    scale = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    return type(grads)(g * scale for g in grads), total_norm


@mistake(
    "lstm_cell_forward",
    hint=N_(
        "your candidate g goes through a sigmoid, like the gates: the candidate cell value is "
        "g = tanh(a_g), in (-1, 1), so that c can decrease as well as increase"
    ),
)
def lstm_cell_forward_candidate_with_sigmoid(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), _sigmoid(a_g), _sigmoid(a_o)
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    h_new = o * tanh_c
    return h_new, c_new, (x.copy(), h.copy(), c.copy(), W_ih.copy(), W_hh.copy(), i, f, g, o, tanh_c)


@mistake(
    "lstm_cell_backward",
    hint=N_("your dc_prev is the whole dc: c_new = f * c + i * g, so the gradient reaching c is dc * f"),
)
def lstm_cell_backward_dc_prev_without_the_forget_gate(dh_new, dc_new, cache):
    x, h, c, W_ih, W_hh, i, f, g, o, tanh_c = cache
    dc = dc_new + dh_new * o * (1 - tanh_c**2)
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2), dh_new * tanh_c * o * (1 - o)], axis=1
    )
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, dc, da.T @ x, da.T @ h, db, db.copy()


@mistake("lstm_backward", hint=HINT_RECURRENT_DH)
def lstm_backward_drops_the_recurrent_dh(dhs, cache):
    dc = np.zeros_like(dhs[0])
    dxs, totals = [], None
    for t in reversed(range(len(dhs))):
        dx, dh, dc, *dparams = lstm_cell_backward(dhs[t], dc, cache[t])
        dxs.append(dx)
        totals = dparams if totals is None else [total + d for total, d in zip(totals, dparams)]
    return (np.stack(dxs[::-1]), dh, dc, *totals)


@mistake(
    "gru_cell_forward",
    hint=N_(
        "you read the gate blocks as (z, r, n), update gate first as some papers write it: PyTorch's "
        "rows of W_ih, W_hh, b_ih and b_hh are ordered (r, z, n), reset gate first"
    ),
)
def gru_cell_forward_update_gate_first(x, h, W_ih, W_hh, b_ih, b_hh):
    gi_z, gi_r, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    gh_z, gh_r, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = _sigmoid(gi_r + gh_r)
    z = _sigmoid(gi_z + gh_z)
    n = np.tanh(gi_n + r * gh_n)
    h_new = (1 - z) * n + z * h
    return h_new, (x.copy(), h.copy(), W_ih.copy(), W_hh.copy(), r, z, n, gh_n)


@mistake("gru_backward", hint=HINT_ACCUMULATE)
def gru_backward_keeps_the_last_weight_gradients(dhs, cache):
    dh = np.zeros_like(dhs[0])
    dxs = []
    for t in reversed(range(len(dhs))):
        dx, dh, dW_ih, dW_hh, db_ih, db_hh = gru_cell_backward(dhs[t] + dh, cache[t])
        dxs.append(dx)
    return np.stack(dxs[::-1]), dh, dW_ih, dW_hh, db_ih, db_hh


@mistake(
    "clip_grad_norm",
    hint=N_(
        "you return the norm after clipping (at most max_norm): total_norm is the norm of the "
        "gradients as given, before any scaling, as torch's clip_grad_norm_ returns it"
    ),
)
def clip_grad_norm_returns_the_clipped_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    return type(grads)(g * scale for g in grads), total_norm * scale
