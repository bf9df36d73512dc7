"""A Dropout layer that always drops exactly one unit (a random one) and scales the rest by
1 / (1 - p): every output is 0 or x / (1 - p), some units are kept and some dropped, backward
uses the mask and eval() is the identity; but the share it drops is not p."""
import numpy as np


class Module:
    def __init__(self):
        self.training = True

    def __call__(self, x):
        return self.forward(x)

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)


class Dropout(Module):
    def __init__(self, p=0.5, *, rng):
        super().__init__()
        self.p, self.rng = p, rng

    def forward(self, x):
        if not self.training:
            self.mask, self.scale = np.ones(x.shape, dtype=bool), 1.0
            return x.copy()
        self.mask, self.scale = np.ones(x.size, dtype=bool), 1 / (1 - self.p)
        self.mask[self.rng.integers(x.size)] = False
        self.mask = self.mask.reshape(x.shape)
        return np.where(self.mask, x * self.scale, 0.0)

    def backward(self, dout):
        return np.where(self.mask, dout * self.scale, 0.0)
