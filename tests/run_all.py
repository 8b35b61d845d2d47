"""`make test`: every check of the book, with one summary at the end.

Each stage runs even when an earlier one failed, so one run reports everything that is wrong; the exit code is
non-zero when any stage failed. Run from the book's root with the virtual environment's Python.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# scripts/lean_imports.py, as a plugin loaded before nbval: spares every pytest process and worker 2 s of imports
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "scripts.lean_imports"]

STAGES = [
    ("lint", "ruff over the package, tests, benchmarks and notebooks", [str(BIN / "ruff"), "check", "."]),
    ("unit", "unit tests of src/backprop, the exercise generator and the grader",
     ["env", "OPENBLAS_NUM_THREADS=1", *PYTEST, "tests", "-m", "not browser and not pdf and not gradescope",
      # the student edition and the pack build into one folder: their own stage runs them, once, in one process
      "--ignore=tests/test_student_edition.py", "--ignore=tests/test_student_pack.py", "-n", "2"]),
    (
        "notebooks",
        "nbval: re-run every chapter and solution notebook, compare with stored outputs",
        # One BLAS thread per worker, here and in the unit stage: two workers fill two cores, and BLAS threads on top
        # would fight over them (tests/numeric_environments.py has the figures).
        ["env", "OPENBLAS_NUM_THREADS=1",
         *PYTEST, "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
         "-n", "2", "--dist", "loadfile", "chapters", "solutions"],
    ),
    (
        "portability",
        "nbval again under two other numeric environments (SIMD paths, BLAS kernel and threads, numba target)",
        [sys.executable, "tests/numeric_environments.py"],
    ),
    ("ising-data", "the Ising data of chapters 10 and 11, both runs, in the cache (generated once, on a fresh machine)",
     [sys.executable, "-m", "backprop.ising.data"]),
    ("exercises", "exercises/ is what solutions/ generates", [sys.executable, "-m", "backprop.exercises", "--check"]),
    ("book", "jupyter-book build -W --keep-going (warnings are errors)", ["make", "--no-print-directory", "book"]),
    (
        "browser",
        "Chromium over every page of the built book",
        # Two workers, each with its own Chromium and server: the pages are independent, and one Chromium alone
        # leaves a core idle.
        [*PYTEST, "tests/test_book_in_browser.py", "tests/test_interactive_figures.py",
         "tests/test_interactive_figures_late.py", "-m", "browser", "-n", "2"],
    ),
    ("student-edition", "the student edition (no solutions, no rubric; -W), scanned for solution text, and the pack",
     [*PYTEST, "tests/test_student_edition.py", "tests/test_student_pack.py"]),
    ("gradescope", "the autograder zip in a Gradescope-shaped folder: setup.sh, then run_autograder on 4 submissions",
     [*PYTEST, "tests/test_gradescope.py", "-m", "gradescope"]),
    ("pdf", "the whole book as one PDF (system Chromium, offline)", ["make", "--no-print-directory", "pdf"]),
    ("pdf-check", "PDF pages rendered: math, figures, no raw TeX", [*PYTEST, "tests/test_pdf.py", "-m", "pdf"]),
]

# The order of the run. Each group's chains run side by side (a chain's stages one after another: the browser reads
# the book that `book` builds, pdf-check the PDF that pdf prints); the next group starts when the whole group has
# ended. Every stage is CPU-bound, so the run takes about its CPU time over two cores, plus the time a core sits idle.
# Stages side by side fill each other's idle time: the unit tests' last seconds keep one core (the grading fixtures),
# the data generation is one process (about a minute, on a fresh machine only), and the notebooks' and portability's
# last notebooks leave a core idle when run one after the other.
SCHEDULE = [
    [["unit"], ["ising-data"], ["lint", "exercises", "book"]],
    [["notebooks"], ["portability"]],
    [["browser"], ["pdf", "pdf-check"], ["student-edition", "gradescope"]],
]


def run_stage(command: list[str], echo=sys.stdout) -> tuple[int, list[str], float]:
    """Run one stage, its output passed to ``echo`` as it comes; returns its exit code, the lines that say why it
    failed (pytest's FAILED/ERROR lines), which the summary repeats at the very end (a CI log is often read from its
    tail only), and the CPU seconds it and its children used: on two cores, a stage whose CPU time is well below twice
    its wall time leaves a core idle."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace")
    reasons = []
    for line in process.stdout:
        echo.write(line)
        if line.startswith(("FAILED ", "ERROR ", "=== ")) and "exit 0" not in line or "Error:" in line:
            reasons.append(line.rstrip())
    echo.flush()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, reasons, usage.ru_utime + usage.ru_stime


def run_chain(stages, echo) -> list[tuple]:
    """Run stages one after another; return (name, exit code, seconds, reasons, CPU seconds) for each."""
    results = []
    for name, description, command in stages:
        echo.write(f"\n=== {name}: {description}\n$ {' '.join(command)}\n")
        echo.flush()
        start = time.perf_counter()
        returncode, reasons, cpu_seconds = run_stage(command, echo)
        results.append((name, returncode, time.perf_counter() - start, reasons, cpu_seconds))
    return results


def run_side_by_side(chains) -> list[tuple]:
    """Run chains of stages at the same time; print each chain's output whole, in order, once all have ended (one
    chain alone prints as it goes)."""
    if len(chains) == 1:
        return run_chain(chains[0], sys.stdout)
    names = " | ".join(" -> ".join(name for name, _, _ in chain) for chain in chains)
    print(f"\n=== side by side: {names}", flush=True)
    start = time.perf_counter()
    buffers = [io.StringIO() for _ in chains]
    with ThreadPoolExecutor(max_workers=len(chains)) as pool:
        futures = [pool.submit(run_chain, chain, buffer) for chain, buffer in zip(chains, buffers, strict=True)]
        results = [future.result() for future in futures]
    for buffer in buffers:
        sys.stdout.write(buffer.getvalue())
    print(f"\n=== side by side: {time.perf_counter() - start:.1f} s in all", flush=True)
    return [result for chain_results in results for result in chain_results]


def main() -> int:
    by_name = {stage[0]: stage for stage in STAGES}
    scheduled = [name for group in SCHEDULE for chain in group for name in chain]
    assert sorted(scheduled) == sorted(by_name), "every stage is scheduled exactly once"
    start, results, group_seconds = time.perf_counter(), [], []
    for group in SCHEDULE:
        group_start = time.perf_counter()
        results += run_side_by_side([[by_name[name] for name in chain] for chain in group])
        group_seconds.append(time.perf_counter() - group_start)
    failed = [(name, reasons) for name, returncode, _, reasons, _ in results if returncode != 0]
    print("\n=== summary (wall seconds, and CPU seconds of the stage and the processes it waits for; Chromium's "
          "renderers are not among them)")
    by_result = {result[0]: result for result in results}
    for group, seconds in zip(SCHEDULE, group_seconds, strict=True):
        print(f"  {' | '.join(' -> '.join(chain) for chain in group)}: {seconds:.1f} s")
        for name in (name for chain in group for name in chain):
            _, returncode, stage_seconds, _, cpu_seconds = by_result[name]
            outcome = "passed" if returncode == 0 else f"FAILED (exit {returncode})"
            print(f"    {name:<15} {outcome:<18} {stage_seconds:7.1f} s {cpu_seconds:7.1f} CPU s")
    print(f"  all stages: {time.perf_counter() - start:.1f} s")
    for name, reasons in failed:
        print(f"why {name} failed:")
        for line in reasons[-12:] or ["(no FAILED line: read the stage's output above)"]:
            print(f"  {line[:200]}")
    print(f"stages: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
