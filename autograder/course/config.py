"""Load and validate course.yml, with errors that name the place and the fix."""

from __future__ import annotations

import difflib
import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from autograder.runtime import language
from autograder.runtime.language import N_, _

MANIFEST = "course.yml"
SECRET_FILE = ".course-secret"  # where `course secret` writes, unless grading.secret_file says otherwise
SECRET_VARIABLE = "COURSE_SECRET"  # overrides the file
SECRET_BYTES = 32  # what `course secret` draws: 256 bits
MIN_SECRET_BYTES = 16  # a secret given by hand must have at least 128 bits


class ConfigError(Exception):
    """course.yml is missing or malformed; the message names the place and the fix."""


@dataclass(frozen=True)
class Task:
    name: str  # the spec's own function or class name
    assignment: str
    file: str  # file name inside the assignment folder
    points: float
    examples: dict[str, int] = field(default_factory=dict)  # per-profile overrides
    check_seconds: float | None = None  # this task's own time budget per check (None: the course's)


@dataclass(frozen=True)
class Budgets:
    """Wall-clock seconds that grading may spend on one check and on one submission
    (docs/isolation.md, "Budgets"); course.yml's grading.budgets, else these defaults."""

    check_seconds: float = 120.0
    submission_seconds: float = 1500.0


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    tasks: tuple[Task, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(task.file for task in self.tasks))


@dataclass(frozen=True)
class Course:
    root: Path
    name: str
    profiles: dict[str, int]  # profile name -> max_examples
    assignments: tuple[Assignment, ...]
    budgets: Budgets = Budgets()
    secret_file: str = SECRET_FILE  # relative to root: the offering's grading secret (docs/isolation.md)
    language: str = language.SOURCE  # of the feedback, unless --lang or the environment says otherwise
    # course.yml as read, for the sections other layers own (gradescope:, read by publishing):
    # the file is read once, here
    manifest: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def secret_path(self) -> Path:
        return self.root / self.secret_file

    @functools.cached_property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(task for assignment in self.assignments for task in assignment.tasks)

    @functools.cached_property
    def _task_by_name(self) -> dict[str, Task]:
        # looked up on every call of student code: a dict, not a scan of the course
        by_name: dict[str, Task] = {}
        for task in self.tasks:
            by_name.setdefault(task.name, task)
        return by_name

    def task(self, name: str) -> Task:
        try:
            return self._task_by_name[name]
        except KeyError:
            raise KeyError(name) from None

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        raise KeyError(assignment_id)

    def find_assignment(self, name: str) -> Assignment | None:
        """The assignment of this id, or of this short name (`a0` for `a0_foundations`)."""
        for assignment in self.assignments:
            if name in (assignment.id, assignment.id.split("_")[0]):
                return assignment
        return None

    def unknown(self, name: str, kinds: str = N_("assignment or task")) -> ConfigError:
        """The error for a name that is none of these kinds (a message marked with N_), with the
        nearest known names, in the language of the run."""
        known = [a.id for a in self.assignments] + ([t.name for t in self.tasks] if "task" in kinds else [])
        by_case = {k.lower(): k for k in reversed(known)}  # a case-insensitive match names one spelling
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6) or [
            by_case[k] for k in difflib.get_close_matches(name.lower(), list(by_case), n=3, cutoff=0.6)
        ]
        if not close:
            told = _("unknown {kinds} {name} (`course list` shows them all)")
            return ConfigError(told.format(kinds=language.translate(kinds), name=repr(name)))
        told = _("unknown {kinds} {name}; did you mean {names}? (`course list` shows them all)")
        names = _(" or ").join(close)
        return ConfigError(told.format(kinds=language.translate(kinds), name=repr(name), names=names))

    def select(self, names: list[str] | None) -> tuple[Task, ...]:
        """Tasks named directly or through their assignment (its id or short name); all when
        names is empty."""
        if not names:
            return self.tasks
        known_tasks = {t.name: t for t in self.tasks}
        chosen: dict[str, Task] = {}
        for name in names:
            assignment = self.find_assignment(name)
            if assignment is not None:
                chosen.update((t.name, t) for t in assignment.tasks)
            elif name in known_tasks:
                chosen[name] = known_tasks[name]
            else:
                raise self.unknown(name)
        return tuple(t for t in self.tasks if t.name in chosen)

    def max_examples(self, task: Task, profile: str) -> int:
        return task.examples.get(profile, self.profiles[profile])

    def check_seconds(self, task: Task) -> float:
        """The time budget of each of task's checks."""
        return task.check_seconds if task.check_seconds is not None else self.budgets.check_seconds


def _parse_secret(text: str, where: str) -> bytes:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise ConfigError(
            _("{where}: the grading secret must be hexadecimal; `course secret --rotate` makes a new one").format(
                where=where
            )
        ) from None
    if len(secret) < MIN_SECRET_BYTES:
        told = _("{where}: the grading secret must have at least {digits} hex digits")
        raise ConfigError(told.format(where=where, digits=MIN_SECRET_BYTES * 2))
    return secret


def load_secret(course: Course) -> bytes | None:
    """The offering's grading secret: $COURSE_SECRET (hex), else the file course.yml names
    (grading.secret_file, default .course-secret), else None."""
    if os.environ.get(SECRET_VARIABLE):
        return _parse_secret(os.environ[SECRET_VARIABLE], f"${SECRET_VARIABLE}")
    try:
        text = course.secret_path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        told = _("{path}: cannot read the grading secret ({error})")
        raise ConfigError(told.format(path=course.secret_path, error=error)) from None
    return _parse_secret(text, str(course.secret_path))


def write_secret(course: Course, *, rotate: bool = False) -> Path:
    """Draw a new 256-bit secret into the course's secret file, readable by its owner only
    (mode 0600, created so, never widened first). An existing one is kept unless rotate."""
    path = course.secret_path
    if path.exists() and not rotate:
        told = _("{path} exists; `course secret --rotate` replaces it (a new offering's inputs)")
        raise ConfigError(told.format(path=path))
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    os.replace(fresh, path)
    return path


def find_root(start: Path) -> Path:
    """The nearest folder at or above start that holds course.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / MANIFEST).is_file():
            return folder
    told = _(
        "no {manifest} in {start} or any folder above it: run this inside the course folder, or name it "
        "with --course DIR (course --course DIR check ...)"
    )
    raise ConfigError(told.format(manifest=MANIFEST, start=start))


def _require(mapping, key, where, kind):
    if not isinstance(mapping, dict) or key not in mapping:
        raise ConfigError(
            _("{manifest}: {where} needs a '{key}' entry").format(manifest=MANIFEST, where=where, key=key)
        )
    value = mapping[key]
    if not isinstance(value, kind):
        told = _("{manifest}: {where}.{key} must be a {kind}, got {value}")
        raise ConfigError(told.format(manifest=MANIFEST, where=where, key=key, kind=kind.__name__, value=repr(value)))
    return value


def _seconds(value, where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        told = _("{manifest}: {where} must be a positive number of seconds, got {value}")
        raise ConfigError(told.format(manifest=MANIFEST, where=where, value=repr(value)))
    return float(value)


def _budgets(grading) -> Budgets:
    spec = grading.get("budgets", {})
    if not isinstance(spec, dict) or set(spec) - {"check_seconds", "submission_seconds"}:
        told = _("{manifest}: grading.budgets takes check_seconds and submission_seconds, got {spec}")
        raise ConfigError(told.format(manifest=MANIFEST, spec=repr(spec)))
    return Budgets(**{key: _seconds(value, f"grading.budgets.{key}") for key, value in spec.items()})


def _task(name, spec, assignment_id, file_name, where) -> Task:
    check_seconds = None
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        points, examples = spec, {}
    elif isinstance(spec, dict):
        points = _require(spec, "points", where, (int, float))
        examples = spec.get("examples", {})
        if not isinstance(examples, dict) or not all(isinstance(v, int) and v > 0 for v in examples.values()):
            told = _("{manifest}: {where}.examples must map profile names to positive ints")
            raise ConfigError(told.format(manifest=MANIFEST, where=where))
        if "check_seconds" in spec:
            check_seconds = _seconds(spec["check_seconds"], f"{where}.check_seconds")
    else:
        told = _("{manifest}: {where} must be a number of points or {{points: N}}, got {spec}")
        raise ConfigError(told.format(manifest=MANIFEST, where=where, spec=repr(spec)))
    if points < 0:
        raise ConfigError(
            _("{manifest}: {where} has negative points ({points})").format(
                manifest=MANIFEST, where=where, points=points
            )
        )
    return Task(name, assignment_id, file_name, float(points), dict(examples), check_seconds)


def load(root: Path) -> Course:
    path = root / MANIFEST
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(_("{path} not found").format(path=path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        told = (
            _("{manifest} line {line}: not valid YAML ({problem})")
            if mark
            else _("{manifest}: not valid YAML ({problem})")
        )
        problem = getattr(error, "problem", error)
        raise ConfigError(told.format(manifest=MANIFEST, line=mark.line + 1 if mark else 0, problem=problem)) from None
    if not isinstance(data, dict):
        raise ConfigError(_("{manifest}: expected a mapping at the top level").format(manifest=MANIFEST))
    grading = _require(data, "grading", "the top level", dict)
    profiles_spec = _require(grading, "profiles", "grading", dict)
    profiles = {}
    for profile in ("quick", "full"):
        spec = _require(profiles_spec, profile, "grading.profiles", dict)
        count = _require(spec, "max_examples", f"grading.profiles.{profile}", int)
        if count < 1:
            told = _("{manifest}: grading.profiles.{profile}.max_examples must be >= 1")
            raise ConfigError(told.format(manifest=MANIFEST, profile=profile))
        profiles[profile] = count
    secret_file = grading.get("secret_file", SECRET_FILE)
    if (
        not isinstance(secret_file, str)
        or not secret_file
        or PurePosixPath(secret_file).is_absolute()
        or ".." in PurePosixPath(secret_file).parts
    ):
        told = _("{manifest}: grading.secret_file must be a path inside the course folder, got {value}")
        raise ConfigError(told.format(manifest=MANIFEST, value=repr(secret_file)))
    feedback_language = grading.get("language", language.SOURCE)
    if feedback_language not in language.LANGUAGES:
        told = _("{manifest}: grading.language must be one of {languages}, got {value}")
        raise ConfigError(
            told.format(manifest=MANIFEST, languages=", ".join(language.LANGUAGES), value=repr(feedback_language))
        )
    assignments = []
    seen: dict[str, str] = {}
    for assignment_id, spec in _require(data, "assignments", "the top level", dict).items():
        where = f"assignments.{assignment_id}"
        files = _require(spec, "files", where, dict)
        tasks = []
        for file_name, task_specs in files.items():
            if not isinstance(task_specs, dict) or not task_specs:
                told = _("{manifest}: {where}.files.{file} must map task names to points")
                raise ConfigError(told.format(manifest=MANIFEST, where=where, file=file_name))
            for name, task_spec in task_specs.items():
                if name in seen:
                    told = _("{manifest}: task {name} appears twice ({first} and {where})")
                    raise ConfigError(told.format(manifest=MANIFEST, name=repr(name), first=seen[name], where=where))
                seen[name] = where
                tasks.append(_task(name, task_spec, assignment_id, file_name, f"{where}.files.{file_name}.{name}"))
        assignments.append(Assignment(assignment_id, str(spec.get("title", assignment_id)), tuple(tasks)))
    return Course(
        root,
        str(data.get("name", root.name)),
        profiles,
        tuple(assignments),
        _budgets(grading),
        secret_file,
        feedback_language,
        data,
    )
