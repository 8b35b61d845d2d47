"""Chapters 10 and 11 write their data grid out for the reader; `make test` fills the cache from the package's copy
of it (``python -m backprop.ising.data``) before the notebooks run. The two must not drift apart, or the notebooks
would generate their data again while the cache holds a grid nobody reads."""

import ast
import json
import os
from pathlib import Path

import numpy as np
import pytest

from backprop.ising import data as ising_data

ROOT = Path(__file__).resolve().parents[1]
GRID_NAMES = ("SIZES", "TEMPERATURES", "N_SAMPLES")
REFINED_NAMES = ("REFINED_SAMPLES", "REFINED_SEED")  # chapter 11's finer run; its grid is checked in the chapter


def grid_of(notebook: Path, names=GRID_NAMES) -> dict:
    """The values the notebook's code assigns to ``names`` (only those lines are run)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in \
                names:
            found[node.targets[0].id] = eval(compile(ast.Expression(node.value), notebook.name, "eval"), {"np": np})
    return found


def agrees(grid: dict) -> bool:
    return (set(grid) == set(GRID_NAMES) and tuple(grid["SIZES"]) == ising_data.BOOK_SIZES
            and grid["N_SAMPLES"] == ising_data.BOOK_SAMPLES
            and np.array_equal(grid["TEMPERATURES"], ising_data.BOOK_TEMPERATURES))


@pytest.mark.parametrize("name", ["10_ising_sampling", "11_ising_phases"])
def test_the_chapters_grid_is_the_packages(name):
    grid = grid_of(ROOT / "chapters" / f"{name}.ipynb")
    assert agrees(grid), (f"chapters/{name}.ipynb defines {sorted(grid)} differently from backprop.ising.data's "
                          "BOOK_SIZES, BOOK_TEMPERATURES, BOOK_SAMPLES: change both together")


def test_chapter_11s_finer_run_is_the_packages():
    refined = grid_of(ROOT / "chapters" / "11_ising_phases.ipynb", REFINED_NAMES)
    assert refined == {"REFINED_SAMPLES": ising_data.BOOK_REFINED_SAMPLES,
                       "REFINED_SEED": ising_data.BOOK_REFINED_SEED}, (
        "chapter 11's REFINED_SAMPLES and REFINED_SEED differ from backprop.ising.data's BOOK_REFINED_SAMPLES and "
        "BOOK_REFINED_SEED: change both together")
    assert ising_data.BOOK_REFINED_SEED != ising_data.BOOK_SEED  # else the finer run's chains repeat the first's


def test_a_drifted_grid_is_caught(tmp_path):
    notebook = json.loads((ROOT / "chapters" / "11_ising_phases.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = "".join(cell["source"]).replace("N_SAMPLES = 400", "N_SAMPLES = 300")
    drifted = tmp_path / "drifted.ipynb"
    drifted.write_text(json.dumps(notebook), encoding="utf-8")
    assert not agrees(grid_of(drifted))


def test_the_command_line_reads_a_filled_cache_without_generating(tmp_path, monkeypatch, capsys):
    real = ising_data.fill_cache
    jobs_asked = []

    def recorded(runs, directory, jobs):
        jobs_asked.append(jobs)
        return real(runs, directory=directory, jobs=jobs, progress=False)

    # the real runs take a minute to generate: two small runs in their place, with different seeds
    for name, value in (("BOOK_SIZES", (4, 6)), ("BOOK_TEMPERATURES", (1.5, 3.0)), ("BOOK_SAMPLES", 4),
                        ("BOOK_REFINED_SIZES", (4,)), ("BOOK_REFINED_TEMPERATURES", (2.2, 2.3)),
                        ("BOOK_REFINED_SAMPLES", 3), ("fill_cache", recorded)):
        monkeypatch.setattr(ising_data, name, value)
    assert ising_data.main(["--directory", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "chapters 10 and 11 in" in out and "generated now: 4, 6\n" in out
    assert "finer run in" in out and "generated now: 4\n" in out
    assert ising_data.main(["--directory", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("none (all cached)") == 2
    assert jobs_asked == [min(2, os.cpu_count() or 1)] * 2  # two sizes at a time on a machine with two cores
