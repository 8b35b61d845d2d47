"""Run a submission's code confined, as if alone on the machine, and bring back what its functions return.

The grader never imports or executes student code itself. For each submission it starts a fresh Python process
inside a **bubblewrap** sandbox (Debian's ``bubblewrap``: Linux namespaces, the mechanism Flatpak uses), which

1. sees a file system built for it: the system's libraries and Python read-only, the *student* package
   (``backprop`` alone: the instructor's ``backprop_instructor``, the answer key, is not there, nor is any entry of
   site-packages that could lead to it), and one empty working folder, a size-limited tmpfs, as the only place it
   can write. The repository, ``solutions/``, the other submissions and the instructor's home are not in its view;
2. has its own PID, IPC, UTS and network namespaces: it sees no other process (so it can signal or trace none) and
   has no network; it runs in a new session, and dies with the grader;
3. runs under resource limits it cannot raise: address space, CPU seconds, file size, and a handful of processes
   (``RLIMIT_NPROC``). When the grader runs as root, the sandboxed process first drops to an unprivileged user id of
   its own (a root process is exempt from ``RLIMIT_NPROC``); as an ordinary user, the new user namespace does it.

Inside, the process executes the notebook's code cells one by one, each under a soft time limit (a cell that raises,
exits or overruns is recorded and the next cell runs), then calls each target object on the inputs the grader sent
and writes one JSON line per question to a results file opened before any student code ran. Values travel as plain
data (numbers, nested lists, strings, dicts). Its standard output is thrown away (a printed "score" reaches nobody).

The grader's wall-clock timeout kills the sandbox, so nothing waits beyond the limit. What the child reports is only
ever *the student's outputs*: the grader compares them with its own answer key, so a submission that patches numpy,
replaces the check function or writes into the results file can only spoil its own answers.

A machine without a working bubblewrap makes the grader refuse (``SandboxUnavailable``, with how to fix it). The
only way around is ``confine=False`` (the grader's loudly named ``--unconfined-unsafe``), for code one trusts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

MAX_ELEMENTS = 100_000
MAX_FILE_BYTES = 20 * 1024 * 1024   # any one file the submission writes, its results channel included
MAX_PROCESSES = 8                   # processes and threads of the submission's user (a fork bomb stops here)
WORK_BYTES = 64 * 1024 * 1024       # the size of its only writable folder (a tmpfs: the disk is never touched)
SANDBOX_ROOT = "/sandbox"


# ---------------------------------------------------------------------------------------------- plain-data encoding
def encode(value):
    """Grader inputs -> JSON-able data (numpy arrays become {"__ndarray__": nested list})."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iu":
            return {"__ndarray__": value.tolist(), "__int__": True}
        return {"__ndarray__": value.tolist()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value):
    """Inverse of :func:`encode` (also used for the student's outputs)."""
    if isinstance(value, dict):
        if set(value) == {"__ndarray__"}:
            return np.array(value["__ndarray__"], dtype=float)
        if set(value) == {"__ndarray__", "__int__"}:
            return np.array(value["__ndarray__"], dtype=np.int64)
        if set(value) == {"__type__"}:
            return _Opaque(value["__type__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


class _Opaque:
    """Stands for a returned object that is not plain data (a function, a model...): only its type name travels."""

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:80]

    def __repr__(self):
        return f"<{self.type_name}>"


def to_plain(value, depth: int = 0):
    """Student output -> JSON-able data; never raises (odd objects become {"__type__": name})."""
    try:
        if depth > 6:
            return {"__type__": "deeply nested object"}
        if isinstance(value, (bool, int, float, str)) or value is None:
            return value if not isinstance(value, str) else value[:2000]
        if isinstance(value, dict):
            return {str(k)[:100]: to_plain(v, depth + 1) for k, v in list(value.items())[:50]}
        if isinstance(value, (list, tuple)) and len(value) <= 50 and not all(_is_number(v) for v in value):
            return [to_plain(v, depth + 1) for v in value]
        if type(value).__module__.startswith("sympy"):
            return str(value)[:2000]
        array = np.asarray(value, dtype=float)
        if array.size > MAX_ELEMENTS:
            return {"__type__": f"array too large ({array.size} elements)"}
        return {"__ndarray__": array.tolist()}
    except Exception:  # noqa: BLE001 - anything unreadable is reported by type name
        return {"__type__": type(value).__name__}


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number))


# ---------------------------------------------------------------------------------------------- the child process
class CellTimeout(BaseException):
    """Raised inside the child when a cell or a call overruns its soft time limit."""


class SubmissionExit(BaseException):
    """Raised inside the child instead of leaving the process (os._exit, os.abort)."""


def _strip_magics(source: str) -> str:
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            lines.append(line[: len(line) - len(stripped)] + "pass")
        else:
            lines.append(line)
    return "\n".join(lines)


def _child_main(results_fd: int, sandbox_uid: int | None = None) -> None:
    import resource

    request = json.loads(sys.stdin.read())
    memory = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the size limit fails (EFBIG) instead of killing
    if sandbox_uid is not None:  # started as root: become a user of its own, so that RLIMIT_NPROC binds
        os.setgroups([])
        os.setgid(sandbox_uid)
        os.setuid(sandbox_uid)
    write, dumps, real_exit, alarm = os.write, json.dumps, os._exit, signal.setitimer

    def send(message):
        try:
            write(results_fd, (dumps(message, allow_nan=True) + "\n").encode())
        except Exception:  # noqa: BLE001 - a closed results file only loses the student's own answers
            pass

    def on_alarm(signum, frame):
        raise CellTimeout()

    def no_exit(*args, **kwargs):
        raise SubmissionExit()

    signal.signal(signal.SIGALRM, on_alarm)
    os._exit, os.abort = no_exit, no_exit
    namespace = {"__name__": "__main__"}
    for index, source in enumerate(request["cells"]):
        try:
            alarm(signal.ITIMER_REAL, float(request["cell_seconds"]))
            exec(compile(_strip_magics(source), f"<cell {index + 1}>", "exec"), namespace)  # noqa: S102
        except CellTimeout:
            send({"cell": index + 1, "error": f"cell {index + 1} ran longer than {request['cell_seconds']} s"})
        except SubmissionExit:
            send({"cell": index + 1, "error": f"cell {index + 1} tried to end the process"})
        except SystemExit:
            send({"cell": index + 1, "error": f"cell {index + 1} called sys.exit"})
        except BaseException as exc:  # noqa: BLE001 - every student error is recorded, none stops grading
            send({"cell": index + 1, "error": f"cell {index + 1}: {type(exc).__name__}: {str(exc)[:200]}"})
        finally:
            alarm(signal.ITIMER_REAL, 0)
    for job in request["jobs"]:
        outcomes = []
        target = namespace.get(job["target"], _MISSING)
        for args in job["calls"]:
            if any("ran longer" in str(o.get("error", "")) for o in outcomes):
                outcomes.append({"error": "skipped: the previous call ran out of time"})
                continue
            if target is _MISSING:
                outcomes.append({"error": f"nothing called {job['target']!r} is defined in the notebook"})
                continue
            try:
                alarm(signal.ITIMER_REAL, float(request["call_seconds"]))
                if job["kind"] == "value":
                    value = target
                elif not callable(target):
                    raise TypeError(f"{job['target']} is a {type(target).__name__}, not a function")
                else:
                    value = target(*decode(args))
                alarm(signal.ITIMER_REAL, 0)
                outcomes.append({"value": to_plain(value)})
            except CellTimeout:
                outcomes.append({"error": f"a call ran longer than {request['call_seconds']} s"})
            except BaseException as exc:  # noqa: BLE001
                alarm(signal.ITIMER_REAL, 0)
                outcomes.append({"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        send({"qid": job["qid"], "outcomes": outcomes})
    send({"done": True})
    real_exit(0)


_MISSING = object()


# ---------------------------------------------------------------------------------------------- the grader's side
@dataclass
class SandboxRun:
    """What came back from one submission: outcomes per question id, cell errors, and how the process ended."""

    outcomes: dict = field(default_factory=dict)
    cell_errors: list = field(default_factory=list)
    finished: bool = False
    timed_out: bool = False
    returncode: int | None = None
    stderr_tail: str = ""
    seconds: float = 0.0
    corrupt_lines: int = 0


class SandboxUnavailable(RuntimeError):
    """This machine cannot confine a submission; the message says how to fix it."""


_PROBE: dict = {}
_UIDS = iter(range(1 << 30))


def student_package_dir() -> str:
    """The folder of the ``backprop`` package that submissions import (the student package: no answer key)."""
    import backprop

    return os.path.dirname(os.path.abspath(backprop.__file__))


def _site_packages() -> list[str]:
    import site

    return [path for path in site.getsitepackages() if os.path.isdir(path)]


def _sandbox_uid() -> int | None:
    """A user id for one sandbox when the grader is root (distinct per run, so process counts are per sandbox)."""
    if os.geteuid() != 0:
        return None
    return 3_000_000 + (os.getpid() % 100_000) * 64 + next(_UIDS) % 64


def _ancestors(path: str) -> list[str]:
    parts = os.path.normpath(path).split("/")[1:-1]
    return ["/" + "/".join(parts[:n]) for n in range(1, len(parts) + 1)]


def bwrap_command(python_args: list[str], sandbox_uid: int | None, work_bytes: int = WORK_BYTES) -> list[str]:
    """The bubblewrap command line that runs ``python`` with ``python_args`` confined (see the module docstring)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap is not installed: grading runs each submission confined with it. "
                                 "Install it (Debian/Ubuntu: sudo apt-get install bubblewrap), or pass "
                                 "--unconfined-unsafe to run submissions you trust without confinement.")
    command = [bwrap, "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-net",
               "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if sandbox_uid is None:
        command += ["--unshare-user"]  # an ordinary user: the user namespace is what lets bwrap do the rest
    else:
        command += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # only to drop to sandbox_uid at once
    binds = [path for path in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32") if os.path.exists(path)]
    binds += sorted({prefix for prefix in (sys.base_prefix, sys.prefix) if not prefix.startswith("/usr/")})
    binds += [site_dir for site_dir in _site_packages() if not site_dir.startswith((sys.prefix, sys.base_prefix,
                                                                                      "/usr/"))]
    # the folders above each mount point, made explicitly world-readable (bubblewrap would make them 0700, which
    # an unprivileged sandbox user could not pass through); they hold nothing but the mounts
    parents = sorted({parent for path in [*binds, f"{SANDBOX_ROOT}/lib/backprop", f"{SANDBOX_ROOT}/work"]
                      for parent in _ancestors(path)}, key=lambda p: (p.count("/"), p))
    for parent in parents:
        command += ["--perms", "0755", "--dir", parent]
    for path in binds:
        command += ["--ro-bind", path, path]
    for site_dir in _site_packages():
        for entry in sorted(os.listdir(site_dir)):  # hide every way back to the repository or the instructor's key
            if entry.lower().startswith(("backprop", "__editable__")):
                path = os.path.join(site_dir, entry)
                command += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
    command += ["--ro-bind", student_package_dir(), f"{SANDBOX_ROOT}/lib/backprop",
                "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(int(work_bytes)), "--tmpfs", f"{SANDBOX_ROOT}/work",
                "--chdir", f"{SANDBOX_ROOT}/work", "--clearenv"]
    work = f"{SANDBOX_ROOT}/work"
    for name, value in {"PATH": "/usr/bin:/bin", "HOME": work, "TMPDIR": work, "MPLCONFIGDIR": work,
                        "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                        "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "BACKPROP_GRADING": "1",
                        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}.items():
        command += ["--setenv", name, value]
    # -I: ignore PYTHON* variables and the user's site; -S: no site-packages .pth files (the editable install's
    # path to the repository); the search path is set by hand: the student package first, then site-packages
    bootstrap = (f"import sys; sys.path.insert(0, {SANDBOX_ROOT + '/lib'!r}); sys.path.extend({_site_packages()!r}); "
                 "import runpy; sys.argv = ['sandbox'] + sys.argv[1:]; "
                 "runpy.run_module('backprop.grading.sandbox', run_name='__main__')")
    return [*command, sys.executable, "-I", "-S", "-c", bootstrap, *python_args]


def check_confinement() -> None:
    """Raise ``SandboxUnavailable`` unless a confined process starts here (tried once per grader process)."""
    if "ok" in _PROBE:
        if not _PROBE["ok"]:
            raise SandboxUnavailable(_PROBE["why"])
        return
    try:
        done = subprocess.run(bwrap_command(["--probe"], _sandbox_uid()), capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        _PROBE["ok"] = done.returncode == 0
        _PROBE["why"] = ("bubblewrap is installed but could not start a confined process here: "
                         f"{done.stderr.decode('utf-8', 'replace').strip()[-300:]}. User namespaces may be "
                         "disabled (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0), "
                         "or run the grader as root. --unconfined-unsafe runs trusted submissions without it.")
    except SandboxUnavailable as exc:
        _PROBE["ok"], _PROBE["why"] = False, str(exc)
    if not _PROBE["ok"]:
        raise SandboxUnavailable(_PROBE["why"])


def run_in_sandbox(cells: list[str], jobs: list[dict], time_limit: float = 20.0, memory_mb: int = 1024,
                   cell_seconds: float | None = None, call_seconds: float | None = None,
                   confine: bool = True) -> SandboxRun:
    """Execute ``cells`` confined, then call each job's target on its (encoded) calls.

    ``jobs`` is a list of {"qid", "target", "kind", "calls"}; the wall-clock ``time_limit`` bounds everything.
    ``confine=False`` runs the code in a plain limited process, with no namespaces: only for code one trusts.
    """
    if confine:
        check_confinement()
    cell_seconds = cell_seconds if cell_seconds is not None else max(1.0, time_limit / 4)
    call_seconds = call_seconds if call_seconds is not None else max(0.5, min(3.0, time_limit / 8))
    work = tempfile.mkdtemp(prefix="backprop-grade-")
    run = SandboxRun()
    start = time.perf_counter()
    try:
        request = {"cells": cells, "jobs": jobs, "memory_mb": memory_mb, "cpu_seconds": int(time_limit) + 1,
                   "cell_seconds": cell_seconds, "call_seconds": call_seconds}
        request_path = os.path.join(work, "request.json")
        results_path = os.path.join(work, "results.jsonl")
        with open(request_path, "w", encoding="utf-8") as handle:
            json.dump(request, handle)
        with open(request_path, "rb") as stdin, open(results_path, "wb") as results, \
                open(os.path.join(work, "stderr.txt"), "wb") as stderr:
            if confine:
                uid = _sandbox_uid()
                args = [str(results.fileno())] + ([str(uid)] if uid is not None else [])
                command, cwd, env = bwrap_command(args, uid), work, {}
            else:
                cwd = os.path.join(work, "submission")
                os.mkdir(cwd)
                command = [sys.executable, "-I", "-m", "backprop.grading.sandbox", str(results.fileno())]
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cwd, "TMPDIR": cwd,
                       "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                       "MKL_NUM_THREADS": "1", "BACKPROP_GRADING": "1", "PYTHONHASHSEED": "0", "MPLCONFIGDIR": cwd}
            process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=stderr, cwd=cwd,
                                       env=env, pass_fds=(results.fileno(),), start_new_session=True)
            try:
                run.returncode = process.wait(timeout=time_limit)
            except subprocess.TimeoutExpired:
                run.timed_out = True
                _kill_group(process)
                run.returncode = process.wait()
        _read_results(results_path, run)
        with open(os.path.join(work, "stderr.txt"), "rb") as handle:
            handle.seek(max(0, os.path.getsize(handle.name) - 2000))
            run.stderr_tail = handle.read().decode("utf-8", "replace")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    run.seconds = time.perf_counter() - start
    return run


def _kill_group(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _read_results(path: str, run: SandboxRun) -> None:
    with open(path, "rb") as handle:
        data = handle.read(20 * 1024 * 1024)
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            run.corrupt_lines += 1
            continue
        if not isinstance(message, dict):
            run.corrupt_lines += 1
        elif "qid" in message and isinstance(message.get("outcomes"), list):
            if message["qid"] in run.outcomes:  # a second report for the same question is a forgery: refuse both
                run.outcomes[message["qid"]] = None
            else:
                run.outcomes[message["qid"]] = message["outcomes"]
        elif "cell" in message:
            run.cell_errors.append(str(message.get("error", ""))[:300])
        elif message.get("done") is True:
            run.finished = True


if __name__ == "__main__":
    if sys.argv[1:] == ["--probe"]:  # the grader's check that a confined process can start and import numpy
        sys.exit(0)
    _child_main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
