"""The exercise generator: stubs replace solutions, outputs go, --check catches drift, bad markers are refused."""

import ast
import io
import json
import re
import textwrap
import tokenize

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


# ---------------------------------------------------------------- answers given away outside the solution markers
# A student copy poses the question and gives no answer. The generator removes what sits between the markers; these
# tests look for the solution's distinctive expressions in what is left (questions, docstrings, printed labels).
LATEX_WORDS = ("\\left", "\\right", "\\cdot", "\\times", "\\,", "\\;", "\\!", "\\ ")
WRAPPERS = re.compile(r"\b(?:asarray|array|float)\(([^(),]+)(?:,[^()]*)?\)")  # np.asarray(z, dtype=float) -> z
# Givens a question must state to be gradable; each is quoted in its solution too. (notebook, normalised text): why
GIVENS = {
    ("02_matrix_backprop", "delta^[3]=(a^[3]-y)/m"): "the output error of the cross-entropy, given with the loss",
    ("02_matrix_backprop", "(a2-y)^2"): "the loss of exercise 2.2, which its docstring states",
    ("04_analysis_and_design", "nsigma_w^2=1"): "the two weight scales exercise 4.1 (e) asks about",
    ("04_analysis_and_design", "nsigma_w^2=2"): "the two weight scales exercise 4.1 (e) asks about",
}


def _normalise(text: str) -> str:
    """One spelling for code and LaTeX: lower case, ^ for powers, no spaces, *, braces, $, np. or backslashes."""
    text = text.lower().replace("**", "^").replace("np.", "").replace("math.", "")
    for word in LATEX_WORDS:
        text = text.replace(word, "")
    text = re.sub(r"\\(?=[a-z])", "", text)  # \tanh -> tanh, \sigma -> sigma
    text = re.sub(r"[\s*{}$`]", "", text)
    previous = None
    while previous != text:
        previous, text = text, WRAPPERS.sub(r"\1", text)
    return text


def _constant_value(node):
    """The number an expression of literals gives (1 / 4 -> 0.25), or None."""
    if not all(isinstance(n, (ast.Expression, ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop))
               for n in ast.walk(node)):
        return None
    try:
        value = eval(compile(ast.Expression(node), "<solution>", "eval"), {"__builtins__": {}})  # noqa: S307
    except (ArithmeticError, TypeError):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _answer_fragments(code_blocks, markdown_blocks):
    """What an answer gives away: the solution code's expressions and comparisons, the non-integer constants it
    assigns or raises to a power (a factor per step), and the equations of the written answers ("lhs = rhs"), all
    normalised."""
    expressions, numbers = set(), set()
    for block in code_blocks:
        try:
            tree = ast.parse(textwrap.dedent(block))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.BinOp, ast.BoolOp, ast.Compare)):
                text = _normalise(ast.unparse(node))
                if len(text) >= 8 or (isinstance(node, ast.Compare) and len(text) >= 3):
                    expressions.add(text)
            constant = None
            if isinstance(node, ast.Assign):  # factor = 1 / 4
                constant = _constant_value(node.value)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):  # 0.25 ** np.arange(5)
                constant = _constant_value(node.left)
            if constant is not None and constant != int(constant):
                numbers.add(repr(constant))
    for block in markdown_blocks:
        for math in re.findall(r"\$([^$]+)\$", block):
            if "=" in math and len(_normalise(math)) >= 10:
                expressions.add(_normalise(math))
    return expressions, numbers


def _prose(code: str) -> list[str]:
    """The comments and string literals (docstrings, printed labels) of code a student sees."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [code]
    return [t.string for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)]


def _split(notebook):
    """(solution code blocks, solution markdown blocks, the prose a student reads) of a solution notebook.

    The prose is the markdown outside the markers plus the comments and strings of the code outside them: a helper
    the question defines (``sigmoid``) may share expressions with a solution, a sentence that states one may not.
    """
    code, markdown, visible = [], [], []
    for cell in notebook["cells"]:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        begin, end = ("# BEGIN SOLUTION", "# END SOLUTION") if cell["cell_type"] == "code" else (
            "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->")
        inside, block, outside = False, [], []
        for line in source.split("\n"):
            if line.strip() == begin:
                inside, block = True, []
            elif line.strip() == end:
                inside = False
                (code if cell["cell_type"] == "code" else markdown).append("\n".join(block))
            elif inside:
                block.append(line)
            else:
                outside.append(line)
        outside = "\n".join(outside)
        visible += _prose(outside) if cell["cell_type"] == "code" else [outside]
    return code, markdown, "\n".join(visible)


def answer_leaks(notebook, givens=()) -> list[str]:
    """Every distinctive piece of the solution that also appears outside the solution markers (sorted)."""
    code, markdown, visible = _split(notebook)
    expressions, numbers = _answer_fragments(code, markdown)
    seen = _normalise(visible)
    leaks = [f"expression {e!r}" for e in expressions if e in seen and e not in givens]
    leaks += [f"number {n}" for n in numbers if re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", visible)]
    return sorted(leaks)


def _planted(question, solution_code, written=""):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": question},
             {"cell_type": "code", "metadata": {}, "source": solution_code}]
    if written:
        cells.append({"cell_type": "markdown", "metadata": {}, "source": written})
    return {"cells": cells}


@pytest.mark.parametrize(("question", "code", "written", "found", "clean_code"), [
    # 1.4 as it was: the question's follow-up stated the gradient set to zero
    ("Setting $\\nabla f = 0$ gives $2(x-1) + y = 0$ and $4(y+2) + x = 0$.",
     "def g(p):\n    x, y = p\n    # BEGIN SOLUTION\n    return np.array([2 * (x - 1) + y, 4 * (y + 2) + x])\n"
     "    # END SOLUTION", "", "'2(x-1)+y'", None),
    # 2.1 as it was: the docstring said where the derivative is 1
    ("Write relu_derivative.", 'def relu_derivative(z):\n    """1 where z > 0, 0 elsewhere."""\n'
     "    # BEGIN SOLUTION\n    return (np.asarray(z, dtype=float) > 0).astype(float)\n    # END SOLUTION", "",
     "'z>0'", 'def relu_derivative(z):\n    """g\'(z), element-wise."""\n    # BEGIN SOLUTION\n'
     "    return (np.asarray(z, dtype=float) > 0).astype(float)\n    # END SOLUTION"),
    # 4.1 as it was: the question stated the factor the student was to find
    ("use the largest value of $\\sigma'$ (which is 0.25)",
     "# BEGIN SOLUTION\nsigmoid_magnitudes = 0.25 ** np.arange(5)\n# END SOLUTION", "",
     "number 0.25", None),
    # a written answer's equation copied into the question
    ("Note that $\\delta^{[1]} = W^T \\delta^{[2]} \\ast g'(z)$.", "x = 1",
     "<!-- BEGIN SOLUTION -->\n$\\delta^{[1]} = W^T \\delta^{[2]} \\ast g'(z)$\n<!-- END SOLUTION -->",
     "delta^[1]=w^tdelta^[2]", None),
])
def test_the_leak_scan_finds_planted_answers(question, code, written, found, clean_code):
    leaks = answer_leaks(_planted(question, code, written))
    assert any(found in leak for leak in leaks), leaks
    clean = _planted("Derive the gradient by hand.", clean_code or code, written)
    assert answer_leaks(clean) == []


def test_no_exercise_gives_its_answer_away():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "solutions").glob("*.ipynb")):
        givens = {text for (name, text) in GIVENS if name == path.stem}
        leaks = answer_leaks(json.loads(path.read_text(encoding="utf-8")), givens)
        assert not leaks, f"{path.name}: the student copy gives away {leaks}"
