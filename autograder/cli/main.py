"""The `course` command: list, check, grade, report, validate, release, secret, train."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograder.classgrading.batch import Progress, Settings, grade_batch
from autograder.classgrading.class_plots import PlottingUnavailable
from autograder.classgrading.gradebook import Gradebook, export
from autograder.cli import train
from autograder.course import config
from autograder.course.config import ConfigError
from autograder.execution.sandbox import MODES, Limits, SandboxError
from autograder.execution.submission import SubmissionError
from autograder.grading import report
from autograder.grading.determinism import PRACTICE, Inputs, official_inputs
from autograder.grading.replay import MissingRecording, RecordingError, require_official
from autograder.grading.runner import grade_folder
from autograder.publishing import gradescope
from autograder.publishing.release import HANDOUTS, PublishError, ReleaseError, differences, release
from autograder.runtime import language
from autograder.runtime.language import _


def _course(args) -> config.Course:
    root = Path(args.course) if args.course else config.find_root(Path.cwd())
    if args.course and not (root / config.MANIFEST).is_file():
        raise ConfigError(_("{root}: no {manifest} there").format(root=root, manifest=config.MANIFEST))
    course = config.load(root)
    _speak(args, course)
    return course


def _emit(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


def cmd_list(args) -> int:
    course = _course(args)
    # columns as wide as their longest entry: a long task or file name never pushes the rest out
    name_width = max((len(t.name) for t in course.tasks), default=0)
    file_width = max((len(t.file) for t in course.tasks), default=0)
    for assignment in course.assignments:
        points = sum(t.points for t in assignment.tasks)
        print(
            _("{id}  {title}  ({points} points)").format(id=assignment.id, title=assignment.title, points=f"{points:g}")
        )
        for task in assignment.tasks:
            print(f"  {task.name:<{name_width}}  {task.file:<{file_width}}  {task.points:g}")
    return 0


def _speak(args, course: config.Course | None) -> None:
    """Write from now on in the language of --lang, else the environment's, else course.yml's
    (a command without --lang: the environment's, else course.yml's)."""
    language.use(language.choose(getattr(args, "lang", None), course.language if course else None))


def cmd_check(args) -> int:
    course = _course(args)
    course.select(args.names)  # an unknown name fails here, before any grading
    result = grade_folder(
        course,
        course.root / "assignments",
        args.names,
        profile="full" if args.full else "quick",
        isolated=args.worker,
        limits=_limits(args),
        sandbox=args.sandbox,
    )
    _emit(_render(course, result, args.format), None)
    return 0 if result["score"] == result["max_score"] else 1


def _render(course, result: dict, fmt: str) -> str:
    """The result as the table, JSON, or Gradescope's results.json (with course.yml's settings)."""
    if fmt == "gradescope":
        return json.dumps(gradescope.results_json(result, gradescope.load_settings(course)), indent=2)
    return report.render(result, fmt)


def _limits(args) -> Limits:
    return Limits(timeout=args.timeout, memory_mb=args.memory)


def grading_inputs(course: config.Course) -> Inputs:
    """The official inputs when the offering has a secret; else the practice inputs (see practice_warning)."""
    inputs = official_inputs(course)
    if inputs is None:
        return PRACTICE
    require_official(course)
    return inputs


def practice_warning(course: config.Course) -> None:
    """Once, on stderr, beside grades made on the practice inputs."""
    told = _(
        "course: warning: no grading secret (${variable} or {file}): graded on the public practice inputs; "
        "`course secret` makes one for official grading"
    )
    print(told.format(variable=config.SECRET_VARIABLE, file=course.secret_file), file=sys.stderr)


def _cluster_runner(address: str | None):
    """The batch runner of `--dask ADDRESS` (None: this machine's pool)."""
    if address is None:
        return None
    from autograder.classgrading import cluster  # imports distributed only when asked to

    return cluster.runner(address)


def cmd_grade(args) -> int:
    course = _course(args)
    course.select(args.only)
    if args.format == "gradescope" and len(args.submissions) > 1:
        raise ConfigError(_("--format gradescope takes one submission at a time (or use --export DIR)"))
    settings = Settings(
        tuple(args.only) if args.only else None,
        "quick" if args.quick else "full",
        not args.in_process,
        _limits(args),
        args.sandbox,
        grading_inputs(course),
        language.current(),
    )
    gradebook = Gradebook(Path(args.gradebook)) if args.gradebook else None
    progress = Progress(len(args.submissions)) if len(args.submissions) > 1 else None
    if progress:
        progress.begin(args.jobs)
    try:
        outcome = grade_batch(
            course,
            [Path(p) for p in args.submissions],
            settings,
            jobs=args.jobs,
            gradebook=gradebook,
            progress=progress,
            run=_cluster_runner(args.dask),
        )
    except KeyboardInterrupt:
        told = (
            _("course: interrupted; finished results are in {gradebook}: run the same command to go on")
            if gradebook
            else _("course: interrupted")
        )
        print(told.format(gradebook=args.gradebook), file=sys.stderr)
        return 130
    finally:
        if gradebook:
            gradebook.close()
    for entry in outcome.problems:
        print(_("course: skipped {problem}").format(problem=entry.problem), file=sys.stderr)
    if args.export:  # unreadable submissions too, with 0 points: an upload from it leaves no one out
        written = export(
            [(entry.student, result) for entry, result in outcome.graded],
            Path(args.export),
            [(entry.student, entry.problem) for entry in outcome.problems],
            gradescope.load_settings(course),
        )
        print(
            _("course: wrote {count} file(s) in {folder}").format(count=len(written), folder=args.export),
            file=sys.stderr,
        )
    if not outcome.graded:
        raise SubmissionError(_("no submission could be read"))
    if settings.inputs is PRACTICE:
        practice_warning(course)
    if len(args.submissions) == 1:
        _emit(_render(course, outcome.graded[0][1], args.format), args.out)
    elif args.format == "json":
        _emit(
            json.dumps(
                {
                    "submissions": [
                        {"student": e.student, "path": e.source, **report.shown(r)} for e, r in outcome.graded
                    ]
                },
                indent=2,
            ),
            args.out,
        )
    else:
        _emit("\n\n".join(f"== {e.source}\n{_render(course, r, args.format)}" for e, r in outcome.graded), args.out)
    return 0


def cmd_report(args) -> int:
    from autograder.classgrading import class_report

    try:
        _course(args)  # for the course's language, when there is a course
    except ConfigError:  # the report needs no course: the gradebook holds everything it shows
        pass
    if not Path(args.gradebook).is_file():
        raise FileNotFoundError(_("{path}: no such gradebook").format(path=args.gradebook))
    gradebook = Gradebook(Path(args.gradebook))
    try:
        written = class_report.build(gradebook, Path(args.out))
    finally:
        gradebook.close()
    told = _("course: wrote the class report {path} and {count} feedback page(s)")
    print(told.format(path=written[0], count=len(written) - 1), file=sys.stderr)
    return 0


def _language_option(command) -> None:
    command.add_argument(
        "--lang",
        choices=language.LANGUAGES,
        help="the language of the feedback: en or ko (default: the environment's LANGUAGE, LC_ALL, "
        "LC_MESSAGES or LANG when it names one of them, else course.yml's grading.language, else en)",
    )


def _isolation_options(command) -> None:
    command.add_argument(
        "--sandbox",
        choices=MODES,
        default="auto",
        help="isolate workers with bubblewrap: auto (when it works here), bwrap (required), none",
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=Limits.timeout,
        metavar="SECONDS",
        help=f"wall-clock limit per call of student code (default {Limits.timeout:g})",
    )
    command.add_argument(
        "--memory",
        type=int,
        default=Limits.memory_mb,
        metavar="MB",
        help=f"address-space limit of a worker (default {Limits.memory_mb})",
    )


def cmd_validate(args) -> int:
    from autograder.cli.validate import validate

    course = _course(args)
    problems = validate(
        course,
        profile="quick" if args.quick else "full",
        isolated=args.worker,
        report=lambda line: print(line, flush=True),  # progress, line by line, even through a pipe
    )
    for problem in problems:
        print(_("  problem: {problem}").format(problem=problem))
    print(_("validate: ok") if not problems else _("validate: {count} problem(s)").format(count=len(problems)))
    return 0 if not problems else 1


def cmd_release(args) -> int:
    course = _course(args)
    if args.bundle:
        return _release_bundle(course, args)
    if args.out or args.only or args.bundle_lang != "en":
        raise ConfigError(_("--out, --only and --lang go with --bundle"))
    if args.check:
        problems = differences(course.root)
        for problem in problems:
            print(problem)
        if problems:
            print(_("assignments/ is out of date: run `course release`"), file=sys.stderr)
            return 1
        print(_("assignments/ matches solutions/"))
        return 0
    written = release(course.root)
    print(
        _("wrote {count} file(s) in assignments/").format(count=len(written))
        if written
        else _("assignments/ already up to date")
    )
    return 0


def _release_bundle(course, args) -> int:
    """`course release --bundle student|gradescope|nbgrader --out PATH [--only ASSIGNMENT...] [--lang ko]`."""
    import time

    from autograder.publishing import bundle, notebooks
    from autograder.publishing.offering import offering_inputs

    if args.check:
        raise ConfigError(_("--check compares assignments/ with solutions/; it does not go with --bundle"))
    if not args.out:
        raise ConfigError(_("--bundle {bundle} needs --out").format(bundle=args.bundle))
    out = Path(args.out)
    # the staff's bundles carry the offering's secret: refused before any work without one
    inputs = None if args.bundle == "student" else offering_inputs(course)
    started = time.perf_counter()
    if args.bundle == "gradescope":
        chosen = bundle.chosen_assignments(course, args.only)
        gradescope.build_zip(course, out, chosen)
    else:
        chosen = bundle.build_student_bundle(course, out, args.only, lang=args.bundle_lang)
        if args.bundle == "nbgrader":
            assert inputs is not None  # offering_inputs refused to go on without a secret
            notebooks.write_nbgrader_folder(course, chosen, out, course_id=out.resolve().name, inputs=inputs)
    told = _("wrote the {bundle} bundle of {assignments} to {out} in {seconds} s")
    print(
        told.format(
            bundle=args.bundle, assignments=", ".join(chosen), out=out, seconds=f"{time.perf_counter() - started:.1f}"
        )
    )
    return 0


def cmd_secret(args) -> int:
    course = _course(args)
    if args.show:
        inputs = official_inputs(course)
        told = _("no grading secret: `course secret` writes {file}")
        print(inputs.identity if inputs else told.format(file=course.secret_file))
        return 0 if inputs else 1
    path = config.write_secret(course, rotate=args.rotate)
    written = official_inputs(course)
    assert written is not None  # just written
    told = _(
        "wrote a new grading secret to {path} (mode 0600, kept out of git); official inputs: "
        "{identity}. Rebuild the Gradescope and nbgrader bundles with it."
    )
    print(told.format(path=path, identity=written.identity))
    return 0


def cmd_train(args) -> int:
    course = _course(args)
    print(
        train.run(
            course, args.demo, folder=args.source, seed=args.seed, cell=args.cell, budget=args.budget, plot=args.plot
        )
    )
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="course", description="The course's autograder.")
    main.add_argument(
        "--course", metavar="DIR", help="the course folder (default: the one around the working directory)"
    )
    sub = main.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="assignments, tasks and points").set_defaults(run=cmd_list)

    check = sub.add_parser("check", help="self-check your own assignments/ (quick profile)")
    check.add_argument("names", nargs="*", metavar="ASSIGNMENT|TASK")
    check.add_argument("--full", action="store_true", help="use the full profile of official grading")
    check.add_argument("--format", choices=["table", "json", "gradescope"], default="table")
    check.add_argument(
        "--worker", action="store_true", help="run your code in a sandboxed worker process, as official grading does"
    )
    _language_option(check)
    _isolation_options(check)
    check.set_defaults(run=cmd_check)

    grade_cmd = sub.add_parser("grade", help="grade submissions (folders or .zip files, one per student)")
    grade_cmd.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    grade_cmd.add_argument("--only", nargs="+", metavar="ASSIGNMENT|TASK")
    grade_cmd.add_argument("--format", choices=["table", "json", "gradescope"], default="table")
    grade_cmd.add_argument("--out", metavar="FILE")
    grade_cmd.add_argument("--quick", action="store_true", help="use the quick profile")
    grade_cmd.add_argument(
        "--jobs",
        type=int,
        default=len(os.sched_getaffinity(0)),
        metavar="N",
        help="submissions graded at once (default: one per CPU core)",
    )
    grade_cmd.add_argument(
        "--gradebook",
        metavar="FILE.sqlite",
        help="record results in this SQLite gradebook; already graded submissions are skipped",
    )
    grade_cmd.add_argument(
        "--export",
        metavar="DIR",
        help="write DIR/grades.csv, DIR/results/<student>.json and DIR/gradescope/<student>.json",
    )
    _language_option(grade_cmd)
    grade_cmd.add_argument(
        "--in-process",
        action="store_true",
        help="run student code in the grader's own process (fast, no isolation: trusted code only)",
    )
    grade_cmd.add_argument(
        "--dask",
        metavar="tcp://HOST:PORT",
        help="grade on the Dask cluster of this scheduler, each machine with the course installed (docs/scaling.md)",
    )
    _isolation_options(grade_cmd)
    grade_cmd.set_defaults(run=cmd_grade)

    report_cmd = sub.add_parser("report", help="the class report and a feedback page per student, from a gradebook")
    report_cmd.add_argument("gradebook", metavar="GRADEBOOK", help="the SQLite gradebook of `course grade --gradebook`")
    report_cmd.add_argument("--out", required=True, metavar="DIR", help="writes DIR/index.html and DIR/students/")
    _language_option(report_cmd)
    report_cmd.set_defaults(run=cmd_report)

    validate_cmd = sub.add_parser("validate", help="reference full marks, stubs zero, every mistake caught")
    validate_cmd.add_argument("--quick", action="store_true", help="use the quick profile")
    validate_cmd.add_argument("--worker", action="store_true", help="grade in sandboxed worker processes")
    validate_cmd.set_defaults(run=cmd_validate)

    release_cmd = sub.add_parser("release", help="write assignments/ from solutions/, or publish a bundle")
    release_cmd.add_argument("--check", action="store_true", help="only report differences (exit 1 if any)")
    release_cmd.add_argument(
        "--bundle",
        choices=["student", "gradescope", "nbgrader"],
        help="publish: the student bundle (a folder), Gradescope's autograder zip, "
        "or an nbgrader course folder (docs/publishing.md)",
    )
    release_cmd.add_argument("--out", metavar="PATH", help="where the bundle goes (a new folder, or the .zip)")
    release_cmd.add_argument("--only", nargs="+", metavar="ASSIGNMENT", help="bundle these assignments only")
    release_cmd.add_argument(
        "--lang",
        dest="bundle_lang",
        choices=sorted(HANDOUTS),
        default="en",
        help="the language of the bundle's notebooks (ko: the Korean handouts); both handouts go in either way",
    )
    release_cmd.set_defaults(run=cmd_release)

    secret_cmd = sub.add_parser("secret", help="make the offering's grading secret (official inputs come from it)")
    secret_cmd.add_argument("--rotate", action="store_true", help="replace the existing secret (a new offering)")
    secret_cmd.add_argument(
        "--show", action="store_true", help="print the identity (a hash) of the secret in use, never the secret itself"
    )
    secret_cmd.set_defaults(run=cmd_secret)

    train_cmd = sub.add_parser("train", help="train the a6 demos with a framework (yours by default)")
    train_cmd.add_argument("demo", choices=["digits", "adding"])
    train_cmd.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm", help="for the adding problem")
    train_cmd.add_argument(
        "--from",
        dest="source",
        default="assignments",
        metavar="DIR",
        help="the course package tree to train with (default: assignments)",
    )
    train_cmd.add_argument("--budget", type=int, metavar="N", help="epochs (digits) or steps (adding)")
    train_cmd.add_argument("--seed", type=int, default=0)
    train_cmd.add_argument("--plot", metavar="PNG", help="save the loss and accuracy curves here")
    train_cmd.set_defaults(run=cmd_train)
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    _speak(args, None)  # the course's default joins when its course.yml is read
    try:
        return args.run(args)
    except (
        ConfigError,
        SubmissionError,
        ReleaseError,
        SandboxError,
        FileNotFoundError,
        PublishError,
        RecordingError,
        MissingRecording,
        PlottingUnavailable,
    ) as error:
        print(_("course: error: {error}").format(error=error), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
