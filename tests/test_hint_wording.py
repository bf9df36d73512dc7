"""Every hint says what the student's code does, then the fix: "your db is the mean of dout over
the batch; the bias is added to every row, so db is the sum", never an instruction alone.

The hints are found where they are written: module-level HINT_* constants and the literal
strings given as a hint (hint=..., CheckFailure(message, hint), hint_on_failure(hint)) in the
check and mistake modules, the constants diagnosis.py words its diagnoses with, and every registered mistake's
hint. Placeholders ({name}) stand for words of the sentence and are kept as they are.
"""

import ast
import re

import pytest
from conftest import ROOT

from autograder.course import config
from autograder.grading.mistake_registry import all_mistakes, load_mistakes

HINT_MODULES = [
    *sorted((ROOT / "autograder" / "checks").glob("*.py")),
    *sorted((ROOT / "autograder" / "mistakes").glob("*.py")),
    ROOT / "autograder" / "grading" / "diagnosis.py",
    ROOT / "autograder" / "grading" / "numeric.py",
]


def describes_the_code(hint: str) -> bool:
    """hint begins with what the student's code does ("your ...", "you ...") and gives the fix
    after a ':' or ';'."""
    return re.match(r"(your|you)\b", hint) is not None and re.search(r"\S[:;] \S", hint) is not None


def _text(node) -> str | None:
    """The text of a literal hint: a string, an f-string (its placeholders as {...}) or an implicit
    concatenation of them; None for anything computed (a name, a call)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{...}" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", "") in ("N_", "_", "Message"):
        return _text(node.args[0])  # marked for the message catalog (docs/languages.md)
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "format":
        return _text(node.func.value)  # _("... {name} ...").format(name=...)
    return None


def _is_hint_call(node: ast.Call) -> bool:
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
    return name in ("CheckFailure", "hint_on_failure")


def written_hints(path):
    """(line, text) of every literal hint written in the module at path."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.startswith("HINT_") for t in node.targets
        ):
            found.append(node.value)
        elif isinstance(node, ast.Call):
            found.extend(k.value for k in node.keywords if k.arg == "hint")
            if _is_hint_call(node):
                hint_at = 1 if getattr(node.func, "id", "") == "CheckFailure" else 0
                if len(node.args) > hint_at:
                    found.append(node.args[hint_at])
    if path.name == "diagnosis.py":  # its diagnoses are module-level constants of any upper-case name
        found.extend(
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
        )
    return [(node.lineno, text) for node in found if (text := _text(node)) is not None]


WRITTEN = [(f"{path.relative_to(ROOT)}:{line}", text) for path in HINT_MODULES for line, text in written_hints(path)]
COURSE = config.load(ROOT)
load_mistakes([a.id for a in COURSE.assignments])


def test_hints_are_found():
    assert len(WRITTEN) > 100
    assert {m.hint for m in all_mistakes()}


@pytest.mark.parametrize("where, hint", WRITTEN, ids=[where for where, _ in WRITTEN])
def test_written_hint_says_what_the_code_does_then_the_fix(where, hint):
    assert describes_the_code(hint), f"{where}: {hint!r}"


def test_every_mistake_hint_says_what_the_code_does_then_the_fix():
    bad = [f"{m.name}: {m.hint!r}" for m in all_mistakes() if not describes_the_code(m.hint)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "instruction",
    [
        "call optimizer.zero_grad() before each backward: gradients accumulate across steps",
        "eps goes outside the square root: divide by np.sqrt(v) + eps, not np.sqrt(v + eps)",
        "Flatten.backward must reshape dout back to the input's shape",
        "your dW is wrong",  # what the code does, but no fix
    ],
)
def test_an_instruction_alone_is_not_a_hint(instruction):
    assert not describes_the_code(instruction)


def test_the_scan_finds_an_instruction_written_as_a_hint(tmp_path):
    module = tmp_path / "checks.py"
    module.write_text(
        'HINT_X = "your x is y: use z"\n'
        'HINT_Y = ("use z " "instead of y")\n'
        'raise CheckFailure("message", "divide by N")\n'
        '@mistake("t", hint=f"you {1}: fix")\ndef f(): ...\n',
        encoding="utf-8",
    )
    hints = [text for _, text in written_hints(module)]
    assert sorted(hints) == sorted(["your x is y: use z", "use z instead of y", "divide by N", "you {...}: fix"])
    assert [describes_the_code(h) for h in hints].count(False) == 2
