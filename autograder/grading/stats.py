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
  this covers uniform draws, their squares, and counts of kept units (a binomial count);
- the whole distribution: the empirical CDF F_n of n independent draws of F stays within
  sqrt(ln(2/failure) / (2n)) of F everywhere but for probability `failure`, by the
  Dvoretzky-Kiefer-Wolfowitz inequality with Massart's (1990) constant,
  P(sup_x |F_n(x) - F(x)| > eps) <= 2 exp(-2 n eps^2) (it needs 2 exp(-2 n eps^2) <= 1, which
  any failure below 1 gives); a sampler with a few values, or the right moments in the wrong
  shape, leaves F_n a constant distance from F and fails for n large enough;
- independence: two independent bits that are 1 with the same probability q agree with
  probability q^2 + (1 - q)^2, so the agreements between the entries of a bit array and the
  entries a fixed shift away are counted at every shift at once (shift_agreements), each count
  held by Hoeffding (agreement_bounds): a mask or sampler that repeats, mirrors or tiles itself
  across rows, columns or calls agrees too often (or too rarely) at the shift of its pattern.

Checks combine a few such tests; by the union bound their false-failure probability is at most
the sum of the parts, so FAILURE below keeps a check with up to 10 tests under 1e-6.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

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
    log_pmf = [
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)
        for k in range(n + 1)
    ]

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


def dkw_halfwidth(n: int, failure: float = FAILURE) -> float:
    """eps with P(sup_x |F_n(x) - F(x)| > eps) <= failure for the empirical CDF F_n of n
    independent draws of F: the Dvoretzky-Kiefer-Wolfowitz-Massart bound 2 exp(-2 n eps^2)."""
    return math.sqrt(math.log(2.0 / failure) / (2.0 * n))


class Distance(NamedTuple):
    """Where the empirical CDF of some draws is farthest from a target CDF."""

    distance: float  # sup_x |F_n(x) - F(x)|
    x: float  # where it is reached
    share: float  # of the draws below x (at or below x when inclusive)
    expected: float  # F(x)
    inclusive: bool


def ks_distance(draws: np.ndarray, cdf) -> Distance:
    """The Kolmogorov-Smirnov distance between the empirical CDF F_n of draws (any shape, pooled)
    and the vectorised CDF cdf: sup_x |F_n(x) - F(x)|, reached at a draw x, from above
    (F_n(x) - F(x)) or from below (F(x) - F_n(x^-), the share strictly below x)."""
    x = np.sort(np.ravel(draws))
    n = x.size
    target = cdf(x)
    above = np.arange(1, n + 1) / n - target  # F_n(x_i) - F(x_i): largest at the last of tied draws
    below = target - np.arange(n) / n  # F(x_i) - F_n(x_i^-): largest at the first of tied draws
    i, j = int(np.argmax(above)), int(np.argmax(below))
    if above[i] >= below[j]:
        return Distance(float(above[i]), float(x[i]), (i + 1) / n, float(target[i]), True)
    return Distance(float(below[j]), float(x[j]), j / n, float(target[j]), False)


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """The standard normal CDF, entry by entry (math.erfc: no scipy)."""
    return 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-np.asarray(z, dtype=np.float64) / math.sqrt(2.0))


def shift_agreements(bits: np.ndarray, other: np.ndarray | None = None):
    """Agreements of a 2-D boolean array (N, D) with itself, or with other (N, D), at every shift.

    Returns (shifts, agree, pairs): shifts (T, 2) of (a, b); agree (T,) the number of equal pairs
    (bits[i, j], other[i + a, j + b]) over the pairs (T,) = (N - |a|) (D - |b|) inside the array.
    Without other, the shifts with a > 0, or a = 0 and b > 0 (an entry never meets itself, each
    pair counts once); with other, every shift. One zero-padded FFT counts them all."""
    first = 2.0 * np.asarray(bits, dtype=np.float64) - 1.0  # agree - disagree = sum of products
    second = first if other is None else 2.0 * np.asarray(other, dtype=np.float64) - 1.0
    n, d = first.shape
    padded = (2 * n, 2 * d)  # no wrap-around for |a| < n, |b| < d
    products = np.fft.irfft2(np.conj(np.fft.rfft2(first, padded)) * np.fft.rfft2(second, padded), padded)
    a, b = np.meshgrid(np.arange(-(n - 1), n), np.arange(-(d - 1), d), indexing="ij")
    keep = (a > 0) | ((a == 0) & (b > 0)) if other is None else np.ones(a.shape, dtype=bool)
    a, b = a[keep], b[keep]  # flat: each shift once (within one array, a shift and its opposite pair alike)
    pairs = (n - np.abs(a)) * (d - np.abs(b))
    agree = np.rint((pairs + products[a % padded[0], b % padded[1]]) / 2).astype(np.int64)
    return np.stack([a, b], axis=1), agree, pairs


def agreement_bounds(
    pairs: np.ndarray, chance: float, failure: float = FAILURE, *, within: bool
) -> tuple[np.ndarray, np.ndarray]:
    """[low, high] per shift holding every agreement count of shift_agreements at once but for
    probability `failure`, for bits drawn independently that agree with probability `chance`.

    Across two independent arrays (within=False) the pairs of one shift are disjoint, so their
    agreements are independent: Hoeffding, half-width sqrt(m ln(2T / failure) / 2) for m pairs
    and T shifts. Within one array (within=True) an entry meets the entries one shift before and
    after it: the pairs form chains, whose alternate links are two sets of disjoint pairs (m1 + m2
    = m); Hoeffding on each at failure / (2T) gives sqrt(m_k ln(4T / failure) / 2), and their sum
    is at most sqrt(m ln(4T / failure)). The union bound over the T shifts gives `failure`."""
    tests = pairs.size
    if within:
        half = np.sqrt(pairs * math.log(4.0 * tests / failure))
    else:
        half = np.sqrt(pairs * math.log(2.0 * tests / failure) / 2.0)
    return chance * pairs - half, chance * pairs + half


def farthest_outside(counts: np.ndarray, low: np.ndarray, high: np.ndarray) -> int | None:
    """The index of the count farthest outside its interval [low, high], measured in the
    interval's half-widths; None when every count is inside."""
    half = (high - low) / 2
    excess = (np.abs(counts - (low + high) / 2) - half) / half
    worst = int(np.argmax(excess))
    return worst if excess[worst] > 0 else None
