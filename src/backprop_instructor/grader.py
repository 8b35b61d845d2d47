"""The grading command: one notebook or a folder of them -> per-question scores, a table, a CSV and results.json.

    backprop-grade submissions/               # a folder, graded in parallel across cores
    backprop-grade alice.ipynb --json results.json --csv grades.csv

Which exercise notebook a submission answers is read from its metadata (``backprop.exercise_set``, kept by the
exercise generator) or, failing that, from its file name (``01_by_hand`` in ``alice_01_by_hand.ipynb``). Only the
automatically checked questions are scored; the rubric questions are listed with their points for the instructor
(``solutions/RUBRIC.md``). Scores are decided here, from the outputs the sandbox brought back; see ``sandbox``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backprop.grading.checks import Result, error_result, fraction_passed
from backprop.grading.questions import EXERCISE_SETS, questions_of
from backprop.grading.sandbox import SandboxUnavailable, check_confinement, decode, encode, run_in_sandbox
from backprop_instructor.judges import JUDGES

DEFAULT_SEED = 20261123
MAX_NOTEBOOK_BYTES = 256 * 1024 * 1024  # outputs are never run, but a huge file must not exhaust the grader
MAX_CODE_BYTES = 2 * 1024 * 1024        # the code cells that go into the sandbox


@dataclass
class QuestionScore:
    qid: str
    title: str
    score: float
    max_score: float
    results: list = field(default_factory=list)
    message: str = ""

    def output(self) -> str:
        lines = [self.message] if self.message else []
        lines += [("PASS " if r.passed else "FAIL ") + r.message for r in self.results]
        return "\n".join(lines)


@dataclass
class Submission:
    """The grade of one file: its questions, notes for the student (cell errors, limits hit), and totals."""

    path: str
    exercise_set: str | None
    questions: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    rubric_points: float = 0.0
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(q.score for q in self.questions), 4)

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions)


def read_notebook(path: Path) -> tuple[dict | None, str]:
    """The notebook as a dict, or (None, a message saying why it cannot be graded)."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None, f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 1024 // 1024} MB; clear its outputs."
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{path.name} could not be read ({type(exc).__name__}); submit the .ipynb file itself."
    except json.JSONDecodeError as exc:
        return None, f"{path.name} is not a notebook: its JSON is broken at line {exc.lineno}. Re-download it."
    except (RecursionError, MemoryError) as exc:
        return None, f"{path.name} is not a notebook a grader can read ({type(exc).__name__}: nested too deeply)."
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None, f"{path.name} is JSON but not a Jupyter notebook (no list of cells)."
    return notebook, ""


def exercise_set_of(notebook: dict, path: Path) -> str | None:
    """The exercise set from the notebook's metadata, else from the file name."""
    meta = notebook.get("metadata", {})
    name = meta.get("backprop", {}).get("exercise_set") if isinstance(meta, dict) and isinstance(
        meta.get("backprop"), dict) else None
    if name in EXERCISE_SETS:
        return name
    return next((s for s in EXERCISE_SETS if s in path.name), None)


def code_cells(notebook: dict) -> list[str]:
    cells = []
    for cell in notebook["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append(source if isinstance(source, str) else "".join(map(str, source)))
    return cells


def grade_notebook(path, exercise_set: str | None = None, seed: int = DEFAULT_SEED, time_limit: float = 20.0,
                   memory_mb: int = 1024, confine: bool = True) -> Submission:
    """Grade one submitted notebook. Never raises for anything the submission contains."""
    path = Path(path)
    notebook, problem = read_notebook(path)
    submission = Submission(str(path), exercise_set)
    if notebook is None:
        submission.notes.append(problem)
        return submission
    submission.exercise_set = exercise_set or exercise_set_of(notebook, path)
    if submission.exercise_set is None:
        submission.notes.append(f"{path.name}: cannot tell which exercise notebook this is; keep the file name "
                                f"(one of {', '.join(EXERCISE_SETS)}) or its metadata.")
        return submission
    questions = questions_of(submission.exercise_set)
    rng = np.random.default_rng(seed)
    auto = [q for q in questions if q.kind != "rubric"]
    submission.rubric_points = sum(q.points for q in questions if q.kind == "rubric")
    calls = {q.qid: q.calls(rng) for q in auto}
    jobs = [{"qid": q.qid, "target": q.target, "kind": q.kind, "calls": [encode(list(a)) for a in calls[q.qid]]}
            for q in auto]
    cells = code_cells(notebook)
    del notebook  # its outputs (possibly hundreds of MB) are never needed again
    if sum(len(cell) for cell in cells) > MAX_CODE_BYTES:
        submission.notes.append(f"{path.name}: its code cells hold more than {MAX_CODE_BYTES // 1024 // 1024} MB "
                                "of text; nothing was run.")
        return submission
    run = run_in_sandbox(cells, jobs, time_limit=time_limit, memory_mb=memory_mb, confine=confine)
    submission.seconds = run.seconds
    submission.notes.extend(run.cell_errors[:10])
    if run.timed_out:
        submission.notes.append(f"the notebook did not finish within {time_limit:g} s; questions it had not "
                                "reached score 0.")
    elif not run.finished:
        submission.notes.append(f"the notebook's process ended early (exit status {run.returncode}); a memory "
                                "or CPU limit, or code that ends the process.")
    if run.corrupt_lines:
        submission.notes.append("the results channel held lines that grading did not write; they were ignored.")
    for q in auto:
        submission.questions.append(_score(q, run.outcomes.get(q.qid, "missing"), calls[q.qid]))
    return submission


def _score(question, raw, calls) -> QuestionScore:
    score = QuestionScore(question.qid, question.title, 0.0, float(question.points))
    if raw is None:
        score.message = "two reports arrived for this question: the submission wrote into the results channel."
        return score
    if raw == "missing" or not isinstance(raw, list) or len(raw) != len(calls):
        score.message = "not graded: the notebook stopped (time or memory limit) before this question."
        return score
    outcomes = []
    for item in raw:
        if isinstance(item, dict) and "value" in item:
            try:
                outcomes.append(("value", decode(item["value"])))
            except (TypeError, ValueError, OverflowError):
                outcomes.append(("error", "a result that is not plain numbers (ragged or unreadable)"))
        else:
            outcomes.append(("error", str(item.get("error", "an unreadable result") if isinstance(item, dict)
                                          else "an unreadable result")))
    try:
        results = JUDGES[question.qid](outcomes, calls)
    except Exception as exc:  # noqa: BLE001 - an odd value must cost the student the question, not crash grading
        results = [error_result("check", f"a value the check could not read ({type(exc).__name__}).")]
    if all(status == "error" for status, _ in outcomes):
        results = [Result("call", False, f"{question.target}: {outcomes[0][1]}")]
    score.results = results
    score.score = round(question.points * fraction_passed(results), 4)
    return score


def grade_paths(paths, jobs: int | None = None, **options) -> list[Submission]:
    """Grade many notebooks, ``jobs`` at a time (default: the number of cores)."""
    jobs = jobs or os.cpu_count() or 1
    def safe(path):
        try:
            return grade_notebook(path, **options)
        except SandboxUnavailable:
            raise  # never grade a class unconfined by accident: the caller refuses with the reason
        except Exception as exc:  # noqa: BLE001 - one broken file (or a full disk) must not stop the class
            return Submission(str(path), None, notes=[f"grading failed: {type(exc).__name__}: {exc}"])

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(safe, paths))


# ---------------------------------------------------------------------------------------------- reports
def gradescope_results(submission: Submission) -> dict:
    """The submission in Gradescope's results.json shape."""
    tests = [{"name": f"{q.qid}: {q.title}", "score": q.score, "max_score": q.max_score, "output": q.output()}
             for q in submission.questions]
    notes = "\n".join(submission.notes)
    return {"score": submission.score, "tests": tests, "output": notes or "All cells ran.",
            "stdout_visibility": "hidden", "visibility": "visible",
            "extra_data": {"exercise_set": submission.exercise_set, "rubric_points_pending": submission.rubric_points}}


def combined_results(submissions: list[Submission]) -> dict:
    """One results.json for one student who handed in one or several notebooks (Gradescope's submission folder)."""
    if not submissions:
        return {"score": 0.0, "tests": [], "output": "No .ipynb file was submitted: upload your exercise notebooks "
                f"({', '.join(s + '.ipynb' for s in EXERCISE_SETS)})."}
    parts = [gradescope_results(s) for s in submissions]
    tests = [dict(t, name=f"{s.exercise_set or Path(s.path).name} / {t['name']}")
             for s, part in zip(submissions, parts, strict=True) for t in part["tests"]]
    notes = [f"{Path(s.path).name}: {note}" for s in submissions for note in s.notes]
    return {"score": round(sum(p["score"] for p in parts), 4), "tests": tests,
            "output": "\n".join(notes) or "All cells ran.", "stdout_visibility": "hidden", "visibility": "visible"}


def table(submissions: list[Submission]) -> str:
    lines = [f"{'submission':<40} {'set':<24} {'score':>8} {'max':>6}  notes"]
    for s in submissions:
        note = s.notes[0][:60] if s.notes else ""
        lines.append(f"{Path(s.path).name[:40]:<40} {str(s.exercise_set)[:24]:<24} {s.score:>8.2f} "
                     f"{s.max_score:>6.1f}  {note}")
        for q in s.questions:
            lines.append(f"    {q.qid:<36} {q.score:>5.2f} / {q.max_score:g}")
    return "\n".join(lines)


def write_csv(submissions: list[Submission], path: Path) -> None:
    qids = sorted({q.qid for s in submissions for q in s.questions})
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "exercise_set", "score", "max_score", "rubric_points_pending", *qids,
                         "notes"])
        for s in submissions:
            by_id = {q.qid: q.score for q in s.questions}
            writer.writerow([Path(s.path).name, s.exercise_set, s.score, s.max_score, s.rubric_points,
                             *(by_id.get(q, "") for q in qids), " | ".join(s.notes)])


def collect(target: Path) -> list[Path]:
    if target.is_dir():  # every .ipynb file; anything inside that is not a notebook gets a clear message
        return sorted(p for p in target.glob("*.ipynb") if p.is_file())
    return [target]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade exercise notebooks: a table, a CSV and results.json.")
    parser.add_argument("target", type=Path, help="a submitted .ipynb or a folder of them")
    parser.add_argument("--set", dest="exercise_set", choices=EXERCISE_SETS, help="force the exercise notebook")
    parser.add_argument("--csv", type=Path, default=None, help="write the class CSV here")
    parser.add_argument("--json", type=Path, default=None, help="write Gradescope results.json here "
                        "(a folder: one object per submission, keyed by file name)")
    parser.add_argument("--gradescope", type=Path, default=None, help="write ONE results.json for the whole "
                        "target (Gradescope: all notebooks of one student), e.g. /autograder/results/results.json")
    parser.add_argument("--jobs", type=int, default=None, help="parallel submissions (default: all cores)")
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per submission")
    parser.add_argument("--memory-mb", type=int, default=1024, help="address-space limit per submission process")
    parser.add_argument("--unconfined-unsafe", action="store_true", help="run submissions WITHOUT the bubblewrap "
                        "sandbox (they could read other submissions and the answer key, and write your files): "
                        "only for code you trust, or inside a container of its own per submission")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the grader's test inputs")
    parser.add_argument("--quiet", action="store_true", help="no table on stdout")
    args = parser.parse_args(argv)
    if not args.target.exists():
        print(f"error: {args.target} does not exist; pass a notebook or a folder of notebooks.", file=sys.stderr)
        return 2
    paths = sorted(args.target.rglob("*.ipynb")) if args.gradescope and args.target.is_dir() else collect(args.target)
    if args.unconfined_unsafe:
        print("WARNING: --unconfined-unsafe: submissions run WITHOUT the sandbox; they can read the answer key and "
              "other submissions, and write wherever you can.", file=sys.stderr)
    else:
        try:
            check_confinement()
        except SandboxUnavailable as exc:
            print(f"error: cannot grade: {exc}", file=sys.stderr)
            return 3
    submissions = grade_paths(paths, jobs=args.jobs, exercise_set=args.exercise_set, seed=args.seed,
                              time_limit=args.time_limit, memory_mb=args.memory_mb,
                              confine=not args.unconfined_unsafe)
    if not args.quiet:
        print(table(submissions))
    if args.csv:
        write_csv(submissions, args.csv)
    if args.json:
        if args.target.is_dir():
            data = {Path(s.path).name: gradescope_results(s) for s in submissions}
        else:
            data = gradescope_results(submissions[0])
        args.json.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    if args.gradescope:
        args.gradescope.parent.mkdir(parents=True, exist_ok=True)
        args.gradescope.write_text(json.dumps(combined_results(submissions), indent=1, allow_nan=False) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
