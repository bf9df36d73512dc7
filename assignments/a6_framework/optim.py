"""Optimizers over a list of Parameters, applying your a1 update rules (torch.optim-style).

An optimizer keeps one state dict per parameter; `step()` replaces every `param.data` by the
rule's update from `param.grad`, and `zero_grad()` resets every `param.grad` to zeros.
"""
import numpy as np

from ..a1_optimizers.optimizers import adam, adamw, momentum, sgd


class Optimizer:
    """Applies `rule(w, dw, state, **hyperparameters)` to each parameter in turn.

    Inputs:
    - params: an iterable of Parameter (for example `model.parameters()`).
    - hyperparameters: keyword arguments passed to the rule at every step (lr, ...).
    """

    rule = None  # set by each subclass to one of the a1 functions

    def __init__(self, params, **hyperparameters):
        self.params = list(params)
        self.hyperparameters = hyperparameters
        self.states = [{} for _ in self.params]

    def step(self):
        """One update of every parameter from its current grad."""
        raise NotImplementedError  # your code here

    def zero_grad(self):
        """Reset the grad of every parameter to zeros."""
        raise NotImplementedError  # your code here


class SGD(Optimizer):
    """a1's sgd: w -= lr * (dw + weight_decay * w)."""

    rule = staticmethod(sgd)

    def __init__(self, params, *, lr=1e-2, weight_decay=0.0):
        raise NotImplementedError  # your code here


class Momentum(Optimizer):
    """a1's momentum (torch's SGD with momentum=mu)."""

    rule = staticmethod(momentum)

    def __init__(self, params, *, lr=1e-2, mu=0.9):
        raise NotImplementedError  # your code here


class Adam(Optimizer):
    """a1's adam, with bias correction."""

    rule = staticmethod(adam)

    def __init__(self, params, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        raise NotImplementedError  # your code here


class AdamW(Optimizer):
    """a1's adamw, with decoupled weight decay."""

    rule = staticmethod(adamw)

    def __init__(self, params, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        raise NotImplementedError  # your code here
