"""Run a submission's code in a separate, limited process and bring back what its functions return.

The grader never imports or executes student code itself. For each submission it starts a fresh Python process
(``python -I -m backprop.grading.sandbox``) that

1. sets its own limits (``RLIMIT_AS`` memory, ``RLIMIT_CPU`` seconds, ``RLIMIT_FSIZE`` file size), runs in an
   empty temporary working directory with a minimal environment, and has its stdout thrown away (a printed
   "score" reaches nobody);
2. executes the notebook's code cells one by one, each under a soft time limit; a cell that raises, exits
   (``sys.exit``, ``os._exit``, ``os.abort``) or overruns is recorded and the next cell runs;
3. calls each target object on the inputs the grader sent and writes one JSON line per question to a results file
   opened before any student code ran. Values travel as plain data (numbers, nested lists, strings, dicts).

The grader's wall-clock timeout kills the whole process group, so nothing waits beyond the limit. What the child
reports is only ever *the student's outputs*: the grader compares them with its own references, so a submission
that patches numpy, replaces the check function or writes into the results file can only spoil its own answers.
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


def _child_main(results_fd: int) -> None:
    import resource

    request = json.loads(sys.stdin.read())
    memory = int(request["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (50 * 1024 * 1024, 50 * 1024 * 1024))
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


def run_in_sandbox(cells: list[str], jobs: list[dict], time_limit: float = 20.0, memory_mb: int = 1536,
                   cell_seconds: float | None = None, call_seconds: float | None = None) -> SandboxRun:
    """Execute ``cells`` in a fresh limited process, then call each job's target on its (encoded) calls.

    ``jobs`` is a list of {"qid", "target", "kind", "calls"}; the wall-clock ``time_limit`` bounds everything.
    """
    cell_seconds = cell_seconds if cell_seconds is not None else max(1.0, time_limit / 4)
    call_seconds = call_seconds if call_seconds is not None else max(0.5, min(3.0, time_limit / 8))
    work = tempfile.mkdtemp(prefix="backprop-grade-")
    run = SandboxRun()
    start = time.perf_counter()
    try:
        cwd = os.path.join(work, "submission")
        os.mkdir(cwd)
        request = {"cells": cells, "jobs": jobs, "memory_mb": memory_mb, "cpu_seconds": int(time_limit) + 1,
                   "cell_seconds": cell_seconds, "call_seconds": call_seconds}
        request_path = os.path.join(work, "request.json")
        results_path = os.path.join(work, "results.jsonl")
        with open(request_path, "w", encoding="utf-8") as handle:
            json.dump(request, handle)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cwd, "TMPDIR": cwd, "MPLBACKEND": "Agg",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "BACKPROP_GRADING": "1", "PYTHONHASHSEED": "0", "MPLCONFIGDIR": cwd}
        with open(request_path, "rb") as stdin, open(results_path, "wb") as results, \
                open(os.path.join(work, "stderr.txt"), "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-I", "-m", "backprop.grading.sandbox", str(results.fileno())],
                stdin=stdin, stdout=subprocess.DEVNULL, stderr=stderr, cwd=cwd, env=env,
                pass_fds=(results.fileno(),), start_new_session=True)
            try:
                run.returncode = process.wait(timeout=time_limit)
            except subprocess.TimeoutExpired:
                run.timed_out = True
                _kill_group(process)
                run.returncode = process.wait()
        _read_results(results_path, run)
        with open(os.path.join(work, "stderr.txt"), "rb") as handle:
            run.stderr_tail = handle.read()[-2000:].decode("utf-8", "replace")
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
    _child_main(int(sys.argv[1]))
