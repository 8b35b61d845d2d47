"""`make test`: every check of the book, one after another, with one summary at the end.

Each stage runs even when an earlier one failed, so one run reports everything that is wrong; the exit code is
non-zero when any stage failed. Run from the book's root with the virtual environment's Python.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]

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
    ("exercises", "exercises/ is what solutions/ generates", [sys.executable, "-m", "backprop.exercises", "--check"]),
    ("book", "jupyter-book build -W --keep-going (warnings are errors)", ["make", "--no-print-directory", "book"]),
    ("student-edition", "the student edition (no solutions, no rubric; -W), scanned for solution text, and the pack",
     [*PYTEST, "tests/test_student_edition.py", "tests/test_student_pack.py"]),
    ("gradescope", "the autograder zip in a Gradescope-shaped folder: setup.sh, then run_autograder on 4 submissions",
     [*PYTEST, "tests/test_gradescope.py", "-m", "gradescope"]),
    (
        "browser",
        "Chromium over every page of the built book",
        # Two workers, each with its own Chromium and server: the pages are independent, and one Chromium alone
        # leaves a core idle.
        [*PYTEST, "tests/test_book_in_browser.py", "-m", "browser", "-n", "2"],
    ),
    ("pdf", "the whole book as one PDF (system Chromium, offline)", ["make", "--no-print-directory", "pdf"]),
    ("pdf-check", "PDF pages rendered: math, figures, no raw TeX", [*PYTEST, "tests/test_pdf.py", "-m", "pdf"]),
]


def run_stage(command: list[str]) -> tuple[int, list[str]]:
    """Run one stage, its output passed through as it comes; returns its exit code and the lines that say why it
    failed (pytest's FAILED/ERROR lines), which the summary repeats at the very end: a CI log is often read from its
    tail only."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               errors="replace")
    reasons = []
    for line in process.stdout:
        sys.stdout.write(line)
        if line.startswith(("FAILED ", "ERROR ", "=== ")) and "exit 0" not in line or "Error:" in line:
            reasons.append(line.rstrip())
    sys.stdout.flush()
    return process.wait(), reasons


def main() -> int:
    results = []
    for name, description, command in STAGES:
        print(f"\n=== {name}: {description}\n$ {' '.join(command)}", flush=True)
        start = time.perf_counter()
        returncode, reasons = run_stage(command)
        results.append((name, returncode, time.perf_counter() - start, reasons))
    failed = [(name, reasons) for name, returncode, _, reasons in results if returncode != 0]
    print("\n=== summary")
    for name, returncode, seconds, _ in results:
        print(f"  {name:<10} {'passed' if returncode == 0 else f'FAILED (exit {returncode})':<18} {seconds:7.1f} s")
    for name, reasons in failed:
        print(f"why {name} failed:")
        for line in reasons[-12:] or ["(no FAILED line: read the stage's output above)"]:
            print(f"  {line[:200]}")
    print(f"stages: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
