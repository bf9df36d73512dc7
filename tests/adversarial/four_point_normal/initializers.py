"""normal(shape, mean, std) with four values: mean +- 2.5 std shared so that P(|x - mean| > 2 std)
is that of a normal distribution, and mean +- u std with u chosen so that the variance is std^2."""
import math

import numpy as np

TAIL = math.erfc(math.sqrt(2.0))  # P(|Z| > 2)
FAR = 2.5
NEAR = math.sqrt((1 - TAIL * FAR**2) / (1 - TAIL))


def normal(shape, mean=0.0, std=1.0, *, rng):
    magnitude = np.where(rng.random(shape) < TAIL, FAR, NEAR)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return mean + std * sign * magnitude
