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
        # BEGIN SOLUTION
        rule = type(self).rule
        for i, param in enumerate(self.params):
            param.data, self.states[i] = rule(param.data, param.grad, self.states[i], **self.hyperparameters)
        # END SOLUTION

    def zero_grad(self):
        """Reset the grad of every parameter to zeros."""
        # BEGIN SOLUTION
        for param in self.params:
            param.grad = np.zeros_like(param.data)
        # END SOLUTION


class SGD(Optimizer):
    """a1's sgd: w -= lr * (dw + weight_decay * w)."""

    rule = staticmethod(sgd)

    def __init__(self, params, *, lr=1e-2, weight_decay=0.0):
        # BEGIN SOLUTION
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        # END SOLUTION


class Momentum(Optimizer):
    """a1's momentum (torch's SGD with momentum=mu)."""

    rule = staticmethod(momentum)

    def __init__(self, params, *, lr=1e-2, mu=0.9):
        # BEGIN SOLUTION
        super().__init__(params, lr=lr, mu=mu)
        # END SOLUTION


class Adam(Optimizer):
    """a1's adam, with bias correction."""

    rule = staticmethod(adam)

    def __init__(self, params, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        # BEGIN SOLUTION
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        # END SOLUTION


class AdamW(Optimizer):
    """a1's adamw, with decoupled weight decay."""

    rule = staticmethod(adamw)

    def __init__(self, params, *, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        # BEGIN SOLUTION
        super().__init__(params, lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)
        # END SOLUTION
