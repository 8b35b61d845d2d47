"""The Gradescope autograder, end to end, in a Gradescope-shaped folder on this machine.

Emulated: the /autograder tree (source = the unpacked zip, submission, results) in a temporary root; setup.sh run
once in a clean environment (no inherited variables but PATH and HOME), installing the pinned packages from PyPI into
a fresh venv; run_autograder once per submission, as Gradescope does, with AUTOGRADER_ROOT standing for /autograder;
each results.json checked against Gradescope's documented format (gradescope-autograders.readthedocs.io, "Autograder
Specifications"). Not emulated: Gradescope's Ubuntu image and its Docker container (this is Debian, as root), the
upload of the zip and the harness that copies files in and results out; nor pip's byte-compiling of every installed
module (PIP_COMPILE=false: about half of setup.sh's CPU time, and it cannot fail the install; the modules the grader
imports are compiled on the first run_autograder instead).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gradescope

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = {  # name: (files, expected score)
    "solution": ([ROOT / "solutions" / "01_by_hand.ipynb"], 18),
    "blank": ([ROOT / "exercises" / "01_by_hand.ipynb"], 0),
    "partial": ([ROOT / "tests" / "submissions" / "missing_function_01_by_hand.ipynb"], 15),
    "cheating": ([ROOT / "tests" / "submissions" / "import_key_02_matrix_backprop.ipynb",
                  ROOT / "tests" / "submissions" / "copy_solutions_01_by_hand.ipynb"], 0),
}
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
             "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
PER_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
            "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def format_problems(results) -> list[str]:
    """What in a results.json does not follow Gradescope's documented format (empty when it all does)."""
    problems = []
    if not isinstance(results, dict):
        return ["results.json is not an object"]
    problems += [f"unknown key {k!r}" for k in set(results) - TOP_LEVEL]
    tests = results.get("tests", [])
    if not isinstance(tests, list):
        return problems + ["tests is not a list"]
    if "score" not in results and not all(isinstance(t, dict) and "score" in t for t in tests):
        problems.append("no score: neither at the top nor on every test")
    if "score" in results and not isinstance(results["score"], (int, float)):
        problems.append("score is not a number")
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in VISIBILITY:
            problems.append(f"{key} {results[key]!r}")
    for key in ("output_format", "test_output_format"):
        if key in results and results[key] not in FORMATS:
            problems.append(f"{key} {results[key]!r}")
    for number, test in enumerate(tests, start=1):
        if not isinstance(test, dict):
            problems.append(f"test {number} is not an object")
            continue
        problems += [f"test {number}: unknown key {k!r}" for k in set(test) - PER_TEST]
        for key in ("score", "max_score"):
            if key in test and not isinstance(test[key], (int, float)):
                problems.append(f"test {number}: {key} is not a number")
        if isinstance(test.get("score"), (int, float)) and isinstance(test.get("max_score"), (int, float)) \
                and not 0 <= test["score"] <= test["max_score"]:
            problems.append(f"test {number}: score outside 0..max_score")
        if "status" in test and test["status"] not in ("passed", "failed"):
            problems.append(f"test {number}: status {test['status']!r}")
        if "visibility" in test and test["visibility"] not in VISIBILITY:
            problems.append(f"test {number}: visibility {test['visibility']!r}")
        if not isinstance(test.get("name", ""), str) or not isinstance(test.get("output", ""), str):
            problems.append(f"test {number}: name and output must be text")
    return problems


def test_the_format_check_can_fail():
    assert format_problems({"score": 1, "tests": [{"name": "a", "score": 2, "max_score": 1}]})
    assert format_problems({"tests": [{"name": "a"}]})
    assert format_problems({"score": 1, "visibility": "always"})
    assert format_problems({"score": "1"})
    assert not format_problems({"score": 1.0, "tests": [{"name": "a", "score": 1, "max_score": 2, "output": ""}]})


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """A Gradescope-shaped root: the zip unpacked in source/, setup.sh run once in a clean environment."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    (root / "source").mkdir(parents=True)
    spec = __import__("importlib.util").util.spec_from_file_location("pack", ROOT / "scripts" / "pack_autograder.py")
    module = __import__("importlib.util").util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.pack(root.parent / "autograder.zip")
    shutil.unpack_archive(root.parent / "autograder.zip", root / "source")
    for name in ("setup.sh", "run_autograder"):  # unpack_archive does not keep the modes the zip records
        os.chmod(root / "source" / name, 0o755)
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": os.path.expanduser("~"),
           "AUTOGRADER_ROOT": str(root),
           # pip's --no-compile (PIP_NO_COMPILE=1 would mean the opposite: pip reads it as the value of `compile`)
           "PIP_COMPILE": "false"}
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "PIP_FIND_LINKS", "PIP_CONFIG_FILE"):
        if name in os.environ:  # how this machine reaches PyPI, as Gradescope's image would have its own
            env[name] = os.environ[name]
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return root, env


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_run_autograder_writes_results_in_gradescope_format(autograder, name):
    root, env = autograder
    files, expected = SUBMISSIONS[name]
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for path in files:
        shutil.copy(path, root / "submission" / path.name)
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert format_problems(results) == []
    assert results["score"] == expected, (name, results["output"])
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    print(f"{name}: score {results['score']} of {sum(t['max_score'] for t in results['tests'])}, "
          f"{len(results['tests'])} tests; output: {results['output'][:200]!r}", file=sys.stderr)
    # the key is installed for the grader, readable by root only, and the submission's code never saw it
    installed = next((root / "venv" / "lib").glob("python3*/site-packages/backprop_instructor"))
    assert oct(installed.stat().st_mode)[-3:] == "700"
