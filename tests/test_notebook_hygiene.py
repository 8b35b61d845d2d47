"""Every notebook is stored as a reader and nbval need it: executed in order, titled, listed, free of machine paths and
of control characters."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("solutions/*.ipynb")])
MACHINE_PATH = re.compile(r"/(work|root|tmp|home)/[\w.-]+")
# A cell written from a Python string that was not raw turns "\approx" into a bell and "\tau" into a tab: MathJax
# then fails on the page. No cell has a reason to hold a control character other than the newline.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def toc_files() -> set[str]:
    text = (ROOT / "_toc.yml").read_text()
    return {entry for entry in re.findall(r"file:\s*(\S+)", text)} | {yaml.safe_load(text)["root"]}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_in_order(path):
    notebook = json.loads(path.read_text())
    counts = [cell["execution_count"] for cell in notebook["cells"]
              if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]
    assert None not in counts, f"{path.name} has cells never executed: run `make execute`"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name} was not run top to bottom once: `make execute`"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_title_and_no_machine_paths(path):
    notebook = json.loads(path.read_text())
    first = "".join(notebook["cells"][0]["source"])
    assert notebook["cells"][0]["cell_type"] == "markdown" and first.startswith("# "), "start with a '# Title' cell"
    titles = [line for cell in notebook["cells"] if cell["cell_type"] == "markdown"
              for line in "".join(cell["source"]).splitlines() if re.match(r"# \S", line)]
    assert len(titles) == 1, f"{path.name} has {len(titles)} '# ' titles; the book needs exactly one per page"
    found = MACHINE_PATH.search(path.read_text())
    assert not found, f"{path.name} contains the machine path {found.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_holds_a_control_character(path):
    notebook = json.loads(path.read_text())
    found = [(index, repr(match.group(0))) for index, cell in enumerate(notebook["cells"])
             for match in CONTROL.finditer("".join(cell["source"]))]
    assert not found, f"{path.name}: control characters (cell index, character) {found[:5]}; a lost backslash?"


def test_a_lost_backslash_is_caught():
    assert CONTROL.search("$x \approx 1$") and CONTROL.search("$\tau$")  # what a string that is not raw makes of them
    assert not CONTROL.search(r"$x \approx 1$ and $\tau$" + "\n")


def test_toc_and_chapters_agree():
    chapters = {f"chapters/{path.stem}" for path in ROOT.glob("chapters/*.ipynb")}
    listed = {entry for entry in toc_files() if entry.startswith("chapters/")}
    assert chapters, "no chapter notebooks found"
    assert listed == chapters, f"in _toc.yml but missing: {listed - chapters}; not in _toc.yml: {chapters - listed}"
