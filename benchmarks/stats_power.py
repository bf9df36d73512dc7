"""The statistical tests of random functions: the false-failure bound each is built on, how often
correct recipes fail it (observed), and how often it rejects each fake (its power), over many
seeds, at the sizes the checks use.

    python benchmarks/stats_power.py [--seeds 200]

The fakes are the adversarial submissions in tests/adversarial/ (discrete_uniform_sampler,
four_point_normal, signed_permutation_orthogonal, block_dropout_mask, fixed_count_dropout_layer,
formula_activation_stds) and a few more structured ones written here: a sampler that repeats its
first row, an antithetic sampler (every draw followed by its mirror image), a dropout that reuses
one mask on every call.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from autograder.checks import a2_initializers as a2
from autograder.checks import a3_regularization as a3
from autograder.grading import stats
from autograder.grading.failure import CheckFailure
from autograder.probes import build
from solutions.a2_initializers import initializers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import load_attack as attack  # noqa: E402 - the fakes live with the tests

PROBABILITIES = (0.1, 0.25, 0.5, 0.75, 0.9)  # the drop probabilities the dropout checks draw


def rate(rejects, seeds: int) -> str:
    return f"{sum(bool(rejects(seed)) for seed in range(seeds)) / seeds:6.1%}"


def pooled(sampler, shape, target, seed):
    """The draws a sampler check pools for one case: (calls, size), one independent rng per call."""
    return np.stack(
        [
            np.asarray(sampler(shape, np.random.default_rng((seed, k)))).ravel()
            for k in range(a2._calls_for(shape, target))
        ]
    )


def samplers(seeds: int) -> None:
    uniform_fake = attack("discrete_uniform_sampler", "initializers.py").uniform
    normal_fake = attack("four_point_normal", "initializers.py").normal
    lo, hi, mu, sigma = -2.0, 0.5, 1.5, 0.3

    def repeated_rows(draw):
        return lambda shape, rng: np.broadcast_to(draw((1,) + shape[1:], rng), shape)

    def antithetic(centre, draw):
        def sample(shape, rng):
            half = draw((math.prod(shape) + 1) // 2, rng)
            return np.stack([half, 2 * centre - half], axis=1).ravel()[: math.prod(shape)].reshape(shape)

        return sample

    uniform_draw = lambda shape, rng: rng.uniform(lo, hi, shape)  # noqa: E731
    normal_draw = lambda shape, rng: rng.normal(mu, sigma, shape)  # noqa: E731
    rows = [
        (
            "U(-2, 0.5)",
            a2.Uniform(lo, hi),
            {
                "correct: rng.uniform": uniform_draw,
                "fake: three values": lambda shape, rng: uniform_fake(shape, lo, hi, rng=rng),
                "fake: repeats its first row": repeated_rows(uniform_draw),
                "fake: antithetic pairs": antithetic((lo + hi) / 2, uniform_draw),
            },
        ),
        (
            "N(1.5, 0.3^2)",
            a2.Normal(mu, sigma),
            {
                "correct: rng.normal": normal_draw,
                "fake: four values": lambda shape, rng: normal_fake(shape, mu, sigma, rng=rng),
                "fake: repeats its first row": repeated_rows(normal_draw),
                "fake: antithetic pairs": antithetic(mu, normal_draw),
            },
        ),
    ]
    ks_bound = {kind: stats.dkw_halfwidth(n, a2.FAILURE) for kind, n in a2.N_DRAWS.items()}
    print(
        "a2 samplers: the whole distribution (Kolmogorov-Smirnov, DKW: P(sup|F_n - F| > eps) <= "
        f"2 exp(-2 n eps^2) = {a2.FAILURE:g}; eps = {ks_bound['uniform']:.3f} at n = {a2.N_DRAWS['uniform']}, "
        f"{ks_bound['normal']:.3f} at n = {a2.N_DRAWS['normal']}) and independence (agreements of the sides of "
        f"the centre at every shift, Hoeffding on chains, {a2.FAILURE:g} for all shifts at once)"
    )
    print(f"  {'target':14} {'shape':9} {'sampler':30} {'KS rejects':>10} {'indep. rejects':>14} {'check fails':>11}")
    for name, target, recipes in rows:
        for shape in ((16,), (8, 8)):
            for recipe, sampler in recipes.items():

                def draws(seed, sampler=sampler, shape=shape, target=target):
                    return pooled(sampler, shape, target, seed)

                problem = a2._uniform_problem if isinstance(target, a2.Uniform) else a2._normal_problem

                def shape_fails(s, draws=draws, target=target):
                    return a2._shape_problem(draws(s), target)

                def dependence_fails(s, draws=draws, target=target):
                    return a2._dependence_problem(draws(s), target)

                def check_fails(s, draws=draws, target=target, problem=problem):
                    return problem(draws(s), target) or a2._dependence_problem(draws(s), target)

                print(
                    f"  {name:14} {str(shape):9} {recipe:30} {rate(shape_fails, seeds):>10} "
                    f"{rate(dependence_fails, seeds):>14} {rate(check_fails, seeds):>11}"
                )


def orthogonal(seeds: int) -> None:
    fake = attack("signed_permutation_orthogonal", "initializers.py").orthogonal

    def polar(shape, gain=1.0, *, rng):  # another correct recipe: the polar factor of a Gaussian matrix
        u, _, vt = np.linalg.svd(rng.standard_normal((shape[0], math.prod(shape[1:]))), full_matrices=False)
        return gain * (u @ vt).reshape(shape)

    def unsigned(shape, gain=1.0, *, rng):  # QR without the sign correction (a known mistake)
        rows, cols = shape[0], math.prod(shape[1:])
        q, _ = np.linalg.qr(rng.standard_normal((rows, cols)) if rows >= cols else rng.standard_normal((cols, rows)))
        return gain * (q if rows >= cols else q.T).reshape(shape)

    print(
        f"\na2 orthogonal: Haar (a column, a row if wide, times an independent chi radius is N(0, 1); "
        f"DKW at {a2.FAILURE:g} per shape and direction, {a2.HAAR_DRAWS} draws per shape)"
    )
    for name, recipe in (
        ("correct: torch's QR recipe", initializers.orthogonal),
        ("correct: polar factor", polar),
        ("fake: signed permutation", fake),
        ("mistake: QR without sign fix", unsigned),
    ):
        per_shape = []
        for shape in a2.HAAR_SHAPES:

            def rejects(seed, shape=shape, recipe=recipe):
                draws = [recipe(shape, rng=np.random.default_rng((seed, k))) for k in range(a2.HAAR_DRAWS)]
                return a2._sphere_problem(shape, draws, np.random.default_rng((seed, a2.HAAR_DRAWS)))

            per_shape.append(f"{shape}: {rate(rejects, seeds)}")
        print(f"  {name:30} rejected  " + "  ".join(per_shape))


def dropout(seeds: int) -> None:
    block = attack("block_dropout_mask", "regularization.py").dropout_forward
    layer = attack("fixed_count_dropout_layer", "nn.py").Dropout
    print(
        f"\na3/a6 dropout masks: independence (agreements at every shift within a mask, and between two calls' "
        f"masks, {a3.STAT_FAILURE:g} each for all shifts at once) and the kept count (Hoeffding, "
        f"{a3.STAT_FAILURE:g})"
    )

    def verdict(masks, p):
        """The check's verdict on two successive masks (the second tested, the first its previous)."""
        try:
            a3.check_mask_statistics(masks[1], p, previous=masks[0])
        except CheckFailure as failure:
            return failure.message
        return None

    def masks_of(recipe, shape, p, seed):
        x = np.ones(shape)
        return [recipe(x, p, seed, call) != 0 for call in range(2)]

    def correct(x, p, seed, call):
        return x * (np.random.default_rng((seed, call)).random(x.shape) >= p)

    def fake_block(x, p, seed, call):
        return block(x, p, train=True, rng=np.random.default_rng((seed, call)))[0]

    def reused(x, p, seed, call):  # one mask for every call: a layer that caches it
        return x * (np.random.default_rng(seed).random(x.shape) >= p)

    def fixed_count(seed, shape):
        drop = layer(0.5, rng=np.random.default_rng(seed))
        return [drop(np.ones(shape)) != 0 for _ in range(2)]

    print(f"  {'recipe':28} {'shape':13} " + " ".join(f"p={p:<5}" for p in PROBABILITIES))
    for name, recipe in (
        ("correct: random >= p", correct),
        ("fake: block of columns", fake_block),
        ("fake: one mask every call", reused),
    ):
        for shape in ((400, 25), (200, 50), (100, 20, 5)):
            cells = []
            for p in PROBABILITIES:
                cells.append(
                    rate(lambda s, recipe=recipe, shape=shape, p=p: verdict(masks_of(recipe, shape, p, s), p), seeds)
                )
            print(f"  {name:28} {str(shape):13} " + " ".join(cells))
    print(
        f"  {'fake: drops exactly one unit':28} {'(200, 50)':13} {'':6} {'':6} "
        f"{rate(lambda s: verdict(fixed_count(s, (200, 50)), 0.5), seeds)} (the layer's p = 0.5)"
    )


def experiment(seeds: int) -> None:
    fake = attack("formula_activation_stds", "initializers.py").activation_stds
    print(
        "\na2 activation_stds: the reference experiment the meaning checks require (Gaussian "
        f"concentration, {a2.FAILURE:g} per layer and run)"
    )
    references = []
    for case in a2.REFERENCE_CASES:
        args, kwargs = a2._experiment_args(case)
        built = [build(a) if hasattr(a, "params") else a for a in args]
        references.append((case, initializers.activation_stds(*built, rng=build(kwargs["rng"]), batch=case["batch"])))

    def rejects(seed, run):
        for case, expected in references:
            args, kwargs = a2._experiment_args(case)
            built = [build(a) if hasattr(a, "params") else a for a in args]
            got = run(*built, rng=np.random.default_rng(seed), batch=case["batch"])
            if np.any(np.abs(got - expected) > a2._experiment_tolerance(case)):
                return True
        return False

    print(
        "  correct: the reference, other input draws  rejected "
        + rate(lambda s: rejects(s + 1000, initializers.activation_stds), seeds)
    )
    print(f"  fake: the variance formula plus noise    rejected {rate(lambda s: rejects(s, fake), seeds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    seeds = parser.parse_args().seeds
    print(
        f"False-failure bounds (union bound over a check's tests; full profile, 25 cases): a2 samplers "
        f"25 cases x 6 tests x {a2.FAILURE:g} = {25 * 6 * a2.FAILURE:.2g}; orthogonal's Haar check "
        f"{len(a2.HAAR_SHAPES)} shapes x 2 directions x {a2.FAILURE:g} = {len(a2.HAAR_SHAPES) * 2 * a2.FAILURE:.2g}; "
        f"dropout_forward's and Dropout's statistics 25 cases x 3 tests x {a3.STAT_FAILURE:g} = "
        f"{25 * 3 * a3.STAT_FAILURE:.2g}; activation_stds' reference experiment before the meaning checks "
        f"{len(a2.REFERENCE_CASES)} cases x 4 layers x {a2.FAILURE:g} = {len(a2.REFERENCE_CASES) * 4 * a2.FAILURE:.2g}"
        "\n"
    )
    samplers(seeds)
    orthogonal(seeds)
    dropout(seeds)
    experiment(seeds)


if __name__ == "__main__":
    main()
