"""Write the student stubs in assignments/ from the reference solutions in solutions/.

Python files are copied with every `# BEGIN SOLUTION` ... `# END SOLUTION` block replaced by
`raise NotImplementedError` at the block's indentation (a block at module level is dropped);
every other file (the handouts: README.md and its Korean version README.ko.md) is copied as it is.
`--check` compares instead of writing.
"""

from __future__ import annotations

import re
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
IGNORED = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
# each assignment's handout in each language of the course, by language code
HANDOUTS = {"en": "README.md", "ko": "README.ko.md"}


class ReleaseError(Exception):
    """A solution file whose markers do not pair up."""


class PublishError(Exception):
    """A bundle cannot be made: where it goes, or what goes into it (see bundle.py)."""


def strip_solutions(source: str, name: str = "<source>") -> str:
    """source with each solution block replaced by a stub line."""
    out: list[str] = []
    inside = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside is not None:
                raise ReleaseError(f"{name}:{number}: {BEGIN} inside the block opened on line {inside}")
            inside = number
            indent = line[: len(line) - len(line.lstrip())]
            if indent:
                out.append(f"{indent}raise NotImplementedError  # your code here\n")
        elif stripped == END:
            if inside is None:
                raise ReleaseError(f"{name}:{number}: {END} without a {BEGIN}")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise ReleaseError(f"{name}:{inside}: {BEGIN} is never closed")
    return re.sub(r"\n{3,}(?=\S)", "\n\n\n", "".join(out))


def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not IGNORED.intersection(path.relative_to(folder).parts) and path.suffix != ".pyc":
            yield path.relative_to(folder)


def expected_tree(root: Path) -> dict[Path, bytes]:
    """assignments/ as the release makes it: relative path -> content."""
    solutions = root / "solutions"
    if not solutions.is_dir():  # a student bundle: releasing would delete the student's work
        raise ReleaseError(f"{solutions}: this course tree has no reference solutions, so there is nothing to release")
    tree: dict[Path, bytes] = {}
    for relative in _files(solutions):
        source = solutions / relative
        if relative.suffix == ".py":
            text = source.read_text(encoding="utf-8")
            if relative == Path("__init__.py"):
                text = '"""Your solutions: fill in every function that raises NotImplementedError."""\n'
            tree[relative] = strip_solutions(text, str(source)).encode()
        else:
            tree[relative] = source.read_bytes()
    return tree


def differences(root: Path) -> list[str]:
    """Files of assignments/ that differ from what the release makes (empty when in sync)."""
    expected = expected_tree(root)
    target = root / "assignments"
    present = set(_files(target)) if target.is_dir() else set()
    problems = []
    for relative in sorted(set(expected) | present):
        path = (Path("assignments") / relative).as_posix()
        if relative not in present:
            problems.append(f"{path}: missing")
        elif relative not in expected:
            problems.append(f"{path}: not made from solutions/ (remove it or add it to solutions/)")
        elif (target / relative).read_bytes() != expected[relative]:
            problems.append(f"{path}: differs from what solutions/ makes")
    return problems


def release(root: Path) -> list[Path]:
    """Rewrite assignments/ from solutions/; returns the files written."""
    target = root / "assignments"
    expected = expected_tree(root)
    for relative in set(_files(target)) - set(expected) if target.is_dir() else ():
        (target / relative).unlink()
    written = []
    for relative, content in sorted(expected.items()):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
            written.append(path)
    return written
