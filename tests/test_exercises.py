"""The exercise generator: stubs replace solutions, outputs go, --check catches drift, bad markers are refused."""

import json

import pytest

from backprop.exercises import MarkerError, main, strip_solutions, student_notebook

SOLUTION_CODE = """def dL_dw(x, y, w, b):
    # BEGIN SOLUTION
    return 2 * (w * x + b - y) * x
    # END SOLUTION
"""


def solution_notebook():
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {},
             "source": "Why?\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->"},
            {"cell_type": "code", "metadata": {"execution": {"t": 1}}, "execution_count": 3, "id": "abc",
             "outputs": [{"output_type": "stream", "name": "stdout", "text": "secret 42\n"}],
             "source": SOLUTION_CODE},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_tree(tmp_path, notebook):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "solutions" / "ex1.ipynb").write_text(json.dumps(notebook))
    return ["--solutions", str(tmp_path / "solutions"), "--exercises", str(tmp_path / "exercises")]


def test_student_notebook_has_stubs_and_no_solution_or_output():
    student = student_notebook(solution_notebook(), "ex1")
    text = json.dumps(student)
    assert "2 * (w * x + b - y)" not in text and "Because." not in text and "secret 42" not in text
    assert "SOLUTION" not in text
    code = student["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None and code["metadata"] == {}
    stub = ["    # YOUR CODE HERE", '    raise NotImplementedError("Replace this line with your code.")']
    assert code["source"].splitlines()[1:3] == stub
    assert "*Write your answer here.*" in student["cells"][0]["source"]


def test_generate_then_check_is_in_sync_and_regeneration_is_stable(tmp_path, capsys):
    args = write_tree(tmp_path, solution_notebook())
    assert main(args) == 0
    first = (tmp_path / "exercises" / "ex1.ipynb").read_text()
    assert main(args) == 0
    assert (tmp_path / "exercises" / "ex1.ipynb").read_text() == first
    assert main([*args, "--check"]) == 0


def test_check_fails_on_hand_edit_missing_and_orphan_files(tmp_path, capsys):
    args = write_tree(tmp_path, solution_notebook())
    main(args)
    exercise = tmp_path / "exercises" / "ex1.ipynb"
    exercise.write_text(exercise.read_text().replace("YOUR CODE HERE", "edited by hand"))
    assert main([*args, "--check"]) == 1
    assert "differs from what its solution generates" in capsys.readouterr().err
    exercise.unlink()
    assert main([*args, "--check"]) == 1
    assert "is missing" in capsys.readouterr().err
    main(args)
    (tmp_path / "exercises" / "orphan.ipynb").write_text("{}")
    assert main([*args, "--check"]) == 1
    assert "has no solution notebook" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["# BEGIN SOLUTION", "x = 1"], "never closed"),
        (["x = 1", "# END SOLUTION"], "without a"),
        (["# BEGIN SOLUTION", "# BEGIN SOLUTION", "# END SOLUTION"], "again before"),
    ],
)
def test_unbalanced_markers_are_refused(lines, message):
    with pytest.raises(MarkerError, match=message):
        strip_solutions(lines, "# BEGIN SOLUTION", "# END SOLUTION", ["stub"], "nb, cell 0")


def test_cli_reports_bad_markers_without_writing(tmp_path, capsys):
    notebook = solution_notebook()
    notebook["cells"][1]["source"] = "# BEGIN SOLUTION\nx = 1\n"
    args = write_tree(tmp_path, notebook)
    assert main(args) == 2
    assert "never closed" in capsys.readouterr().err
    assert not (tmp_path / "exercises" / "ex1.ipynb").exists()


def test_no_file_in_exercises_contains_solution_markers():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in (root / "exercises").glob("*.ipynb"):
        assert "BEGIN SOLUTION" not in path.read_text(), f"{path.name} leaks a solution; run make exercises"


def _solution_blocks(notebook):
    """Every non-blank line written between solution markers, in code and markdown cells."""
    lines, inside = [], False
    for cell in notebook["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for line in source.split("\n"):
            if line.strip() in ("# BEGIN SOLUTION", "<!-- BEGIN SOLUTION -->"):
                inside = True
            elif line.strip() in ("# END SOLUTION", "<!-- END SOLUTION -->"):
                inside = False
            elif inside and len(line.strip()) > 12:  # short lines ("return dz1", "]") may legitimately recur
                lines.append(line.strip())
    return lines


def test_no_solution_text_reaches_any_exercise_file():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    assert solutions, "no solution notebooks"
    exercise_text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "exercises").rglob("*"))
                              if p.is_file())
    for path in solutions:
        blocks = _solution_blocks(json.loads(path.read_text(encoding="utf-8")))
        assert blocks, f"{path.name} has no solution block"
        for line in blocks:
            assert json.dumps(line)[1:-1] not in exercise_text and line not in exercise_text, (
                f"{path.name}: solution line {line!r} appears in exercises/")
    assert "SOLUTION" not in exercise_text


def test_exercises_folder_is_in_sync_with_solutions(capsys):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert main(["--check", "--solutions", str(root / "solutions"), "--exercises", str(root / "exercises")]) == 0
