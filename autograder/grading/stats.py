"""Acceptance intervals for grading random functions, with a proven false-failure bound.

A correct sampler must pass every time but for a probability `failure` per test, whatever
recipe it uses; so every interval here comes from an exact distribution or a distribution-free
tail bound, never from a normal approximation:

- the mean of n draws of N(mu, sigma^2) is exactly N(mu, sigma^2/n), and the Gaussian tail
  P(|Z| >= z) <= 2 exp(-z^2 / 2) gives z = sqrt(2 ln(2/failure));
- sum((x - mu)^2) / sigma^2 over n normal draws is exactly chi-square with n degrees of freedom,
  bounded on both sides by Laurent and Massart (2000, Lemma 1):
  P(X - k >= 2 sqrt(k t) + 2t) <= e^-t and P(k - X >= 2 sqrt(k t)) <= e^-t, t = ln(2/failure);
- the mean of n independent values in an interval of width w is within
  w sqrt(ln(2/failure) / (2n)) of its expectation but for probability `failure` (Hoeffding);
  this covers uniform draws, their squares, and counts of kept units (a binomial count).

Checks combine a few such tests; by the union bound their false-failure probability is at most
the sum of the parts, so FAILURE below keeps a check with up to 10 tests under 1e-6.
"""
from __future__ import annotations

import math

FAILURE = 1e-7  # per test


def normal_mean_halfwidth(n: int, std: float, failure: float = FAILURE) -> float:
    """Half-width of the interval that holds the mean of n N(mu, std^2) draws."""
    return std * math.sqrt(2.0 * math.log(2.0 / failure)) / math.sqrt(n)


def chi2_interval(k: int, failure: float = FAILURE) -> tuple[float, float]:
    """Interval that holds a chi-square variable with k degrees of freedom."""
    t = math.log(2.0 / failure)
    return max(0.0, k - 2.0 * math.sqrt(k * t)), k + 2.0 * math.sqrt(k * t) + 2.0 * t


def hoeffding_halfwidth(n: int, width: float, failure: float = FAILURE) -> float:
    """Half-width of the interval that holds the mean of n independent values in [a, a + width]."""
    return width * math.sqrt(math.log(2.0 / failure) / (2.0 * n))


def count_interval(n: int, p: float, failure: float = FAILURE) -> tuple[float, float]:
    """Interval that holds the number of successes in n independent trials of probability p."""
    half = n * hoeffding_halfwidth(n, 1.0, failure)
    return n * p - half, n * p + half


def binomial_interval(n: int, p: float, failure: float = FAILURE) -> tuple[int, int]:
    """[lo, hi] holding the number of successes in n independent trials of probability p
    (0 < p < 1) but for probability `failure`, each tail at most failure / 2, summed from the
    exact binomial probabilities (tighter than count_interval's Hoeffding bound)."""
    log_pmf = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
               + k * math.log(p) + (n - k) * math.log1p(-p) for k in range(n + 1)]

    def first_kept(order):
        tail = 0.0
        for k in order:
            tail += math.exp(log_pmf[k])
            if tail > failure / 2:
                return k
        return order[-1]

    return first_kept(range(n + 1)), first_kept(range(n, -1, -1))


def uniform_gap(n: int, failure: float = FAILURE) -> float:
    """The fraction g of an interval such that n independent uniform draws on it all miss its
    last g (or its first g) with probability (1 - g)^n = failure: a correct uniform sampler
    reaches within g * width of each end but for probability `failure` per end."""
    return -math.expm1(math.log(failure) / n)


def lipschitz_halfwidth(lipschitz: float, failure: float = FAILURE) -> float:
    """Half-width t with P(|F(X) - E F(X)| >= t) <= failure for any F that is `lipschitz`-
    Lipschitz (Euclidean norm) in a vector X of independent N(0, 1) entries: Gaussian
    concentration (Tsirelson-Ibragimov-Sudakov), P(|F - E F| >= t) <= 2 exp(-t^2 / (2 L^2))."""
    return lipschitz * math.sqrt(2.0 * math.log(2.0 / failure))
