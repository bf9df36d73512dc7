"""a2_initializers: the statistical checks pass correct samplers and fail wrong scales, wrong
shapes of distribution with the right moments, dependent draws and non-Haar orthogonal matrices;
rng ownership is enforced; the activation experiment's acceptance holds for any draw order, and
its meaning is credited only to an experiment that matches the reference."""

import math

import numpy as np
import pytest
from conftest import ROOT, grade_path, load_attack, reference_with_attack

from autograder.checks import a2_initializers as checks
from autograder.course import config
from autograder.execution.in_process import InProcessSubmission
from autograder.grading import stats
from autograder.grading.context import Context
from autograder.grading.determinism import deterministic
from autograder.grading.failure import CheckFailure
from autograder.grading.mistake_registry import all_mistakes, load_mistakes
from autograder.grading.reference import reference
from autograder.grading.registry import checks_for, load_checks
from autograder.runtime.plain import Probe
from autograder.runtime.probes import build
from solutions.a2_initializers import initializers

COURSE = config.load(ROOT)
load_checks(["a2_initializers"])
SEEDS = range(300)
N_UNIFORM, N_NORMAL = checks.N_DRAWS["uniform"], checks.N_DRAWS["normal"]


# ---- the acceptance tests themselves (numpy recipes, cheap) ---------------------------------------


def _box_muller(rng, n):
    return np.sqrt(-2 * np.log(1 - rng.random(n))) * np.cos(2 * np.pi * rng.random(n))


CORRECT_UNIFORM = {  # recipes for U(-2, 0.5)
    "rng.uniform": lambda rng, n: rng.uniform(-2.0, 0.5, n),
    "scaled random": lambda rng, n: -2.0 + 2.5 * rng.random(n),
    "symmetric about the centre": lambda rng, n: -0.75 + 1.25 * (2 * rng.random(n) - 1),
}
CORRECT_NORMAL = {  # recipes for N(1.5, 0.3^2)
    "rng.normal": lambda rng, n: rng.normal(1.5, 0.3, n),
    "standard_normal": lambda rng, n: 1.5 + 0.3 * rng.standard_normal(n),
    "Box-Muller": lambda rng, n: 1.5 + 0.3 * _box_muller(rng, n),
}


CALL = 20  # draws per call: the pooled draws are (calls, CALL), as the checks pool them


@pytest.mark.parametrize("recipe", CORRECT_UNIFORM)
def test_correct_uniform_recipes_pass_on_every_seed(recipe):
    target = checks.Uniform(-2.0, 0.5)
    for seed in SEEDS:
        draws = CORRECT_UNIFORM[recipe](np.random.default_rng(seed), N_UNIFORM).reshape(-1, CALL)
        assert checks._distribution_problem(draws, target) is None


@pytest.mark.parametrize("recipe", CORRECT_NORMAL)
def test_correct_normal_recipes_pass_on_every_seed(recipe):
    target = checks.Normal(1.5, 0.3)
    for seed in SEEDS:
        draws = CORRECT_NORMAL[recipe](np.random.default_rng(seed), N_NORMAL).reshape(-1, CALL)
        assert checks._distribution_problem(draws, target) is None


def test_the_right_moments_in_the_wrong_shape_fail_on_every_seed():
    """Three values with U(a, b)'s mean, variance and ends, four with N(mu, sigma^2)'s mean,
    variance and share beyond 2 std: every test of moments passes, the whole distribution fails."""
    uniform = load_attack("discrete_uniform_sampler", "initializers.py").uniform
    normal = load_attack("four_point_normal", "initializers.py").normal
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        assert "whole distribution" in checks._uniform_problem(
            uniform((N_UNIFORM,), -2.0, 0.5, rng=rng), checks.Uniform(-2.0, 0.5)
        )
        assert "whole distribution" in checks._normal_problem(
            normal((N_NORMAL,), 1.5, 0.3, rng=rng), checks.Normal(1.5, 0.3)
        )


def _mirrored(rng, calls):
    half = rng.uniform(-2.0, 0.5, (calls, CALL // 2))
    return np.stack([half, -1.5 - half], axis=2).reshape(calls, CALL)  # x, then 2 * centre - x


DEPENDENT = {  # (calls, CALL) draws of U(-2, 0.5) that are exactly uniform one by one, but not independent
    "each call repeats its first row of 5": lambda rng, calls: np.tile(rng.uniform(-2.0, 0.5, (calls, 5)), 4),
    "every other call repeats the one before": lambda rng, calls: np.repeat(
        rng.uniform(-2.0, 0.5, (calls // 2, CALL)), 2, axis=0
    ),
    "each draw followed by its mirror image": _mirrored,
}


@pytest.mark.parametrize("pattern", DEPENDENT)
def test_dependent_draws_fail_on_every_seed(pattern):
    """The normal target's pool (50 calls of 20): 1000 draws, each exactly U(-2, 0.5)."""
    for seed in range(50):
        draws = DEPENDENT[pattern](np.random.default_rng(seed), N_NORMAL // CALL)
        assert "not independent" in checks._dependence_problem(draws, checks.Uniform(-2.0, 0.5))


@pytest.mark.parametrize("factor", [1.5, 1 / 1.5, 1 / math.sqrt(3)])
def test_a_wrong_scale_fails_on_every_seed(factor):
    """1.5 either way, and 1/sqrt(3): the std used as a uniform bound (or a bound as a std)."""
    uniform, normal = checks.Uniform(-2.0, 0.5), checks.Normal(1.5, 0.3)
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        assert checks._uniform_problem(-0.75 + factor * (rng.uniform(-2.0, 0.5, N_UNIFORM) + 0.75), uniform)
        assert checks._normal_problem(1.5 + factor * 0.3 * rng.standard_normal(N_NORMAL), normal)


def test_a_wrong_shape_of_distribution_fails():
    """A uniform with the normal's std, or a normal with the uniform's, is caught by its tails or ends."""
    for seed in range(50):
        rng = np.random.default_rng(seed)
        half = 0.3 * math.sqrt(3)
        assert "2 std" in checks._normal_problem(1.5 + rng.uniform(-half, half, N_NORMAL), checks.Normal(1.5, 0.3))
        assert checks._uniform_problem(
            -0.75 + 1.25 / math.sqrt(3) * rng.standard_normal(N_UNIFORM), checks.Uniform(-2.0, 0.5)
        )


def test_a_scale_off_by_1_5_fails_with_overwhelming_probability():
    """The margins behind the claim, from the bounds alone (Laurent-Massart for the chi-square)."""
    n = N_NORMAL
    low, high = stats.chi2_interval(n, checks.FAILURE)
    # a std 1.5 times too large passes only if chi2_n <= high / 2.25, n - high / 2.25 = 2 sqrt(n s)
    s = ((n - high / 2.25) / (2 * math.sqrt(n))) ** 2
    assert math.exp(-s) < 1e-15
    # a std 1.5 times too small passes only if chi2_n >= 2.25 low = n + 2 sqrt(n s) + 2 s
    excess = 2.25 * low - n
    root = (-math.sqrt(n) + math.sqrt(n + 2 * excess)) / 2
    assert math.exp(-(root**2)) < 1e-15
    # uniform: a bound 1.5 times too small never reaches within the gap of the ends, and one 1.5
    # times too large keeps all its draws inside the right bounds with probability (2/3)^n
    assert 1 - stats.uniform_gap(N_UNIFORM, checks.FAILURE) > 1 / 1.5
    assert (2 / 3) ** N_UNIFORM < 1e-50


def test_false_failure_bound_per_check():
    assert 25 * 6 * checks.FAILURE == pytest.approx(1.5e-7) and 1.5e-7 < 1e-6


# ---- the stats helpers ------------------------------------------------------------------------------


def test_binomial_interval_is_exact():
    n, p, failure = 40, 0.3, 1e-3
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    low, high = stats.binomial_interval(n, p, failure)
    assert sum(pmf[:low]) <= failure / 2 < sum(pmf[: low + 1])
    assert sum(pmf[high + 1 :]) <= failure / 2 < sum(pmf[high:])


def test_uniform_gap_and_lipschitz_halfwidth():
    assert (1 - stats.uniform_gap(300, 1e-9)) ** 300 == pytest.approx(1e-9)
    assert 2 * math.exp(-(stats.lipschitz_halfwidth(0.5, 1e-9) ** 2) / (2 * 0.5**2)) == pytest.approx(1e-9)


def test_dkw_halfwidth_and_agreement_bounds():
    assert 2 * math.exp(-2 * 300 * stats.dkw_halfwidth(300, 1e-9) ** 2) == pytest.approx(1e-9)
    pairs = np.array([10, 1000])
    low, high = stats.agreement_bounds(pairs, 0.5, 1e-9, within=False)
    assert pairs.size * 2 * math.exp(-2 * (high[1] - 500) ** 2 / 1000) == pytest.approx(1e-9)  # T tests
    low, high = stats.agreement_bounds(pairs, 0.5, 1e-9, within=True)
    # within one array: two halves of 500 disjoint pairs, each at 1e-9 / (2 * 2 shifts), summed
    half = math.sqrt(500 * math.log(4 * pairs.size / 1e-9) / 2)
    assert 2 * pairs.size * 2 * math.exp(-2 * half**2 / 500) == pytest.approx(1e-9)
    assert high[1] - 500 == pytest.approx(2 * half) and low[1] == pytest.approx(500 - 2 * half)


def test_ks_distance_is_the_supremum_over_every_point():
    draws = np.array([0.3, 0.5, 0.5, 0.5])
    grid = np.linspace(-0.5, 1.5, 200_001)
    empirical = np.searchsorted(np.sort(draws), grid, side="right") / draws.size
    brute = np.max(np.abs(empirical - np.clip(grid, 0, 1)))
    far = stats.ks_distance(draws, lambda x: np.clip(x, 0, 1))
    assert far.distance == pytest.approx(brute, abs=1e-5)
    assert (far.x, far.share, far.expected, far.inclusive) == (0.5, 1.0, 0.5, True)  # the tie counts once
    assert stats.normal_cdf(np.array([0.0, -1.0]))[1] == pytest.approx(0.158655253931457)


def test_shift_agreements_match_a_direct_count():
    rng = np.random.default_rng(0)
    first, second = rng.random((6, 4)) < 0.3, rng.random((6, 4)) < 0.3
    for other in (None, second):
        shifts, agree, pairs = stats.shift_agreements(first, other)
        assert len(shifts) == ((11 * 7 - 1) // 2 if other is None else 11 * 7)  # each unordered pair once, or all
        for (a, b), count, total in zip(shifts, agree, pairs):
            meets = [
                (first[i, j], (first if other is None else other)[i + a, j + b])
                for i in range(6)
                for j in range(4)
                if 0 <= i + a < 6 and 0 <= j + b < 4
            ]
            assert (count, total) == (sum(x == y for x, y in meets), len(meets))


# ---- every case the sampler checks draw ---------------------------------------------------------------

SCALED = """

def _scaled(sampler, centre):
    def wrapped(shape, *args, rng, **kwargs):
        drawn = sampler(shape, *args, rng=rng, **kwargs)
        middle = centre(*args, **kwargs)
        return middle + FACTOR * (drawn - middle)
    return wrapped


uniform = _scaled(uniform, lambda a=0.0, b=1.0: (a + b) / 2)
normal = _scaled(normal, lambda mean=0.0, std=1.0: mean)
for _name in ("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_normal", "orthogonal"):
    globals()[_name] = _scaled(globals()[_name], lambda *args, **kwargs: 0.0)
"""


def _drawn_cases(check, profile="full"):
    """The cases the check runs on a correct submission (it never stops early there)."""
    drawn = []

    def record(case):
        drawn.append(case)

    deterministic(
        record, check.cases, check_id=check.id, max_examples=COURSE.max_examples(COURSE.task(check.task), profile)
    )()
    return drawn


@pytest.fixture(scope="module", params=[1.5, 1 / 1.5])
def scaled_context(request, tmp_path_factory):
    """A context whose student scales every sampler's spread by the factor."""
    folder = tmp_path_factory.mktemp("scaled") / "a2_initializers"
    folder.mkdir()
    source = (ROOT / "solutions/a2_initializers/initializers.py").read_text()
    (folder / "initializers.py").write_text(source + f"\n\nFACTOR = {request.param!r}\n" + SCALED)
    submission = InProcessSubmission(COURSE, folder.parent)
    yield Context(COURSE, submission, reference(COURSE))
    submission.close()


@pytest.fixture
def no_hints(monkeypatch):
    """Failures without looking for a known mistake to name (only the verdict matters here)."""
    monkeypatch.setattr(Context, "mistakes", lambda self, task: iter(()))


@pytest.mark.parametrize("task", sorted(checks.SAMPLERS) + ["orthogonal"])
def test_a_scale_off_by_1_5_fails_every_case_the_checks_draw(task, scaled_context, no_hints):
    check = checks_for(task)[0]
    drawn = _drawn_cases(check)
    assert len(drawn) == COURSE.max_examples(COURSE.task(task), "full")
    for case in drawn:
        with pytest.raises(CheckFailure):
            check.body(scaled_context, case)
        scaled_context.student.release_handles()


@pytest.mark.parametrize("task", ["xavier_uniform", "kaiming_uniform"])
def test_the_std_used_as_a_uniform_bound_fails_every_case(task, tmp_path, no_hints):
    folder = tmp_path / "a2_initializers"
    folder.mkdir()
    source = (ROOT / "solutions/a2_initializers/initializers.py").read_text()
    replacements = {
        "    bound = xavier_bound(shape, gain)\n": "    bound = xavier_std(shape, gain)\n",
        "    bound = kaiming_bound(shape, a, mode, nonlinearity)\n": (
            "    bound = kaiming_std(shape, a, mode, nonlinearity)\n"
        ),
    }
    wrong = source
    for right, mistaken in replacements.items():
        assert source.count(right) == 1
        wrong = wrong.replace(right, mistaken)
    (folder / "initializers.py").write_text(wrong)
    submission = InProcessSubmission(COURSE, tmp_path)
    try:
        ctx = Context(COURSE, submission, reference(COURSE))
        check = checks_for(task)[0]
        for case in _drawn_cases(check):
            with pytest.raises(CheckFailure, match="should draw from U"):
                check.body(ctx, case)
    finally:
        submission.close()


# ---- orthogonal: the Haar distribution ----------------------------------------------------------------


def _polar(shape, gain=1.0, *, rng):
    """Another correct recipe: the polar factor U V^T of a Gaussian matrix is Haar distributed."""
    u, _, vt = np.linalg.svd(rng.standard_normal((shape[0], math.prod(shape[1:]))), full_matrices=False)
    return gain * (u @ vt).reshape(shape)


def _haar_verdicts(recipe, seeds):
    for seed in seeds:
        for shape in checks.HAAR_SHAPES:
            draws = [recipe(shape, rng=np.random.default_rng((seed, k))) for k in range(checks.HAAR_DRAWS)]
            yield checks._sphere_problem(shape, draws, np.random.default_rng((seed, checks.HAAR_DRAWS)))


@pytest.mark.parametrize("recipe", [initializers.orthogonal, _polar], ids=["torch's QR", "polar factor"])
def test_the_haar_test_passes_correct_recipes_on_every_seed(recipe):
    assert all(verdict is None for verdict in _haar_verdicts(recipe, range(100)))


def test_a_signed_permutation_fails_the_haar_test_on_every_seed():
    fake = load_attack("signed_permutation_orthogonal", "initializers.py").orthogonal
    for verdict in _haar_verdicts(fake, range(100)):
        assert "not uniformly distributed: through its first" in verdict


# ---- rng ownership ----------------------------------------------------------------------------------

RNG_MISUSES = {
    "draws from np.random": ("np.random.normal(mean, std, size=shape)", "different arrays for the same rng seed"),
    "reseeds np.random from rng": (
        "(np.random.seed(int(rng.integers(2**31))), np.random.normal(mean, std, size=shape))[1]",
        "changed np.random's global state",
    ),
    "a Generator of its own": (
        "np.random.default_rng(0).normal(mean, std, size=shape)",
        "the same array for two different rng seeds",
    ),
}


@pytest.mark.parametrize("misuse", RNG_MISUSES)
def test_rng_misuse_is_named(misuse, tmp_path):
    body, words = RNG_MISUSES[misuse]
    folder = tmp_path / "a2_initializers"
    folder.mkdir()
    source = (ROOT / "solutions/a2_initializers/initializers.py").read_text()
    (folder / "initializers.py").write_text(
        source.replace("    return rng.normal(mean, std, size=shape)\n", f"    return {body}\n")
    )
    task = grade_path(COURSE, tmp_path, ["normal"])["tasks"][0]
    rng_check = next(c for c in task["checks"] if c["name"].startswith("rng alone"))
    assert not rng_check["passed"] and words in rng_check["feedback"]
    assert f"Hint: {checks.HINT_RNG}" in rng_check["feedback"]


def test_the_global_state_probes_see_the_students_side():
    np.random.seed(7)
    untouched = build(Probe("rng_from_global")).integers(2**31)
    np.random.seed(7)
    np.random.random()  # what a sampler drawing from np.random would do between the two probes
    touched = build(Probe("rng_from_global")).integers(2**31)
    assert untouched == build(Probe("rng_from_global", (7,))).integers(2**31) != touched


# ---- activation_stds --------------------------------------------------------------------------------


def _weights_first(init, depth, width, activation, *, rng, batch=256):
    """A correct experiment that draws every weight before the input (another draw order)."""
    weights = [init((width, width), rng=rng) for _ in range(depth)]
    h = rng.standard_normal((width, batch)).T
    act = {
        "relu": lambda z: np.maximum(z, 0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "linear": lambda z: z,
    }[activation]
    stds = []
    for W in weights:
        h = act(h @ W.T)
        stds.append(h.std())
    return np.array(stds)


def test_fixed_weight_tolerance_holds_for_another_draw_order():
    """On drawn cases, and on the cases the meaning checks first compare with the reference."""
    drawn = []
    for seed in range(12):
        activation = ("relu", "tanh", "sigmoid", "linear")[seed % 4]
        drawn.append(
            {
                "activation": activation,
                "weight_scale": checks.FIXED_SCALES[activation][seed % 2],
                "depth": 4,
                "width": 6,
                "batch": 4096,
                "seed": seed,
            }
        )
    for case in drawn + list(checks.REFERENCE_CASES):
        seed = case["seed"]
        args, kwargs = checks._experiment_args(case)
        ours = initializers.activation_stds(
            *[build(a) if isinstance(a, Probe) else a for a in args], rng=build(kwargs["rng"]), batch=kwargs["batch"]
        )
        theirs = _weights_first(
            *[build(a) if isinstance(a, Probe) else a for a in args],
            rng=np.random.default_rng(seed + 1000),
            batch=kwargs["batch"],
        )
        assert np.all(np.abs(ours - theirs) <= checks._experiment_tolerance(case))


def test_he_keeps_the_signal_by_a_wide_margin():
    """Re-measures the margin the He check rests on: 64 runs of the reference experiment."""
    ratios = []
    for seed in range(64):
        stds = initializers.activation_stds(
            build(Probe("init_he_normal")), 20, 64, "relu", rng=np.random.default_rng(10_000 + seed), batch=16
        )
        ratios.append(math.log(stds[-1] / stds[0]))
    spread_of_mean = np.std(ratios) / math.sqrt(checks.HE_RUNS)
    assert abs(np.mean(ratios)) + 6 * spread_of_mean < math.log(2)


# ---- the assignment as a whole ------------------------------------------------------------------------

RANDOM_TASKS = sorted(checks.SAMPLERS) + ["orthogonal", "activation_stds"]
FAKES = {  # adversarial submission -> (its task, the checks it fails)
    "discrete_uniform_sampler": ("uniform", {"draws from the right distribution (statistical tests)"}),
    "four_point_normal": ("normal", {"draws from the right distribution (statistical tests)"}),
    "signed_permutation_orthogonal": (
        "orthogonal",
        {"is Haar distributed: its columns (rows if wide) are uniform on the sphere"},
    ),
    "formula_activation_stds": (
        "activation_stds",
        {
            "matches the reference experiment (fixed weights, any draw order)",
            "ReLU + He init: the std stays within a factor of 2 over 20 layers",
            "ReLU: N(0, 0.01) weights make the std vanish, N(0, 1) weights explode",
        },
    ),
}


@pytest.mark.parametrize("profile", ["quick", "full"])
@pytest.mark.parametrize("attack", FAKES)
def test_a_fake_loses_the_checks_it_cheats(attack, profile, tmp_path):
    """The reference file with the fake in place of its task, graded as a submission."""
    task, cheated = FAKES[attack]
    folder = reference_with_attack(tmp_path, attack, "a2_initializers", "initializers.py")
    result = grade_path(COURSE, folder, [task], profile=profile)["tasks"][0]
    assert {c["name"] for c in result["checks"] if not c["passed"]} == cheated


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_reference_keeps_full_marks_on_the_random_tasks(profile):
    result = grade_path(COURSE, ROOT / "solutions", RANDOM_TASKS, profile=profile)
    assert result["score"] == result["max_score"]


def test_the_mistake_library_is_large_enough():
    load_mistakes(["a2_initializers"])
    names = [m.name for m in all_mistakes() if COURSE.task(m.task).assignment == "a2_initializers"]
    assert len(names) >= 10 and len(set(names)) == len(names)
    assert {
        "orthogonal_only_square",
        "kaiming_std_fan_out",
        "relu_gain_two",
        "xavier_bound_sqrt3",
        "conv_fans_without_kernel",
        "xavier_uniform_std_as_bound",
        "normal_uses_global_random",
    } <= set(names)


def test_every_random_task_has_an_rng_check():
    for task in RANDOM_TASKS:
        assert any(c.name.startswith("rng alone") for c in checks_for(task)), task
