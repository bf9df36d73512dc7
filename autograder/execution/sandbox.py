"""How a worker process is started: a fresh interpreter, resource limits, and bubblewrap.

The worker is `python -I -S` running the worker_main of autograder/runtime/, copied alone into
a folder as the package `course_runtime` (it imports only itself), with a cleared environment and
one BLAS thread. Where bubblewrap (`bwrap`) works, it runs inside a new mount, PID, network,
IPC and UTS namespace that shows only the Python runtime, numpy, the runtime modules and the
student's files (the course tree is not there, and is masked should it lie under a bound
folder); its working folder and /tmp are small tmpfs mounts.
Without bwrap the same worker runs on the host file system, with a warning: see
docs/isolation.md for what that loses. Started as root, in either case, the worker switches
to the unprivileged user nobody after setting its limits, and without bwrap the course folder
is closed to that user (open_to_worker).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from autograder.runtime import language

RUNTIME_PACKAGE = "course_runtime"
RUNTIME_SOURCE = Path(__file__).resolve().parents[1] / "runtime"
NOBODY = 65534  # the unprivileged uid and gid a worker started as root switches to
MODES = ("auto", "bwrap", "none")

# -I: no user site, no PYTHON* variables, no script folder on sys.path; -S: no site-packages
# (so no .pth files: an editable install of the course cannot put the grader on the path).
BOOT = (
    "import json, sys; config = json.loads(sys.argv[1]); sys.path[:0] = [config['runtime']]; "
    "sys.path += config['site']; from course_runtime.worker_main import main; main(config)"
)


@dataclass(frozen=True)
class Limits:
    """What one worker may use. The wall-clock timeout is per call; the rest per process."""

    timeout: float = 10.0  # seconds of wall clock per call (the worker is killed past it)
    memory_mb: int = 2048  # address space (RLIMIT_AS): a larger allocation raises MemoryError
    cpu_seconds: int = 900  # CPU time of one worker process (RLIMIT_CPU), a backstop
    file_mb: int = 16  # largest file the worker may write (RLIMIT_FSIZE)
    disk_mb: int = 64  # size of the working folder and of /tmp inside bubblewrap
    reply_mb: int = 16  # largest reply the grader reads (a correct submission sends at most 0.5 MB)
    startup_timeout: float = 60.0  # seconds for a worker to start and report ready

    def rlimits(self) -> dict[str, int]:
        """The worker's resource limits, by the name of their RLIMIT_* constant."""
        return {
            "RLIMIT_AS": self.memory_mb * 2**20,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_FSIZE": self.file_mb * 2**20,
            "RLIMIT_NPROC": 0,  # no new processes or threads at all
            "RLIMIT_CORE": 0,
        }


class SandboxError(Exception):
    """bubblewrap was asked for but cannot run here."""


def runtime_folder(dest: Path) -> Path:
    """dest/course_runtime/: a copy of autograder/runtime/ and the compiled message catalogs (its
    locale/), nothing else; returns dest."""
    package = dest / RUNTIME_PACKAGE
    package.mkdir(parents=True)
    for source in RUNTIME_SOURCE.glob("*.py"):
        shutil.copyfile(source, package / source.name)
    for compiled in language.locale_dir().glob(f"*/LC_MESSAGES/{language.DOMAIN}.mo"):
        target = package / "locale" / compiled.relative_to(language.locale_dir())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(compiled, target)
    for path in (dest, *package.rglob("*"), package):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def _site_folders() -> list[str]:
    """Where numpy is installed (the only third-party package the worker needs)."""
    return [str(Path(np.__file__).resolve().parent.parent)]


def _python_folders() -> list[Path]:
    """The folders the interpreter and numpy live in, without nesting."""
    folders = {
        Path(p).resolve()
        for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *_site_folders())
    }
    folders.add(Path(sys.executable).resolve().parent)
    kept: list[Path] = []
    for folder in sorted(folders, key=lambda p: len(p.parts)):
        if not any(folder.is_relative_to(k) for k in kept):
            kept.append(folder)
    return kept


def _environment(home: str, tmp: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        # one BLAS thread: no thread is allowed anyway, and parallel workers share the cores
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _bwrap_mounts(hide: list[Path]) -> list[str]:
    """bwrap arguments showing the system libraries and the Python runtime, read-only."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    bound = [Path("/usr")]
    for folder in _python_folders():
        if folder.is_relative_to("/usr"):
            continue
        # folders bwrap creates on the way keep the host's modes (/root is 0700): open them up
        for parent in reversed(folder.parents[:-1]):
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(folder), str(folder)]
        bound.append(folder)
    for secret in hide:  # the course tree, should it lie inside a bound folder
        if any(secret.is_relative_to(b) for b in bound):
            args += ["--tmpfs", str(secret)]
    return args


@dataclass(frozen=True)
class Command:
    """How to start a worker: see worker_command and start."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    options: list[str] = field(default_factory=list)  # bubblewrap's, given on a descriptor (--args)


def worker_command(
    runtime: Path, staged: Path, work: Path, limits: Limits, *, bwrap: str | None, hide: list[Path]
) -> Command:
    """The command that starts a worker for the staged submission.

    runtime holds course_runtime/ (see runtime_folder); work is an empty folder of this
    worker's own, used as its working folder when bwrap is not. bubblewrap's options, which
    name the host's folders, are read from a descriptor: /proc inside the sandbox shows the
    command line of bubblewrap's init (process 1), which then holds only paths of the sandbox."""
    config: dict[str, object] = {
        "limits": limits.rlimits(),
        "site": _site_folders(),
        "drop_to": NOBODY if os.geteuid() == 0 else None,
        "language": language.current(),
    }
    if bwrap is None:
        config.update(runtime=str(runtime), staged=str(staged), root=str(work))
        argv = [sys.executable, "-I", "-S", "-c", BOOT, json.dumps(config)]
        return Command(argv, _environment(str(work), str(work)), work)
    config.update(runtime="/grader", staged="/staged", root="/submission")
    size = str(limits.disk_mb * 2**20)
    options = [
        "--die-with-parent",
        "--new-session",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    if os.geteuid() != 0:
        options.append("--unshare-user")  # unprivileged bwrap needs a user namespace; root switches user instead
    # mounts shadow earlier ones: /tmp first, so that a Python installed under /tmp stays visible
    options += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    options += _bwrap_mounts(hide)
    options += [
        "--ro-bind",
        str(runtime),
        "/grader",
        "--ro-bind",
        str(staged),
        "/staged",
        "--perms",
        "1777",
        "--size",
        size,
        "--tmpfs",
        "/submission",
        "--chdir",
        "/submission",
        "--clearenv",
    ]
    for name, value in _environment("/submission", "/tmp").items():
        options += ["--setenv", name, value]
    return Command([bwrap, sys.executable, "-I", "-S", "-c", BOOT, json.dumps(config)], {}, work, options)


def start(command: Command, **popen) -> subprocess.Popen:
    """Start command (subprocess.Popen with these arguments), bubblewrap's options on a
    descriptor that only bubblewrap reads."""
    if not command.options:
        return subprocess.Popen(command.argv, env=command.env, cwd=command.cwd, **popen)
    fd = os.memfd_create("bwrap-options")
    try:
        os.write(fd, b"".join(option.encode() + b"\0" for option in command.options))
        os.lseek(fd, 0, os.SEEK_SET)
        argv = [command.argv[0], "--args", str(fd), *command.argv[1:]]
        return subprocess.Popen(argv, env=command.env, cwd=command.cwd, pass_fds=(fd,), **popen)
    finally:
        os.close(fd)


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot isolate workers here (a Message: translated where it is shown), or
    None when it can (tried once)."""
    found = shutil.which("bwrap")
    if found is None:
        return language.Message("bubblewrap (bwrap) is not installed")
    with tempfile.TemporaryDirectory(prefix="course-bwrap-check-") as folder:
        command = worker_command(Path(folder), Path(folder), Path(folder), Limits(), bwrap=found, hide=[])
        probe = replace(command, argv=[found, sys.executable, "-I", "-S", "-c", "import sys"])
        try:
            process = start(probe, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired as error:
            process.kill()
            process.wait()
            return language.Message("bwrap could not run ({error})", error=str(error))
        except OSError as error:
            return language.Message("bwrap could not run ({error})", error=str(error))
    if process.returncode != 0:
        if stderr.strip():
            return language.Message("bwrap could not run: {error}", error=stderr.strip()[:300])
        return language.Message("bwrap could not run: exit code {code}", code=process.returncode)
    return None


_warned: set[str] = set()


def choose_bwrap(mode: str, *, warn: bool = True) -> str | None:
    """The bwrap executable to use for this mode, or None (warning once when auto falls back)."""
    if mode not in MODES:
        raise ValueError(f"sandbox mode must be one of {', '.join(MODES)}")
    if mode == "none":
        return None
    problem = bwrap_problem()
    if problem is None:
        return shutil.which("bwrap")
    if mode == "bwrap":
        raise SandboxError(language.translate(problem))
    if warn and problem not in _warned:
        _warned.add(problem)
        told = language._(
            "course: warning: {problem}; student code runs without file-system and network isolation "
            "(see docs/isolation.md)"
        )
        print(told.format(problem=language.translate(problem)), file=sys.stderr)
    return None


def open_to_worker(folder: Path, course_root: Path, bwrap: str | None) -> None:
    """Let a worker started as root without bubblewrap (it then runs as nobody) reach its
    runtime and staged files in the grader's folder, and nothing of the course.

    The folder becomes 0711: nobody may pass through it to the paths the grader names, not list
    it. The course folder loses every permission of its group and of others (chmod go-rwx,
    kept: see docs/isolation.md), so solutions/, the grader's code and course.yml are out of reach."""
    if bwrap is not None or os.geteuid() != 0:
        return
    folder.chmod(0o711)
    mode = course_root.stat().st_mode & 0o7777
    if mode & 0o077:
        course_root.chmod(mode & ~0o077)
