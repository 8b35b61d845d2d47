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


def grid_of(notebook: Path) -> dict:
    """The values the notebook's code assigns to SIZES, TEMPERATURES and N_SAMPLES (only those lines are run)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) in \
                GRID_NAMES:
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


def test_a_drifted_grid_is_caught(tmp_path):
    notebook = json.loads((ROOT / "chapters" / "11_ising_phases.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = "".join(cell["source"]).replace("N_SAMPLES = 400", "N_SAMPLES = 300")
    drifted = tmp_path / "drifted.ipynb"
    drifted.write_text(json.dumps(notebook), encoding="utf-8")
    assert not agrees(grid_of(drifted))


def test_the_command_line_reads_a_filled_cache_without_generating(tmp_path, monkeypatch, capsys):
    real = ising_data.ising_dataset

    def small(sizes, temperatures, n_samples, seed, directory, jobs):  # the real grid takes a minute to generate
        assert jobs == min(2, os.cpu_count() or 1)  # two sizes at a time, on a machine with two cores or more
        return real((4, 6), (1.5, 3.0), 4, seed=seed, directory=directory, progress=False, jobs=jobs)

    monkeypatch.setattr(ising_data, "ising_dataset", small)
    assert ising_data.main(["--directory", str(tmp_path)]) == 0
    assert "generated now: 4, 6" in capsys.readouterr().out
    assert ising_data.main(["--directory", str(tmp_path)]) == 0
    assert "none (all cached)" in capsys.readouterr().out
