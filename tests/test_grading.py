"""The grader: solutions score full marks, fresh exercises score zero, bad submissions score what they earned.

Every adversarial notebook in tests/submissions/ carries the score it should get (expected_scores.json). Time
limits are kept small so the whole file runs in well under a minute on two cores.
"""

import csv
import filecmp
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from backprop_instructor import grader
from backprop.grading.checks import compare
from backprop.grading.feedback import check, feedback_results
from backprop.grading.questions import EXERCISE_SETS, QUESTIONS, get_question, questions_of
from backprop.grading.symbolic_checks import judge_xtanh_derivative, parse_formula

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "submissions"
LIMIT = 12.0


@pytest.fixture(scope="module")
def graded_submissions(tmp_path_factory):
    """Grade a copy of tests/submissions/ (in parallel), and check the originals are left unchanged."""
    copy = tmp_path_factory.mktemp("class") / "submissions"
    shutil.copytree(SUBMISSIONS, copy)
    before = sorted(p.name for p in copy.iterdir())
    results = grader.grade_paths(grader.collect(copy), jobs=2, time_limit=LIMIT)
    assert sorted(p.name for p in copy.iterdir()) == before, "a submission created or removed a file next to it"
    assert not (copy.parent / "ESCAPED.txt").exists() and not (copy.parent.parent / "ESCAPED.txt").exists()
    for path in copy.iterdir():
        assert filecmp.cmp(path, SUBMISSIONS / path.name, shallow=False), f"{path.name} was modified"
    return {Path(s.path).name: s for s in results}


@pytest.fixture(scope="module")
def graded_solutions_and_exercises():
    paths = [ROOT / d / f"{s}.ipynb" for d in ("solutions", "exercises") for s in EXERCISE_SETS]
    return {f"{p.parent.name}/{p.name}": s for p, s in zip(paths, grader.grade_paths(paths, jobs=2,
                                                                                    time_limit=20), strict=True)}


def test_solutions_score_full_marks(graded_solutions_and_exercises):
    for name in EXERCISE_SETS:
        s = graded_solutions_and_exercises[f"solutions/{name}.ipynb"]
        assert s.max_score > 0 and s.score == s.max_score, (name, [q.output() for q in s.questions])
        assert not s.notes, s.notes


def test_fresh_exercises_score_zero(graded_solutions_and_exercises):
    for name in EXERCISE_SETS:
        s = graded_solutions_and_exercises[f"exercises/{name}.ipynb"]
        assert s.score == 0 and s.max_score == sum(q.points for q in questions_of(name) if q.kind != "rubric")
        assert any("NotImplementedError" in note for note in s.notes)


def test_each_adversarial_submission_scores_what_it_earned(graded_submissions):
    expected = json.loads((SUBMISSIONS / "expected_scores.json").read_text())
    assert set(expected) == set(graded_submissions)
    for name, score in expected.items():
        s = graded_submissions[name]
        assert s.score == score, (name, s.score, s.notes, [q.output() for q in s.questions])
        assert s.seconds < LIMIT + 10  # the hard limit holds: nothing waits much beyond it


def test_messages_say_what_happened(graded_submissions):
    notes = {name: " ".join(s.notes) for name, s in graded_submissions.items()}
    assert "is not a notebook" in notes["not_a_notebook_01_by_hand.ipynb"]
    assert "JSON is broken" in notes["corrupt_json_01_by_hand.ipynb"]
    assert "SyntaxError" in notes["syntax_error_01_by_hand.ipynb"]
    assert "ran longer than" in notes["infinite_loop_01_by_hand.ipynb"]
    assert "sys.exit" in notes["sys_exit_01_by_hand.ipynb"]
    assert "tried to end the process" in notes["os_exit_01_by_hand.ipynb"]
    assert "ended early" in notes["killed_01_by_hand.ipynb"]
    assert f"did not finish within {LIMIT:g} s" in notes["swallows_timeout_01_by_hand.ipynb"]
    assert "MemoryError" in notes["huge_memory_01_by_hand.ipynb"]
    by_q = {q.qid: q.output() for q in graded_submissions["nan_inf_01_by_hand.ipynb"].questions}
    assert "NaN or inf" in by_q["q01_identity_gradient"] and "NaN or inf" in by_q["q02_sigmoid_gradient"]
    by_q = {q.qid: q.output() for q in graded_submissions["missing_function_01_by_hand.ipynb"].questions}
    assert "nothing called 'sequence_update'" in by_q["q05_w1_update_bug"]
    by_q = {q.qid: q.output() for q in graded_submissions["patching_01_by_hand.ipynb"].questions}
    assert "twice the expected" in by_q["q01_identity_gradient"]  # the patched compare did not reach the grader
    by_q = {q.qid: q.output() for q in graded_submissions["infinite_loop_01_by_hand.ipynb"].questions}
    assert "ran longer than" in by_q["q03_gradient_descent"]


def test_reports_table_csv_and_gradescope_json(graded_submissions, tmp_path):
    subs = list(graded_submissions.values())
    grader.write_csv(subs, tmp_path / "grades.csv")
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert {r["submission"] for r in rows} == set(graded_submissions)
    row = next(r for r in rows if r["submission"] == "missing_function_01_by_hand.ipynb")
    assert float(row["score"]) == 15 and float(row["q05_w1_update_bug"]) == 0 and float(row["max_score"]) == 18
    results = grader.gradescope_results(graded_submissions["nan_inf_01_by_hand.ipynb"])
    assert results["score"] == 14 and sum(t["max_score"] for t in results["tests"]) == 18
    assert {"name", "score", "max_score", "output"} <= set(results["tests"][0])
    json.dumps(results, allow_nan=False)
    assert "missing_function_01_by_hand.ipynb" in grader.table(subs)


def test_command_line_writes_files(tmp_path, capsys):
    target = tmp_path / "one_01_by_hand.ipynb"
    shutil.copy(SUBMISSIONS / "missing_function_01_by_hand.ipynb", target)
    code = grader.main([str(target), "--csv", str(tmp_path / "g.csv"), "--json", str(tmp_path / "r.json"),
                        "--time-limit", str(LIMIT)])
    assert code == 0 and "15.00" in capsys.readouterr().out
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 15
    assert grader.main([str(tmp_path / "nothing_here")]) == 2


# ---------------------------------------------------------------- the checks themselves (no sandbox)
def _solution_namespace():
    namespace = {}
    for name in EXERCISE_SETS:
        notebook = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text())
        for cell in grader.code_cells(notebook):
            if "check(" not in cell and "MLP(" not in cell and "momentum" not in cell:
                exec(cell, namespace)  # noqa: S102 - the instructor's own solutions
    return namespace


SOLUTIONS = _solution_namespace()
FUNCTION_QUESTIONS = [q for q in QUESTIONS if q.kind == "function"]


def _scaled(value, factor):
    if isinstance(value, dict):
        return {k: _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_scaled(v, factor) for v in value)
    return np.asarray(value, dtype=float) * factor + 0.01


@pytest.mark.parametrize("question", FUNCTION_QUESTIONS, ids=lambda q: q.qid)
def test_a_wrong_answer_fails_every_check(question):
    right = SOLUTIONS[question.target]
    assert all(r.passed for r in feedback_results(question, right))
    wrong = feedback_results(question, lambda *args: _scaled(right(*args), 1.1))
    assert wrong and not any(r.passed for r in wrong), [r.message for r in wrong if r.passed]


@pytest.mark.parametrize("qid", ["q01_identity_gradient", "q02_sigmoid_gradient", "q09_complete_calculation"])
def test_dropping_the_half_is_recognised(qid):
    question = get_question(qid)
    right = SOLUTIONS[question.target]

    def doubled(*args):
        value = right(*args)
        if isinstance(value, dict):  # forward values stay, the loss and the gradients double
            return {k: (2 * v if k.startswith("d") or k == "loss" else v) for k, v in value.items()}
        return 2.0 * np.asarray(value, dtype=float)
    messages = " ".join(r.message for r in feedback_results(question, doubled) if not r.passed)
    assert "twice the expected" in messages and "drop the ½" in messages


def test_source_bugs_are_recognised():
    def buggy_update(params, x, y, lr):
        new = SOLUTIONS["sequence_update"](params, x, y, lr)
        grad_w1 = (params["w1"] - new["w1"]) / lr
        return dict(new, w1=new["w2"] - lr * grad_w1)
    messages = [r.message for r in feedback_results(get_question("q05_w1_update_bug"), buggy_update)]
    assert any("the source's bug" in m for m in messages)

    def stale(X, y, w, b):  # the source's loop: the error uses the arrays, dz/dw and sigma'(z) the old scalars
        z, x = 0.3 * 0.5 + 0.1, 0.5
        y_hat = 1 / (1 + np.exp(-(w * np.asarray(X) + b)))
        s = 1 / (1 + np.exp(-z))
        return np.mean((y_hat - y) * s * (1 - s) * x), np.mean((y_hat - y) * s * (1 - s))
    messages = [r.message for r in feedback_results(get_question("q04_stale_variable_bug"), stale)]
    assert any("left over from an earlier cell" in m for m in messages)


def test_l2_and_sgd_slips_are_recognised():
    def no_over_m(X, Y, W1, b1, W2, b2, lam):
        g = SOLUTIONS["l2_gradients"](X, Y, W1, b1, W2, b2, 0.0)
        return dict(g, dW1=g["dW1"] + lam * W1)
    assert any("no 1/m" in r.message for r in feedback_results(get_question("q18_l2_gradients"), no_over_m))


def test_value_questions_reject_wrong_values():
    x = np.linspace(-np.pi, np.pi, 100)
    assert all(r.passed for r in feedback_results(get_question("q21_sin_fit"), np.sin(x) + 0.05))
    assert not all(r.passed for r in feedback_results(get_question("q21_sin_fit"), np.sin(x) + 0.2))
    assert not feedback_results(get_question("q21_sin_fit"), np.zeros(99))[0].passed
    good = {1: 0.3, 2: 0.29, 20: 0.09, 50: 0.08}
    assert all(r.passed for r in feedback_results(get_question("q22_hidden_sizes"), good))
    assert not all(r.passed for r in feedback_results(get_question("q22_hidden_sizes"), {1: 0.01, 2: 0.2,
                                                                                         20: 0.3, 50: 0.4}))
    assert not feedback_results(get_question("q24_sigmoid_magnitudes"), 0.5 ** np.arange(5))[0].passed
    bad_design = {"features": ["a", "b"], "layer_sizes": [2, 1], "loss": "binary_cross_entropy"}
    assert not any(r.passed for r in feedback_results(get_question("q27_design_checkable"), bad_design))


def test_derivative_is_checked_by_sympy_equivalence_and_parsed_safely():
    assert judge_xtanh_derivative("x/cosh(x)**2 + tanh(x)")[0].passed
    assert judge_xtanh_derivative("tanh(x) + x*sech(x)^2")[0].passed
    assert "product" in judge_xtanh_derivative("1 - tanh(x)**2")[0].message
    assert not judge_xtanh_derivative("tanh(x) + x")[0].passed
    for attack in ("__import__('os').system('true')", "x.__class__", "eval('1')", "x" * 500, 3.0):
        expr, why = parse_formula(attack)
        assert expr is None and why


def test_feedback_prints_hints_without_the_answer(capsys):
    check("q01_identity_gradient", lambda x, y, w, b: (2 * (w * x + b - y) * x, 2 * (w * x + b - y)))
    out = capsys.readouterr().out
    assert "0 of 4 checks pass" in out and "drop the ½" in out
    assert "1.5" not in out  # the expected dL/dw at the exercise's point is never shown
    check("q01_identity_gradient", SOLUTIONS["identity_neuron_gradient"])
    assert "All checks pass" in capsys.readouterr().out


def test_compare_hints():
    assert "transposed" in compare("dW", np.ones((3, 2)) * np.arange(2), (np.ones((3, 2)) * np.arange(2)).T).message
    assert "wrong sign" in compare("g", -np.arange(1.0, 4.0), np.arange(1.0, 4.0)).message
    assert "NaN" in compare("g", [np.nan], [1.0]).message
    assert "expected numbers" in compare("g", "1.5", 1.5).message


def test_gradescope_mode_writes_one_results_json_per_student(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(ROOT / "solutions" / "01_by_hand.ipynb", submission / "01_by_hand.ipynb")
    shutil.copy(ROOT / "exercises" / "04_analysis_and_design.ipynb", submission / "04_analysis_and_design.ipynb")
    out = tmp_path / "results" / "results.json"
    assert grader.main([str(submission), "--quiet", "--gradescope", str(out), "--time-limit", str(LIMIT)]) == 0
    results = json.loads(out.read_text())
    assert results["score"] == 18
    assert sum(t["max_score"] for t in results["tests"]) == 18 + 3
    assert any(t["name"].startswith("04_analysis_and_design / q24") and t["score"] == 0 for t in results["tests"])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert grader.main([str(empty), "--quiet", "--gradescope", str(out)]) == 0
    assert json.loads(out.read_text())["score"] == 0 and "No .ipynb" in json.loads(out.read_text())["output"]


def test_autograder_zip_holds_scripts_package_and_pins(tmp_path):
    import importlib.util
    import zipfile

    spec = importlib.util.spec_from_file_location("pack_autograder", ROOT / "scripts" / "pack_autograder.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = module.pack(tmp_path / "autograder.zip")
    assert {"setup.sh", "run_autograder", "requirements-grading.txt",
            "backprop/src/backprop/grading/questions.py", "backprop/pyproject.toml"} <= set(names)
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
        assert "numpy==" in archive.read("requirements-grading.txt").decode()
        assert "--gradescope /autograder/results/results.json" in archive.read("run_autograder").decode()
    assert (tmp_path / "autograder.zip").read_bytes() == (module.pack(tmp_path / "again.zip") and
                                                          (tmp_path / "again.zip").read_bytes())


def test_registry_notebooks_and_rubric_agree():
    rubric = (ROOT / "solutions" / "RUBRIC.md").read_text(encoding="utf-8")
    for name in EXERCISE_SETS:
        notebook = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert notebook["metadata"]["backprop"]["exercise_set"] == name
        code = "\n".join(grader.code_cells(notebook))
        for question in questions_of(name):
            if question.kind == "rubric":
                assert f"| {question.qid} |" in rubric and f"## {question.qid} ({question.points:g} point" in rubric
            else:
                assert f'check("{question.qid}", {question.target})' in code, question.qid


def test_forged_or_unreadable_results_cost_only_the_question():
    question = get_question("q07_relu_derivative")
    calls = question.calls(np.random.default_rng(0))
    for raw in ([{"value": {"__ndarray__": [[1, 2], [3]]}}, {"value": {"__ndarray__": "abc"}}],
                [17, "x"], None, "missing", [{"error": "boom"}]):
        score = grader._score(question, raw, calls)
        assert score.score == 0 and (score.results or score.message)
