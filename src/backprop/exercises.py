"""Generate the student notebooks in ``exercises/`` from the solutions in ``solutions/``.

``solutions/`` is the one source of truth. In a solution notebook, the parts a
student must write sit between marker lines::

    # BEGIN SOLUTION                     (code cells)
    ...
    # END SOLUTION

    <!-- BEGIN SOLUTION -->               (markdown cells: written answers)
    ...
    <!-- END SOLUTION -->

The generator replaces each marked part with a stub, clears every output and
writes the notebook to ``exercises/`` with the same name. ``--check`` writes
nothing and fails when ``exercises/`` differs from what would be generated, so
the two can never drift apart. Run ``python -m backprop.exercises`` (or
``make exercises``) after editing a solution.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CODE_BEGIN = "# BEGIN SOLUTION"
CODE_END = "# END SOLUTION"
MARKDOWN_BEGIN = "<!-- BEGIN SOLUTION -->"
MARKDOWN_END = "<!-- END SOLUTION -->"
CODE_STUB = ["# YOUR CODE HERE", 'raise NotImplementedError("Replace this line with your code.")']
MARKDOWN_STUB = ["*Write your answer here.*"]
# Cell metadata that records a particular run (timings, scroll state) rather than the exercise.
RUN_METADATA = ("execution", "scrolled", "collapsed", "ExecuteTime")


class MarkerError(ValueError):
    """A solution notebook whose markers do not pair up."""


def strip_solutions(lines: list[str], begin: str, end: str, stub: list[str], where: str) -> list[str]:
    """Return ``lines`` with every begin/end-marked block replaced by ``stub``.

    The stub takes the indentation of the BEGIN line, so a solution inside a
    function body becomes a stub inside that body.
    """
    result: list[str] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == begin:
            if inside:
                raise MarkerError(f"{where}, line {number}: '{begin}' again before '{end}'. Close the first block.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            result.extend(indent + stub_line for stub_line in stub)
        elif marker == end:
            if not inside:
                raise MarkerError(f"{where}, line {number}: '{end}' without a '{begin}' above it.")
            inside = False
        elif not inside:
            result.append(line)
    if inside:
        raise MarkerError(f"{where}: '{begin}' is never closed. Add a '{end}' line after the solution.")
    return result


def student_notebook(solution: dict, name: str) -> dict:
    """Return the student version of one solution notebook (a new dict)."""
    cells = []
    for index, cell in enumerate(solution.get("cells", [])):
        source = cell.get("source", "")
        lines = (source if isinstance(source, str) else "".join(source)).split("\n")
        where = f"{name}, cell {index}"
        if cell["cell_type"] == "code":
            lines = strip_solutions(lines, CODE_BEGIN, CODE_END, CODE_STUB, where)
        elif cell["cell_type"] == "markdown":
            lines = strip_solutions(lines, MARKDOWN_BEGIN, MARKDOWN_END, MARKDOWN_STUB, where)
        new_cell = {key: value for key, value in cell.items() if key not in ("outputs", "execution_count", "id")}
        new_cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k not in RUN_METADATA}
        new_cell["source"] = "\n".join(lines)
        if cell["cell_type"] == "code":
            new_cell["execution_count"] = None
            new_cell["outputs"] = []
        cells.append(new_cell)
    notebook = {key: value for key, value in solution.items() if key != "cells"}
    notebook["cells"] = cells
    notebook["nbformat_minor"] = min(solution.get("nbformat_minor", 4), 4)  # no cell ids: stable diffs
    return notebook


def render(notebook: dict) -> str:
    """Serialise a notebook the same way every time (so regeneration gives no diff)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate(solutions_dir: Path, exercises_dir: Path) -> dict[Path, str]:
    """Map each exercise path to the text it should have."""
    expected = {}
    for solution_path in sorted(solutions_dir.glob("*.ipynb")):
        try:
            solution = json.loads(solution_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise MarkerError(f"{solution_path} is not a valid notebook (JSON error: {exc}).") from exc
        expected[exercises_dir / solution_path.name] = render(student_notebook(solution, str(solution_path)))
    return expected


def check(expected: dict[Path, str], exercises_dir: Path) -> list[str]:
    """List every way ``exercises_dir`` differs from ``expected`` (empty when in sync)."""
    problems = []
    for path, text in expected.items():
        if not path.exists():
            problems.append(f"{path} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path} differs from what its solution generates")
    for path in sorted(exercises_dir.glob("*.ipynb")):
        if path not in expected:
            problems.append(f"{path} has no solution notebook in solutions/")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if exercises/ is out of date")
    parser.add_argument("--solutions", type=Path, default=Path("solutions"))
    parser.add_argument("--exercises", type=Path, default=Path("exercises"))
    args = parser.parse_args(argv)
    if not args.solutions.is_dir():
        print(f"error: no folder {args.solutions}/ here; run this from the book's root folder.", file=sys.stderr)
        return 2
    try:
        expected = generate(args.solutions, args.exercises)
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        problems = check(expected, args.exercises)
        for problem in problems:
            print(f"out of date: {problem}", file=sys.stderr)
        if problems:
            print("Run 'make exercises' to regenerate exercises/ from solutions/.", file=sys.stderr)
            return 1
        print(f"exercises/ is in sync with solutions/ ({len(expected)} notebooks).")
        return 0
    args.exercises.mkdir(exist_ok=True)
    for path, text in expected.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} exercise notebooks to {args.exercises}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
