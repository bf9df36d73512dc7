"""The `course` command: list, check, grade, validate, release."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import config, demo, report
from .config import ConfigError
from .recorded import MissingRecording
from .release import PublishError, ReleaseError, differences, release
from .runner import grade_folder
from .submission import SubmissionError


def _course(args) -> config.Course:
    root = Path(args.course) if args.course else config.find_root(Path.cwd())
    if args.course and not (root / config.MANIFEST).is_file():
        raise ConfigError(f"{root}: no {config.MANIFEST} there")
    return config.load(root)


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


def cmd_list(args) -> int:
    course = _course(args)
    for assignment in course.assignments:
        points = sum(t.points for t in assignment.tasks)
        print(f"{assignment.id}  {assignment.title}  ({points:g} points)")
        for task in assignment.tasks:
            print(f"  {task.name:<24} {task.file:<16} {task.points:g}")
    return 0


def cmd_check(args) -> int:
    course = _course(args)
    course.select(args.names)  # an unknown name fails here, before any grading
    result = grade_folder(course, course.root / "assignments", args.names, profile="full" if args.full else "quick")
    _emit(report.render(result, args.format), None)
    return 0 if result["score"] == result["max_score"] else 1


def cmd_grade(args) -> int:
    course = _course(args)
    course.select(args.only)
    if args.format == "gradescope" and len(args.submissions) > 1:
        raise ConfigError("--format gradescope takes one submission at a time")
    profile = "quick" if args.quick else "full"
    results = []
    for path in args.submissions:
        try:
            results.append((path, grade_folder(course, Path(path), args.only, profile=profile)))
        except SubmissionError as error:
            print(f"course: skipped {path}: {error}", file=sys.stderr)
    if not results:
        raise SubmissionError("no submission could be read")
    if len(args.submissions) == 1:
        _emit(report.render(results[0][1], args.format), args.out)
    elif args.format == "json":
        _emit(json.dumps({"submissions": [{"path": p, **r} for p, r in results]}, indent=2), args.out)
    else:
        _emit("\n\n".join(f"== {p}\n{report.render(r, args.format)}" for p, r in results), args.out)
    return 0


def cmd_validate(args) -> int:
    from .validate import validate

    course = _course(args)
    problems = validate(course, profile="quick" if args.quick else "full")
    for problem in problems:
        print(f"  problem: {problem}")
    print("validate: ok" if not problems else f"validate: {len(problems)} problem(s)")
    return 0 if not problems else 1


def cmd_release(args) -> int:
    course = _course(args)
    if args.bundle:
        return _release_bundle(course, args)
    if args.out or args.only:
        raise ConfigError("--out and --only go with --bundle")
    if args.check:
        problems = differences(course.root)
        for problem in problems:
            print(problem)
        if problems:
            print("assignments/ is out of date: run `course release`", file=sys.stderr)
            return 1
        print("assignments/ matches solutions/")
        return 0
    written = release(course.root)
    print(f"wrote {len(written)} file(s) in assignments/" if written else "assignments/ already up to date")
    return 0


def _release_bundle(course, args) -> int:
    """`course release --bundle student|gradescope|nbgrader --out PATH [--only ASSIGNMENT...]`."""
    import time

    from . import bundle, gradescope, notebooks

    if args.check:
        raise ConfigError("--check compares assignments/ with solutions/; it does not go with --bundle")
    if not args.out:
        raise ConfigError(f"--bundle {args.bundle} needs --out")
    out = Path(args.out)
    started = time.perf_counter()
    if args.bundle == "gradescope":
        chosen = bundle.chosen_assignments(course, args.only)
        gradescope.build_zip(course, out, chosen)
    else:
        chosen = bundle.build_student_bundle(course, out, args.only)
        if args.bundle == "nbgrader":
            notebooks.write_nbgrader_folder(course, chosen, out, course_id=out.resolve().name)
    print(f"wrote the {args.bundle} bundle of {', '.join(chosen)} to {out} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_train(args) -> int:
    course = _course(args)
    print(demo.run(course, args.demo, folder=args.source, seed=args.seed, cell=args.cell,
                   budget=args.budget, plot=args.plot))
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="course", description="The course's autograder.")
    main.add_argument("--course", metavar="DIR", help="the course folder (default: the one around the working directory)")
    sub = main.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="assignments, tasks and points").set_defaults(run=cmd_list)

    check = sub.add_parser("check", help="self-check your own assignments/ (quick profile)")
    check.add_argument("names", nargs="*", metavar="ASSIGNMENT|TASK")
    check.add_argument("--full", action="store_true", help="use the full profile of official grading")
    check.add_argument("--format", choices=["table", "json", "gradescope"], default="table")
    check.set_defaults(run=cmd_check)

    grade_cmd = sub.add_parser("grade", help="grade submissions (course trees or folders of student files)")
    grade_cmd.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    grade_cmd.add_argument("--only", nargs="+", metavar="ASSIGNMENT|TASK")
    grade_cmd.add_argument("--format", choices=["table", "json", "gradescope"], default="table")
    grade_cmd.add_argument("--out", metavar="FILE")
    grade_cmd.add_argument("--quick", action="store_true", help="use the quick profile")
    grade_cmd.set_defaults(run=cmd_grade)

    validate_cmd = sub.add_parser("validate", help="reference full marks, stubs zero, every mistake caught")
    validate_cmd.add_argument("--quick", action="store_true", help="use the quick profile")
    validate_cmd.set_defaults(run=cmd_validate)

    release_cmd = sub.add_parser("release", help="write assignments/ from solutions/, or publish a bundle")
    release_cmd.add_argument("--check", action="store_true", help="only report differences (exit 1 if any)")
    release_cmd.add_argument("--bundle", choices=["student", "gradescope", "nbgrader"],
                             help="publish: the student bundle (a folder), Gradescope's autograder zip, "
                                  "or an nbgrader course folder (docs/publishing.md)")
    release_cmd.add_argument("--out", metavar="PATH", help="where the bundle goes (a new folder, or the .zip)")
    release_cmd.add_argument("--only", nargs="+", metavar="ASSIGNMENT", help="bundle these assignments only")
    release_cmd.set_defaults(run=cmd_release)

    train_cmd = sub.add_parser("train", help="train the a6 demos with a framework (yours by default)")
    train_cmd.add_argument("demo", choices=["digits", "adding"])
    train_cmd.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm", help="for the adding problem")
    train_cmd.add_argument("--from", dest="source", default="assignments", metavar="DIR",
                           help="the course package tree to train with (default: assignments)")
    train_cmd.add_argument("--budget", type=int, metavar="N", help="epochs (digits) or steps (adding)")
    train_cmd.add_argument("--seed", type=int, default=0)
    train_cmd.add_argument("--plot", metavar="PNG", help="save the loss and accuracy curves here")
    train_cmd.set_defaults(run=cmd_train)
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (ConfigError, SubmissionError, ReleaseError, FileNotFoundError, PublishError, MissingRecording) as error:
        print(f"course: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0

