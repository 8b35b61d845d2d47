"""Time the grader: one notebook, and a class folder of 50 submissions graded in parallel.

Printed side by side with the goals of issue 7: grading one notebook in at most 3 s, and a folder of 50
submissions on 2 cores. Each submission runs in a fresh sandboxed Python process (interpreter start, numpy and the
notebook's own cells), so the per-notebook time is dominated by the process start and the notebook's training cells.

    python bench/bench_grading.py [--n 50] [--jobs 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from backprop.grading.questions import EXERCISE_SETS
from backprop_instructor import grader

ROOT = Path(__file__).resolve().parents[1]
GOAL_ONE = 3.0


def time_one(path: Path, repeats: int = 3) -> tuple[float, float]:
    times, score = [], 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        submission = grader.grade_notebook(path)
        times.append(time.perf_counter() - start)
        score = submission.score
    return statistics.median(times), score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50, help="submissions in the class folder")
    parser.add_argument("--jobs", type=int, default=2, help="parallel submissions")
    args = parser.parse_args()

    print(f"{'notebook':<32} {'median s':>9} {'goal s':>7} {'ratio':>6} {'score':>6}")
    for name in EXERCISE_SETS:
        seconds, score = time_one(ROOT / "solutions" / f"{name}.ipynb")
        print(f"{name:<32} {seconds:>9.2f} {GOAL_ONE:>7.1f} {seconds / GOAL_ONE:>6.2f} {score:>6.1f}")

    sources = [ROOT / d / f"{s}.ipynb" for s in EXERCISE_SETS for d in ("solutions", "exercises")]
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.n):
            source = sources[i % len(sources)]
            shutil.copy(source, Path(folder) / f"student{i:03d}_{source.name}")
        paths = grader.collect(Path(folder))
        start = time.perf_counter()
        grader.grade_paths(paths, jobs=1)
        serial = time.perf_counter() - start
        start = time.perf_counter()
        results = grader.grade_paths(paths, jobs=args.jobs)
        parallel = time.perf_counter() - start
    assert len(results) == args.n
    print(f"\n{args.n} submissions (solutions and blank exercises of all four notebooks, mixed):")
    print(f"  1 job:  {serial:6.1f} s  ({serial / args.n:.2f} s per submission)")
    print(f"  {args.jobs} jobs: {parallel:6.1f} s  ({parallel / args.n:.2f} s per submission); "
          f"speed-up {serial / parallel:.2f}x on {args.jobs} cores")


if __name__ == "__main__":
    main()
