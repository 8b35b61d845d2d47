"""Time the book: a build from clean, a rebuild with nothing changed, and the whole test suite.

The build renders the outputs stored in the notebooks (it executes nothing), so a clean build is the `make book`
of a fresh clone after the install.

Run with `make bench`. Prints the figures; it asserts nothing about time. The clean build deletes _build/ first.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUILD = [str(BIN / "jupyter-book"), "build", ".", "--builder", "html", "-W", "--keep-going"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    clean = timed(BUILD)
    cached = timed(BUILD)
    suite = timed([sys.executable, "tests/run_all.py"])
    print(f"{'what':<34}{'seconds':>10}{'ratio to clean build':>24}")
    for name, seconds in [("book build from clean", clean), ("book rebuild, nothing changed", cached),
                          ("test suite (make test)", suite)]:
        print(f"{name:<34}{seconds:>10.1f}{seconds / clean:>24.2f}")


if __name__ == "__main__":
    main()
