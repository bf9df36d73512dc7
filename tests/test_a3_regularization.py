"""a3_regularization beyond the generic tests: dropout's statistical acceptance (false failures
and detection), early stopping's conventions, k-fold's, batch norm's evaluation-mode backward,
the inputs fed, and the mistake library's coverage."""

import math
import re

import numpy as np
import pytest
from conftest import ROOT, grade_path, load_attack, reference_with_attack

from autograder.checks import a3_regularization as checks
from autograder.execution.in_process import InProcessSubmission
from autograder.grading import stats
from autograder.grading.failure import CheckFailure
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.runner import grade
from autograder.grading.strategies import values
from solutions.a3_regularization import regularization as R

PROBABILITIES = (0.1, 0.25, 0.5, 0.75, 0.9)
SHAPE = (400, 25)  # one of the shapes the statistical check draws

# Correct mask recipes: each keeps an entry with probability 1 - p, independently.
CORRECT = {
    "random >= p": lambda rng, p, shape: rng.random(shape) >= p,
    "uniform < 1 - p": lambda rng, p, shape: rng.uniform(0, 1, shape) < 1 - p,
    "binomial": lambda rng, p, shape: rng.binomial(1, 1 - p, shape).astype(bool),
    "choice": lambda rng, p, shape: rng.choice([False, True], size=shape, p=[p, 1 - p]),
}


# ---- dropout: the statistical check -----------------------------------------------------------


def test_the_false_failure_bound_holds_for_a_whole_grading(course):
    """Three tests per case, every case of the full profile: by the union bound a correct dropout
    fails the statistical check with probability below 1e-6."""
    cases = max(course.max_examples(course.task("dropout_forward"), p) for p in ("quick", "full"))
    assert 3 * cases * checks.STAT_FAILURE < 1e-6
    # and the intervals are wide enough for that bound: Hoeffding, n = 10,000 entries
    low, high = stats.count_interval(10_000, 0.5, checks.STAT_FAILURE)
    assert high - low == pytest.approx(2 * math.sqrt(10_000 * math.log(2 / checks.STAT_FAILURE) / 2))


SHAPES = [(400, 25), (200, 50), (100, 20, 5)]  # the shapes the statistical check draws


@pytest.mark.parametrize("recipe", CORRECT, ids=list(CORRECT))
def test_correct_recipes_pass_for_many_seeds(recipe):
    for shape in SHAPES:
        for p in PROBABILITIES:
            for seed in range(20):
                first, second = (CORRECT[recipe](np.random.default_rng((seed, call)), p, shape) for call in range(2))
                checks.check_mask_statistics(second, p, previous=first)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("p", PROBABILITIES)
def test_a_mask_that_repeats_a_block_of_columns_fails_every_time(p, shape):
    """Each entry kept with probability 1 - p, rows 2i and 2i + 1 independent, but the odd rows
    tile their first block of columns (tests/adversarial/block_dropout_mask)."""
    dropout_forward = load_attack("block_dropout_mask", "regularization.py").dropout_forward
    x = np.ones(shape)
    for seed in range(20):
        first, second = (
            dropout_forward(x, p, train=True, rng=np.random.default_rng((seed, call)))[0] != 0 for call in range(2)
        )
        with pytest.raises(CheckFailure, match=r"not drawn independently: entries \d+ columns apart in one row"):
            checks.check_mask_statistics(second, p, previous=first)


@pytest.mark.parametrize("p", PROBABILITIES)
def test_a_mask_that_comes_back_on_the_next_call_fails_every_time(p):
    """Two calls whose masks are the same, or the same moved by a row: each mask alone is right."""
    for seed in range(20):
        mask = np.random.default_rng(seed).random(SHAPE) >= p
        for again in (mask, np.roll(mask, 1, axis=0)):
            with pytest.raises(CheckFailure, match="at every offset between the calls"):
                checks.check_mask_statistics(again, p, previous=mask)


@pytest.mark.parametrize("p", [p for p in PROBABILITIES if p != 0.5])
def test_p_taken_as_the_keep_probability_fails_every_time(p):
    for seed in range(20):
        keep = np.random.default_rng(seed).random(SHAPE) < p  # keeps with probability p
        with pytest.raises(CheckFailure) as failure:
            checks.check_mask_statistics(keep, p)
        assert failure.value.hint == checks.HINT_KEEP_PROBABILITY


@pytest.mark.parametrize("p", PROBABILITIES)
def test_a_mask_shared_by_the_batch_fails_every_time(p):
    for seed in range(20):
        keep = np.broadcast_to(np.random.default_rng(seed).random(SHAPE[1:]) >= p, SHAPE)
        with pytest.raises(CheckFailure) as failure:
            checks.check_mask_statistics(keep, p)
        assert failure.value.hint == checks.HINT_SHARED_MASK


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_block_mask_loses_the_statistical_check_when_graded(course, profile, tmp_path):
    folder = reference_with_attack(tmp_path, "block_dropout_mask", "a3_regularization", "regularization.py")
    task = grade_path(course, folder, ["dropout_forward"], profile=profile)["tasks"][0]
    assert [c["name"] for c in task["checks"] if not c["passed"]] == [
        "keeps a fraction 1 - p of the entries, each drawn independently"
    ]


@pytest.mark.parametrize("p", PROBABILITIES)
def test_a_keep_fraction_off_by_a_few_points_fails(p):
    """Detection: keeping with probability 1 - p +- 0.05 is caught at n = 10,000."""
    for shift in (-0.05, 0.05):
        keep_probability = min(max(1 - p + shift, 0.0), 1.0)
        keep = np.random.default_rng(0).random(SHAPE) < keep_probability
        with pytest.raises(CheckFailure):
            checks.check_mask_statistics(keep, p)


def _dropped(p, scale, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = values(rng, (6, 7), dtype, scale=2.0, away_from_zero=0.25)
    keep = rng.random(x.shape) >= p
    return x, (x * keep * scale).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", PROBABILITIES)
def test_entries_are_zero_or_x_over_one_minus_p(p, dtype):
    x, out = _dropped(p, 1 / (1 - p), dtype=dtype)
    np.testing.assert_array_equal(checks.kept_entries(x, out, p, "out"), out != 0)
    for scale, hint in ((1.0, checks.HINT_UNSCALED), (p, None), (1.5 / (1 - p), None)):
        with pytest.raises(CheckFailure) as failure:  # unscaled, scaled by p, scale off by 1.5
            checks.kept_entries(*_dropped(p, scale, dtype=dtype), p, "out")
        assert failure.value.hint == hint
    if p != 0.5:  # divided by p: right only where p = 1 - p
        with pytest.raises(CheckFailure) as failure:
            checks.kept_entries(*_dropped(p, 1 / p, dtype=dtype), p, "out")
        assert failure.value.hint == checks.HINT_KEEP_PROBABILITY


def test_reference_dropout_conventions():
    x = np.arange(1.0, 13.0).reshape(3, 4).astype(np.float32)
    rng = np.random.default_rng(5)
    for p, train in ((0.3, False), (0.0, True)):
        out, cache = R.dropout_forward(x, p, train=train, rng=rng)
        assert out.dtype == np.float32 and np.array_equal(out, x) and out is not x
        np.testing.assert_array_equal(R.dropout_backward(x, cache), x)
    out, cache = R.dropout_forward(x, 1.0, train=True, rng=rng)
    assert not out.any() and not R.dropout_backward(x, cache).any()
    first = R.dropout_forward(x, 0.5, train=True, rng=np.random.default_rng(1))[0]
    np.testing.assert_array_equal(first, R.dropout_forward(x, 0.5, train=True, rng=np.random.default_rng(1))[0])


# ---- batch norm ---------------------------------------------------------------------------


def test_batchnorm_backward_in_evaluation_mode_treats_the_running_statistics_as_constants():
    rng = np.random.default_rng(0)
    x, gamma, beta, mean, dout = (rng.standard_normal(s) for s in ((5, 3), 3, 3, 3, (5, 3)))
    var = rng.uniform(0.5, 2.0, 3)
    out, cache, new_mean, new_var = R.batchnorm_forward(x, gamma, beta, mean, var, train=False, eps=1e-3)
    np.testing.assert_allclose(out, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta)
    assert np.array_equal(new_mean, mean) and np.array_equal(new_var, var)
    dx, dgamma, dbeta = R.batchnorm_backward(dout, cache)
    np.testing.assert_allclose(dx, dout * gamma / np.sqrt(var + 1e-3))
    np.testing.assert_allclose(dbeta, dout.sum(axis=0))


@pytest.mark.parametrize("shape", [(1, 3), (1, 2, 1, 1)])
def test_batchnorm_refuses_one_value_per_channel_in_training_only(shape):
    forward = R.batchnorm_forward if len(shape) == 2 else R.spatial_batchnorm_forward
    channels = np.ones(shape[1])
    x = np.zeros(shape)
    with pytest.raises(ValueError):
        forward(x, channels, channels, channels, channels, train=True)
    assert forward(x, channels, channels, channels, channels, train=False)[0].shape == shape


# ---- early stopping -------------------------------------------------------------------------


def _run(values, **kwargs):
    stopper = R.EarlyStopping(**kwargs)
    return [(stopper.step(v), stopper.best, stopper.best_epoch, stopper.num_bad_epochs) for v in values]


def test_early_stopping_counts_epochs_without_an_improvement_beyond_min_delta():
    trace = _run([1.0, 0.9, 0.875, 0.95, 0.7], patience=2, min_delta=0.05)
    assert trace == [(False, 1.0, 0, 0), (False, 0.9, 1, 0), (False, 0.9, 1, 1), (True, 0.9, 1, 2), (False, 0.7, 4, 0)]
    # the sign of min_delta is ignored; mode "max" mirrors mode "min"
    assert _run([1.0, 1.1, 1.125, 1.05, 1.3], patience=2, min_delta=-0.05, mode="max") == [
        (False, 1.0, 0, 0),
        (False, 1.1, 1, 0),
        (False, 1.1, 1, 1),
        (True, 1.1, 1, 2),
        (False, 1.3, 4, 0),
    ]


def test_early_stopping_starts_empty_and_patience_zero_stops_at_the_first_bad_step():
    stopper = R.EarlyStopping()
    assert (stopper.best, stopper.best_epoch, stopper.num_bad_epochs) == (math.inf, None, 0)
    assert R.EarlyStopping(mode="max").best == -math.inf
    assert [stop for stop, *_ in _run([3.0, 2.0, 2.0, 1.0, 1.0], patience=0)] == [False, False, True, False, True]
    with pytest.raises(ValueError):
        R.EarlyStopping(mode="median")


def test_numpy_bools_and_scalars_are_accepted_from_early_stopping(course, tmp_path):
    source = (ROOT / "solutions/a3_regularization/regularization.py").read_text()
    source = source.replace("self.best = value\n", "self.best = np.float64(value)\n")
    source = source.replace(
        "return not improved and self.num_bad_epochs >= self.patience",
        "return np.bool_(not improved and self.num_bad_epochs >= self.patience)",
    )
    assert "np.bool_(" in source and "np.float64(value)" in source
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "regularization.py").write_text(source)
    task = grade_path(course, folder, ["EarlyStopping"])["tasks"][0]
    assert task["status"] == "passed", [c["feedback"] for c in task["checks"]]


# ---- k-fold -------------------------------------------------------------------------------


def test_kfold_fold_sizes_and_shuffling():
    folds = R.kfold_indices(10, 3)
    assert [val.tolist() for _, val in folds] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert folds[1][0].tolist() == [0, 1, 2, 3, 7, 8, 9]
    order = np.random.default_rng(3).permutation(7)
    shuffled = R.kfold_indices(7, 2, shuffle=True, rng=np.random.default_rng(3))
    assert [val.tolist() for _, val in shuffled] == [sorted(order[:4]), sorted(order[4:])]
    for k in (1, 8):
        with pytest.raises(ValueError):
            R.kfold_indices(7, k)


# ---- inputs and the mistake library -------------------------------------------------------


class DtypeRecorder(InProcessSubmission):
    """Records the float dtypes of the arrays fed to each task (cheaper than their repr)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dtypes = {}

    def call(self, task, args, kwargs, opaque=(), method=None):
        fed = [*args, *kwargs.values()]
        fed += [item for value in fed if type(value) is list for item in value]  # the penalties' weights
        self.dtypes.setdefault(task, set()).update(
            str(value.dtype) for value in fed if type(value) is np.ndarray and value.dtype.kind == "f"
        )
        return super().call(task, args, kwargs, opaque, method)


def test_array_tasks_are_fed_both_float64_and_float32(course):
    submission = DtypeRecorder(course, ROOT / "solutions")
    try:
        grade(course, submission, course.select(["a3_regularization"]), profile="quick")
    finally:
        submission.close()
    for task in course.select(["a3_regularization"]):
        if task.name not in ("EarlyStopping", "kfold_indices"):
            assert submission.dtypes[task.name] == {"float64", "float32"}, task.name


def test_a_correct_float32_student_computing_in_float64_passes(course, tmp_path):
    """The float32 tolerances leave room for any correct rounding, here a more exact one."""
    source = (ROOT / "solutions/a3_regularization/regularization.py").read_text()
    source += """

def _in_float64(function):
    def lift(value):
        return value.astype(np.float64) if isinstance(value, np.ndarray) and value.dtype == np.float32 else value

    def lower(value):
        if isinstance(value, tuple):
            return tuple(lower(item) for item in value)
        return value.astype(np.float32) if isinstance(value, np.ndarray) else value

    def wrapped(*args, **kwargs):
        single = any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
        result = function(*map(lift, args), **{k: lift(v) for k, v in kwargs.items()})
        return lower(result) if single else result

    return wrapped


batchnorm_forward = _in_float64(batchnorm_forward)
layernorm_forward = _in_float64(layernorm_forward)
"""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "regularization.py").write_text(source)
    names = ["batchnorm_forward", "batchnorm_backward", "layernorm_forward", "layernorm_backward"]
    result = grade_path(course, folder, names)
    assert result["score"] == result["max_score"], [
        c["feedback"] for t in result["tasks"] for c in t["checks"] if not c["passed"]
    ]


ISSUE_MISTAKES = {  # the variants the course promises to recognise, by a word of their names
    "dropout_forward": ["unscaled", "keep_probability", "active_in_eval"],
    "dropout_backward": ["fresh_mask"],
    "batchnorm_forward": ["unbiased_variance", "biased_running_var", "keras_momentum"],
    "batchnorm_backward": ["missing_mean_path"],
    "layernorm_forward": ["over_the_batch"],
    "EarlyStopping": ["PatienceOffByOne", "MinDeltaWrongSign"],
    "kfold_indices": ["remainder_in_the_last_fold"],
}


def test_the_a3_library_is_large_enough_and_covers_the_promised_mistakes(course):
    load_mistakes(["a3_regularization"])
    tasks = [t.name for t in course.assignment("a3_regularization").tasks]
    library = [m for task in tasks for m in mistakes_for(task)]
    assert len(library) >= 12
    for task, words in ISSUE_MISTAKES.items():
        names = [m.name for m in mistakes_for(task)]
        for word in words:
            assert any(re.search(word, name) for name in names), (task, word)
