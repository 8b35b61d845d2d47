"""Write the hostile submissions of the grader's adversarial set: a real notebook plus a cell that attacks.

    python tests/submissions/make_hostile.py   # rewrites tests/submissions/<attack>_<set>.ipynb

Each one starts from an exercise notebook (no work done) or a solution notebook (all the work done) and adds a cell;
``expected_scores.json`` says what each must score: the attack must earn nothing, and must cost the honest work
nothing. The notebooks are generated so that they follow the exercises and solutions when those change. The 100 MB
notebook is not stored here: ``tests/test_grading.py`` writes it at test time.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

FIND_FILES = '''
import os

def find(predicate, roots=("/", "..", "../..", os.path.expanduser("~"))):
    found = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
            found += [os.path.join(folder, f) for f in files if predicate(folder, f)]
            if len(found) > 50:
                return found
    return found
'''

RUN_OTHER_NOTEBOOKS = FIND_FILES + '''
import json
for path in find(lambda folder, name: name.endswith(".ipynb") and WANTED(folder, name)):
    try:
        for cell in json.load(open(path))["cells"]:
            if cell["cell_type"] == "code" and "check(" not in "".join(cell["source"]):
                exec("".join(cell["source"]), globals())
    except Exception:
        pass
'''

def import_the_key(*targets: str) -> str:
    """A cell that imports the answer key under any of its names and takes the functions ``targets`` from it."""
    return '''
import importlib
for name in ("backprop_instructor.references", "backprop.grading.references", "references"):
    try:
        R = importlib.import_module(name)
        break
    except ImportError:
        R = None
''' + "".join(f"{target} = R.{target}\n" for target in targets)


ATTACKS = {
    # the answer key, under any name
    ("import_key", "02_matrix_backprop", "exercises"): import_the_key(
        "relu_derivative", "backprop_by_hand", "xtanh_backward", "multi_output_gradients"),
    ("import_key", "05_gradients_and_models", "exercises"): import_the_key(
        "gradient_norms", "predicted_factor", "measured_factor", "critical_sigma", "sklearn_C", "hinge_subgradient",
        "logistic_gradients"),
    ("import_key", "06_ising_and_autodiff", "exercises"): import_the_key(
        "flip_energy_changes", "metropolis_acceptance", "metropolis_matrix", "per_site", "tau_int", "binder",
        "crossing", "balanced_accuracy", "majority_blocks", "softplus_graph", "layer_jvp", "pass_counts",
        "matmul_vjp"),
    ("import_key_by_path", "01_by_hand", "exercises"): '''
import importlib.util, sys
for base in sys.path + ["/work/main/src", "/tmp/fresh/src", "../src", "../../src", "/autograder/source"]:
    for name in ("backprop_instructor/references.py", "backprop/grading/references.py"):
        try:
            spec = importlib.util.spec_from_file_location("key", f"{base}/{name}")
            R = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(R)
            identity_neuron_gradient = R.identity_neuron_gradient
            sigmoid_neuron_gradient = R.sigmoid_neuron_gradient
            descend = R.descend
        except Exception:
            pass
''',
    ("read_key_file", "01_by_hand", "exercises"): FIND_FILES + '''
for path in find(lambda folder, name: name == "references.py"):
    try:
        exec(open(path).read(), globals())
    except Exception:
        pass
''',
    # someone else's work
    ("copy_solutions", "01_by_hand", "exercises"): RUN_OTHER_NOTEBOOKS.replace(
        "WANTED(folder, name)", '"solutions" in folder or "01_by_hand" in name'),
    ("copy_classmate", "02_matrix_backprop", "exercises"): RUN_OTHER_NOTEBOOKS.replace(
        "WANTED(folder, name)", '"02_matrix_backprop" in name'),
    # writing where it must not
    ("write_package", "01_by_hand", "solutions"): '''
import os, sys, backprop, backprop.grading
for folder in [os.path.dirname(backprop.__file__), os.path.dirname(backprop.grading.__file__), *sys.path,
               "/work/main/src/backprop_instructor", "/autograder/source"]:
    for name in ("references.py", "ESCAPED.txt", "__init__.py"):
        try:
            with open(os.path.join(folder, name), "a") as handle:
                handle.write("\\nESCAPED = True\\n")
        except OSError:
            pass
''',
    ("write_home", "02_matrix_backprop", "solutions"): '''
import glob, os
for folder in ["/root", "/home", *glob.glob("/home/*"), os.path.expanduser("~"), "/tmp", "/var/tmp", "/dev/shm"]:
    try:
        with open(os.path.join(folder, "ESCAPED.txt"), "w") as handle:
            handle.write("written by a submission")
    except OSError:
        pass
''',
    ("overwrite_submissions", "01_by_hand", "solutions"): FIND_FILES + '''
for path in find(lambda folder, name: name.endswith(".ipynb")):
    try:
        with open(path, "w") as handle:
            handle.write("{}")
    except OSError:
        pass
''',
    # stopping or spying on the grader
    ("kill_parent", "01_by_hand", "solutions"): '''
import os, signal
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
''',
    ("kill_process_group", "01_by_hand", "solutions"): '''
import os, signal
os.killpg(0, signal.SIGKILL)
''',
    ("read_processes", "01_by_hand", "solutions"): '''
import os
seen = {}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            seen[pid] = open(f"/proc/{pid}/cmdline").read()
        except OSError:
            pass
assert len(seen) <= 3, seen  # only its own sandbox's processes
''',
    # exhausting the machine
    ("fork_bomb", "01_by_hand", "solutions"): '''
import os, time
for _ in range(10_000):
    if os.fork() == 0:
        time.sleep(5)
        os._exit(0)
''',
    ("fill_disk", "01_by_hand", "solutions"): '''
import os
chunk = b"x" * (1 << 20)
for n in range(10_000):
    with open(f"filler_{n}.bin", "wb") as handle:
        for _ in range(16):
            handle.write(chunk)
''',
    ("huge_stdout", "01_by_hand", "solutions"): '''
import sys
line = "x" * (1 << 20)
for _ in range(2048):  # 2 GB
    sys.stdout.write(line)
sys.stderr.write("y" * (64 << 20))
''',
    ("network", "01_by_hand", "solutions"): '''
import socket
for host, port in (("151.101.0.223", 443), ("127.0.0.1", 8000), ("8.8.8.8", 53)):
    try:
        socket.create_connection((host, port), timeout=1).close()
        raise RuntimeError("the network was reachable")
    except OSError:
        pass
''',
    # returned objects that try to fool the comparison
    ("tricky_objects", "01_by_hand", "solutions"): '''
class AlwaysEqual:
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.zeros(2)
    def __float__(self):
        return 0.0

class FloatThatEqualsAll(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__

class ArrayThatEqualsAll(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

def identity_neuron_gradient(x, y, w, b):
    return AlwaysEqual()

def sigmoid_neuron_gradient(x, y, w, b):
    return (FloatThatEqualsAll(0.0), FloatThatEqualsAll(0.0))

def f_prime(x):
    return np.zeros(np.shape(x)).view(ArrayThatEqualsAll)
''',
}

EXPECTED = {  # the score each must get: 18 = all of 01_by_hand, 19 = all of 02_matrix_backprop
    "import_key_02_matrix_backprop.ipynb": 0,
    "import_key_05_gradients_and_models.ipynb": 0,
    "import_key_06_ising_and_autodiff.ipynb": 0,
    "import_key_by_path_01_by_hand.ipynb": 0,
    "read_key_file_01_by_hand.ipynb": 0,
    "copy_solutions_01_by_hand.ipynb": 0,
    "copy_classmate_02_matrix_backprop.ipynb": 0,
    "write_package_01_by_hand.ipynb": 18,
    "write_home_02_matrix_backprop.ipynb": 19,
    "overwrite_submissions_01_by_hand.ipynb": 18,
    "kill_parent_01_by_hand.ipynb": 18,
    "kill_process_group_01_by_hand.ipynb": 0,
    "read_processes_01_by_hand.ipynb": 18,
    "fork_bomb_01_by_hand.ipynb": 18,
    "fill_disk_01_by_hand.ipynb": 18,
    "huge_stdout_01_by_hand.ipynb": 18,
    "network_01_by_hand.ipynb": 18,
    "tricky_objects_01_by_hand.ipynb": 12,  # f', the identity and the sigmoid gradients (2 + 2 + 2) are wrong
}


def hostile_notebook(attack: str, exercise_set: str, base: str) -> dict:
    notebook = json.loads((ROOT / base / f"{exercise_set}.ipynb").read_text(encoding="utf-8"))
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": ATTACKS[(attack, exercise_set, base)].strip("\n")}
    if attack in ("kill_process_group", "tricky_objects", "import_key", "import_key_by_path", "read_key_file",
                  "copy_solutions", "copy_classmate"):
        notebook["cells"].append(cell)  # after the notebook's own definitions, to replace them
    else:
        notebook["cells"].insert(1, cell)  # first, before any work
    for each in notebook["cells"]:
        if each["cell_type"] == "code":
            each["outputs"], each["execution_count"] = [], None
    return notebook


def main() -> None:
    for attack, exercise_set, base in ATTACKS:
        path = HERE / f"{attack}_{exercise_set}.ipynb"
        path.write_text(json.dumps(hostile_notebook(attack, exercise_set, base), indent=1) + "\n", encoding="utf-8")
    scores = json.loads((HERE / "expected_scores.json").read_text(encoding="utf-8"))
    scores.update(EXPECTED)
    (HERE / "expected_scores.json").write_text(json.dumps(scores, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(ATTACKS)} hostile notebooks and their expected scores")


if __name__ == "__main__":
    main()
