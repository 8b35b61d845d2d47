"""The student pack holds the exercises, the student book and the package, and nothing of the answer key."""

import filecmp
import json
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from backprop_instructor import student_pack

ROOT = Path(__file__).resolve().parents[1]
STUDENT_BOOK = ROOT / "_build" / "student" / "html"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    if not (STUDENT_BOOK / "index.html").is_file():
        subprocess.run([sys.executable, "scripts/student_edition.py", "build"], cwd=ROOT, check=True)
    output = tmp_path_factory.mktemp("hand-out") / "student-pack"
    student_pack.write(output, STUDENT_BOOK)
    return output


def test_the_pack_holds_the_exercises_the_book_and_the_package(pack):
    for notebook in (ROOT / "exercises").glob("*.ipynb"):
        assert filecmp.cmp(notebook, pack / "exercises" / notebook.name, shallow=False)
    assert (pack / "book" / "index.html").is_file() and not (pack / "book" / "solutions").exists()
    assert (pack / "backprop" / "src" / "backprop" / "grading" / "commitments.json").is_file()
    assert (pack / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    with zipfile.ZipFile(pack.with_suffix(".zip")) as archive:
        names = archive.namelist()
    assert "student-pack/exercises/01_by_hand.ipynb" in names
    assert not [n for n in names if "backprop_instructor" in n or "/solutions/" in n or n.endswith("RUBRIC.md")]


def test_the_pack_holds_nothing_of_the_key_and_the_check_can_fail(pack, tmp_path):
    assert student_pack.check(pack) == []
    planted = tmp_path / "planted"
    (planted / "exercises").mkdir(parents=True)
    line = sorted(student_pack.solution_lines())[0]
    (planted / "exercises" / "x.ipynb").write_text(json.dumps({"cells": [{"source": line}]}))
    (planted / "backprop_instructor").mkdir()
    (planted / "backprop_instructor" / "references.py").write_text("")
    problems = student_pack.check(planted)
    assert any("holds a line of a solution" in p for p in problems)
    assert any("an instructor's file" in p for p in problems)


def test_the_packed_package_installs_without_the_key_and_its_feedback_works(pack, tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    str(pack / "backprop"), "-w", str(wheels)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("backprop-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "backprop/grading/feedback.py" in names and "backprop/grading/commitments.json" in names
    assert not [n for n in names if n.startswith("backprop_instructor")]
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    script = f"""
import sys
sys.path[:0] = [{str(target)!r}]
sys.path += {site.getsitepackages()!r}
import numpy as np
from backprop.grading.feedback import check
check("q24_sigmoid_magnitudes", 0.25 ** np.arange(5))
check("q24_sigmoid_magnitudes", 0.5 ** np.arange(5))
try:
    import backprop_instructor
    print("THE KEY IS HERE")
except ImportError:
    print("no key")
"""
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("of 1 checks pass") == 2 and "All checks pass" in done.stdout
    assert "not the expected values" in done.stdout and "no key" in done.stdout
