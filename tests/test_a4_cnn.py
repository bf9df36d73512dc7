"""a4_cnn beyond the generic tests: the geometry every check sees, tie-free pooling inputs,
wrong shapes reported as failures, and property checks that fail for what they are about."""

import numpy as np
import pytest
from conftest import ROOT, RecordingSubmission, grade_path
from hypothesis import given, settings

from autograder.execution.opening import open_submission
from autograder.grading.context import Context
from autograder.grading.determinism import deterministic
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.reference import reference
from autograder.grading.registry import checks_for, load_checks
from autograder.grading.runner import grade, run_check
from autograder.grading.strategies import (
    as_pair,
    conv_geometry,
    distinct_values,
    filter_shape,
    image_shape,
    pool_geometry,
)

ASSIGNMENT = "a4_cnn"
CONV_TASKS = ("conv2d_forward", "conv2d_backward")
POOL_TASKS = ("maxpool2d_forward", "maxpool2d_backward", "avgpool2d_forward", "avgpool2d_backward")
EQUIVARIANCE = "is translation equivariant for stride 1"  # stride 1 by design

load_checks([ASSIGNMENT])
load_mistakes([ASSIGNMENT])


# ---- the geometry the checks draw -----------------------------------------------------------


def conv_features(case):
    """The conv geometries every profile must cover, as the names of those this case is an example of."""
    g = case["geometry"]
    (n, c, h, w), (_, _, kh, kw) = image_shape(g), filter_shape(g)
    (sh, sw), (ph, pw) = as_pair(g["stride"]), as_pair(g["padding"])
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    found = {
        case["dtype"],
        "stride pair" if isinstance(g["stride"], tuple) else "stride int",
        "padding pair" if isinstance(g["padding"], tuple) else "padding int",
    }
    for name, present in (
        ("N = 1", n == 1),
        ("C = 1", c == 1),
        ("non-square input", h != w),
        ("non-square kernel", kh != kw),
        ("stride > 1 with padding", max(sh, sw) > 1 and max(ph, pw) > 0),
        ("output of size 1", min(oh, ow) == 1),
        ("kernel as large as the padded input", kh == h + 2 * ph or kw == w + 2 * pw),
        ("floor drops rows", (h + 2 * ph - kh) % sh > 0 or (w + 2 * pw - kw) % sw > 0),
    ):
        if present:
            found.add(name)
    return found


def pool_features(case):
    g = case["geometry"]
    kernel = as_pair(g["kernel_size"])
    stride = kernel if g["stride"] is None else as_pair(g["stride"])
    found = {
        case["dtype"],
        "kernel pair" if isinstance(g["kernel_size"], tuple) else "kernel int",
        "default stride"
        if g["stride"] is None
        else ("stride pair" if isinstance(g["stride"], tuple) else "stride int"),
    }
    if stride[0] < kernel[0] or stride[1] < kernel[1]:
        found.add("overlapping windows")
    if kernel[0] != kernel[1]:
        found.add("non-square kernel")
    return found


CONV_FEATURES = {
    "float64",
    "float32",
    "stride int",
    "stride pair",
    "padding int",
    "padding pair",
    "N = 1",
    "C = 1",
    "non-square input",
    "non-square kernel",
    "stride > 1 with padding",
    "output of size 1",
    "kernel as large as the padded input",
    "floor drops rows",
}
POOL_FEATURES = {
    "float64",
    "float32",
    "kernel int",
    "kernel pair",
    "default stride",
    "stride int",
    "stride pair",
    "overlapping windows",
    "non-square kernel",
}


def drawn(check, examples):
    """The cases a check is fed when it passes, in order (the same for every student)."""
    seen = []

    def record(case):
        seen.append(case)

    deterministic(record, check.cases, check_id=check.id, max_examples=examples)()
    return seen


@pytest.mark.parametrize("profile", ["full", "quick"])
def test_every_conv_check_sees_every_geometry(course, profile):
    for task in CONV_TASKS:
        examples = course.max_examples(course.task(task), profile)
        for check in checks_for(task):
            # equivariance needs stride 1, and the defaults check leaves stride and padding out
            if check.name == EQUIVARIANCE or check.name.startswith("uses the spec's default"):
                continue
            features = set().union(*map(conv_features, drawn(check, examples)))
            assert CONV_FEATURES <= features, (check.id, profile, CONV_FEATURES - features)


@pytest.mark.parametrize("profile", ["full", "quick"])
def test_every_pool_task_sees_every_geometry(course, profile):
    for task in POOL_TASKS:
        examples = course.max_examples(course.task(task), profile)
        per_check = [set().union(*map(pool_features, drawn(check, examples))) for check in checks_for(task)]
        if profile == "full":
            for check, features in zip(checks_for(task), per_check):
                assert POOL_FEATURES <= features, (check.id, POOL_FEATURES - features)
        assert POOL_FEATURES <= set().union(*per_check), (task, profile)


def test_equivariance_is_checked_on_stride_1_with_room_to_shift(course):
    check = next(c for c in checks_for("conv2d_forward") if c.name == EQUIVARIANCE)
    for case in drawn(check, course.max_examples(course.task("conv2d_forward"), "full")):
        g = case["geometry"]
        (_, _, h, w), (_, _, kh, kw) = image_shape(g), filter_shape(g)
        (ph, pw), (dy, dx) = as_pair(g["padding"]), case["shift"]
        assert as_pair(g["stride"]) == (1, 1)
        assert h + 2 * ph - kh + 1 > dy and w + 2 * pw - kw + 1 > dx  # outputs overlap after the shift


@settings(max_examples=300, database=None, derandomize=True)
@given(conv_geometry())
def test_conv_geometry_is_always_valid(g):
    (_, c, h, w), (_, wc, kh, kw) = image_shape(g), filter_shape(g)
    (sh, sw), (ph, pw) = as_pair(g["stride"]), as_pair(g["padding"])
    assert c == wc and min(h, w, sh, sw) >= 1 and min(ph, pw) >= 0
    assert kh <= h + 2 * ph and kw <= w + 2 * pw


@settings(max_examples=300, database=None, derandomize=True)
@given(pool_geometry())
def test_pool_geometry_is_always_valid(g):
    (_, _, h, w), (kh, kw) = image_shape(g), as_pair(g["kernel_size"])
    assert 1 <= kh <= h and 1 <= kw <= w


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_pooling_inputs_have_no_near_ties(dtype):
    x = distinct_values(np.random.default_rng(0), (2, 3, 13, 13), dtype)  # beyond the largest drawn input
    gaps = np.diff(np.sort(x.astype(np.float64).ravel()))
    assert x.dtype == np.dtype(dtype) and gaps.min() > 0.0099  # 1e4 times the finite-difference step


# ---- the mistake library ----------------------------------------------------------------------


def test_the_library_covers_the_common_cnn_mistakes(course):
    names = {m.name for task in course.assignment(ASSIGNMENT).tasks for m in mistakes_for(task.name)}
    assert len(names) >= 12
    for expected in (
        "conv2d_forward_flips_kernel",
        "conv2d_forward_pads_one_side",
        "conv2d_forward_stride_as_dilation",
        "conv2d_forward_output_size_rounds_up",
        "conv2d_backward_dx_not_cropped",
        "conv2d_backward_dw_transposed",
        "conv2d_backward_db_summed_over_batch_only",
        "maxpool2d_backward_to_every_entry",
        "avgpool2d_backward_not_divided",
        "maxpool2d_forward_stride_defaults_to_one",
    ):
        assert expected in names


# ---- wrong submissions: clear failures, properties that bite ----------------------------------


def submission(tmp_path, file_name, appended):
    """The reference a4_cnn with `appended` (a redefinition of some function) at the end of file_name."""
    folder = tmp_path / "student" / ASSIGNMENT
    folder.mkdir(parents=True)
    for name in ("conv.py", "pool.py"):
        source = (ROOT / "solutions" / ASSIGNMENT / name).read_text()
        (folder / name).write_text(source + ("\n\n" + appended if name == file_name else ""))
    return folder.parent


def checks_of(result, task):
    return {c["name"]: c for t in result["tasks"] if t["task"] == task for c in t["checks"]}


CHANNELS_LAST = """
_reference_forward = conv2d_forward


def conv2d_forward(x, w, b, stride=1, padding=0):
    out, cache = _reference_forward(x, w, b, stride, padding)
    return out.transpose(0, 2, 3, 1).copy(), cache
"""


def test_a_wrong_output_layout_fails_clearly_without_errors(course, tmp_path):
    folder = submission(tmp_path, "conv.py", CHANNELS_LAST)
    result = grade_path(course, folder, list(CONV_TASKS))
    forward, backward = checks_of(result, "conv2d_forward"), checks_of(result, "conv2d_backward")
    assert all(
        c["outcome"] == "failed"
        for c in [*forward.values(), *backward.values()]
        if c["name"] != "leaves its inputs unchanged"
    )
    shape = next(c["feedback"] for name, c in forward.items() if name.startswith("output has shape"))
    assert "conv2d_forward returned out of shape" in shape and "OH = floor((H + 2*ph - KH)/sh) + 1 = floor((" in shape
    assert (
        "so fix conv2d_forward first"
        in backward["matches the reference backward for a random upstream gradient"]["feedback"]
    )


LIST_OUTPUT = """
_reference_forward = maxpool2d_forward


def maxpool2d_forward(x, kernel_size, stride=None):
    out, cache = _reference_forward(x, kernel_size, stride)
    return out.tolist(), cache
"""


def test_a_list_instead_of_an_array_fails_clearly(course, tmp_path):
    folder = submission(tmp_path, "pool.py", LIST_OUTPUT)
    result = grade_path(course, folder, ["maxpool2d_forward", "maxpool2d_backward"])
    for task in ("maxpool2d_forward", "maxpool2d_backward"):
        outcomes = {c["outcome"] for c in checks_of(result, task).values()} - {"passed"}
        assert outcomes == {"failed"}, task
    feedback = checks_of(result, "maxpool2d_backward")["sends each window's gradient to that window's maximum only"]
    assert "maxpool2d_forward returned out of type list, expected shape" in feedback["feedback"]


# each: a wrong function, the task, the check it must fail, and a check of that task it must pass
PROPERTY_VIOLATIONS = {
    "linear but not shift-equivariant conv": (
        """
_reference_forward = conv2d_forward


def conv2d_forward(x, w, b, stride=1, padding=0):
    out, cache = _reference_forward(x, w, b, stride, padding)
    return out * (1 + 0.1 * np.arange(out.shape[2]))[:, None], cache
""",
        "conv.py",
        "conv2d_forward",
        EQUIVARIANCE,
        "is linear in x and in w",
    ),
    "nonlinear conv": (
        """
_reference_forward = conv2d_forward


def conv2d_forward(x, w, b, stride=1, padding=0):
    out, cache = _reference_forward(x, w, b, stride, padding)
    return out + 0.1 * out**2, cache
""",
        "conv.py",
        "conv2d_forward",
        "is linear in x and in w",
        "output has shape (N, F, floor((H + 2ph - KH)/sh) + 1, floor((W + 2pw - KW)/sw) + 1)",
    ),
    "max-pool gradient split with the runner-up": (
        """
def maxpool2d_backward(dout, cache):
    x, (kh, kw), stride = cache
    windows = _windows(x, (kh, kw), stride)
    order = np.argsort(windows.reshape(windows.shape[:4] + (kh * kw,)), axis=-1)
    top = order[..., -2:] if kh * kw > 1 else order
    shares = np.zeros(order.shape, dtype=dout.dtype)
    np.put_along_axis(shares, top, 1.0 / top.shape[-1], axis=-1)
    return _col2im((shares * dout[..., None]).reshape(windows.shape), x.shape, stride)
""",
        "pool.py",
        "maxpool2d_backward",
        "sends each window's gradient to that window's maximum only",
        "passes on all of dout: sum(dx) = sum(dout), overlapping windows accumulate",
    ),
    "average-pool gradient all on the window's first entry": (
        """
def avgpool2d_backward(dout, cache):
    x_shape, (kh, kw), stride = cache
    grads = np.zeros(dout.shape + (kh, kw), dtype=dout.dtype)
    grads[..., 0, 0] = dout
    return _col2im(grads, x_shape, stride)
""",
        "pool.py",
        "avgpool2d_backward",
        "spreads each window's gradient evenly over the window",
        "passes on all of dout: sum(dx) = sum(dout), overlapping windows accumulate",
    ),
    "db off by a factor 1.5": (
        """
_reference_backward = conv2d_backward


def conv2d_backward(dout, cache):
    dx, dw, db = _reference_backward(dout, cache)
    return dx, dw, 1.5 * db
""",
        "conv.py",
        "conv2d_backward",
        "matches the reference backward for a random upstream gradient",
        "leaves dout and its cache unchanged",
    ),
}


def run_named_checks(course, folder, task, names):
    """{name: CheckResult} of these checks of task only (quick profile)."""
    student = open_submission(course, folder)
    try:
        ctx = Context(course, student, reference(course))
        examples = course.max_examples(course.task(task), "quick")
        return {c.name: run_check(c, ctx, examples) for c in checks_for(task) if c.name in names}
    finally:
        student.close()


@pytest.mark.parametrize("violation", PROPERTY_VIOLATIONS)
def test_a_property_check_fails_for_its_property(course, tmp_path, violation):
    source, file_name, task, failing, passing = PROPERTY_VIOLATIONS[violation]
    checks = run_named_checks(course, submission(tmp_path, file_name, source), task, {failing, passing})
    assert checks[failing].outcome == "failed", checks[failing]
    assert checks[passing].passed, checks[passing]


def test_every_a4_task_is_fed_float64_and_float32(course):
    student = RecordingSubmission(course, ROOT / "examples" / "class" / "ben")
    try:
        grade(course, student, course.select([ASSIGNMENT]), profile="quick")
    finally:
        student.close()
    for task in course.assignment(ASSIGNMENT).tasks:
        fed = [line for line in student.fed if line.startswith(f"('{task.name}',")]
        assert any("dtype=float32" in line for line in fed), task.name
        assert any("dtype=float32" not in line and "array(" in line for line in fed), task.name
