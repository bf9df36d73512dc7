"""The commonest wrong outputs of a forward function, as submissions: the reference's result
with its output too large, too small, transposed, a list, a Python float or of the other dtype.

A check that fails shrinks the failing case through cases nobody drew; a student bundle answers
there only what its recording holds. The recording grades these wrong forwards as students, as
it grades every known mistake, so that a bundle shrinks their failures to the full course's
smallest case and words (autograder/publishing/record.py); the course's tests grade them in
both places and require the same scores and feedback.
"""

from __future__ import annotations

from autograder.grading.mistake_registry import Mistake

# name -> the wrong output, an expression of the reference's output `out` (an ndarray)
WRONG_OUTPUTS = {
    "too_large": "np.concatenate([out, out[..., -1:]], axis=-1)",
    "too_small": "out[..., :-1]",
    "transposed": "out.T",
    "list": "out.tolist()",
    "python_float": "float(out.ravel()[0])",
    "other_dtype": "out.astype(np.float32 if out.dtype == np.float64 else np.float64)",
}


def wrong_outputs(task: str) -> list[Mistake]:
    """task's reference with each wrong output, as mistakes without a hint (write_mutant makes
    each a submission); none unless task is a forward function. A forward returns (out, cache)
    or out: the output is the first item of a tuple."""
    if not task.endswith("_forward"):
        return []
    return [
        Mistake(
            task,
            f"{task}_output_{name}",
            "",
            f"_reference_{task} = {task}\n\n\n"
            f"def {task}(*args, **kwargs):\n"
            f"    result = _reference_{task}(*args, **kwargs)\n"
            f"    out = result[0] if type(result) is tuple else result\n"
            f"    wrong = {expression}\n"
            f"    return (wrong, *result[1:]) if type(result) is tuple else wrong\n",
            by_output=False,
        )
        for name, expression in WRONG_OUTPUTS.items()
    ]
