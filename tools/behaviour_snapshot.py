"""Grade the reference, the stubs, the example class and every known mistake, and write the
results (without timing) as one JSON file: two snapshots of the same course must be identical.

    python tools/behaviour_snapshot.py OUT.json [--quick] [--isolated]

Used to show that a change which should not change behaviour (moving modules, renaming) did
not: take a snapshot before and after, then `cmp` them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.cli.validate import grade_mistake  # noqa: E402 - after the path is set
from autograder.course import config  # noqa: E402
from autograder.grading.mistake_registry import all_mistakes, load_mistakes  # noqa: E402
from autograder.grading.runner import grade_folder  # noqa: E402


def without_timing(result):
    if isinstance(result, dict):
        return {k: without_timing(v) for k, v in result.items() if k != "timing"}
    if isinstance(result, list):
        return [without_timing(v) for v in result]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--quick", action="store_true", help="quick profile for everything")
    parser.add_argument("--isolated", action="store_true", help="grade in sandboxed worker processes")
    options = parser.parse_args()
    course = config.load(ROOT)
    profile = "quick" if options.quick else "full"
    snapshot = {}
    for name, path in [
        ("reference", ROOT / "solutions"),
        ("stubs", ROOT / "assignments"),
        *[(f"class/{p.name}", p) for p in sorted((ROOT / "examples" / "class").iterdir())],
    ]:
        snapshot[name] = without_timing(grade_folder(course, path, profile=profile, isolated=options.isolated))
        print(name, snapshot[name]["score"], file=sys.stderr, flush=True)
    load_mistakes([a.id for a in course.assignments])
    for mistake in all_mistakes():
        snapshot[f"mistake/{mistake.task}/{mistake.name}"] = without_timing(
            grade_mistake(course, mistake, profile="quick", isolated=options.isolated)
        )
    options.out.write_text(json.dumps(snapshot, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(snapshot)} results -> {options.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
