"""Checking a derivative the student wrote as a formula: SymPy equivalence, parsed safely in the grader.

The student's answer arrives as text (``str(expr)`` of a SymPy expression, or a string they typed). Parsing text
with SymPy evaluates it, so the text is first restricted to arithmetic, the variable ``x`` and a short list of
function names; anything else is refused before SymPy sees it.
"""

from __future__ import annotations

import re

import numpy as np
import sympy as sp

from backprop.grading.checks import Result

ALLOWED_NAMES = {"x", "tanh", "sinh", "cosh", "sech", "exp", "log", "sqrt", "pi", "E"}
MAX_LENGTH = 400
_CHARACTERS = re.compile(r"^[\sA-Za-z0-9_.+\-*/()^]*$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

X = sp.Symbol("x", real=True)
XTANH_DERIVATIVE = sp.diff(X * sp.tanh(X), X)


def parse_formula(text) -> tuple[sp.Expr | None, str]:
    """Parse ``text`` as an expression in ``x``; return (expression, "") or (None, why it was refused)."""
    if not isinstance(text, str):
        return None, f"expected a SymPy expression or a string, received a {type(text).__name__}."
    if len(text) > MAX_LENGTH:
        return None, f"the formula is longer than {MAX_LENGTH} characters; simplify it."
    if not _CHARACTERS.match(text):
        return None, "the formula may only use x, numbers, + - * / ** ( ) and tanh, cosh, sinh, sech, exp, log, sqrt."
    unknown = sorted(set(_IDENTIFIER.findall(text)) - ALLOWED_NAMES)
    if unknown:
        return None, f"unknown names {unknown}; write the derivative in terms of x with tanh, cosh, sech or exp."
    names = {"x": X, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "sech": sp.sech, "exp": sp.exp,
             "log": sp.log, "sqrt": sp.sqrt, "pi": sp.pi, "E": sp.E}
    try:
        expr = sp.parse_expr(text.replace("^", "**"), local_dict=names, global_dict=_SYMPY_GLOBALS)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the student's formula, reported as such
        return None, f"could not read the formula ({type(exc).__name__})."
    if not isinstance(expr, sp.Expr):
        return None, "the formula is not an expression."
    return expr, ""


_SYMPY_GLOBALS: dict = {}
exec("from sympy import Integer, Float, Rational, Symbol, Function", _SYMPY_GLOBALS)  # noqa: S102 - fixed text


def equivalent(a: sp.Expr, b: sp.Expr) -> bool:
    """True when a - b simplifies to 0 (with a numerical confirmation at a few points)."""
    difference = sp.simplify((a - b).rewrite(sp.exp))
    if difference == 0:
        return True
    f = sp.lambdify(X, a - b, "numpy")
    points = np.linspace(-3, 3, 13)
    with np.errstate(all="ignore"):
        values = np.asarray(f(points), dtype=complex) * np.ones_like(points)
    return bool(np.all(np.abs(values) < 1e-9))


SLIPS = (
    (sp.tanh(X), "you kept tanh(x) but lost the term from differentiating tanh: use the product rule."),
    (X * (1 - sp.tanh(X) ** 2), "you differentiated tanh(x) but lost the tanh(x) from differentiating x."),
    (1 - sp.tanh(X) ** 2, "that is the derivative of tanh(x) alone; f(x) = x * tanh(x) is a product."),
    (sp.tanh(X) + X * (1 + sp.tanh(X) ** 2), "check the sign: d/dx tanh(x) = 1 - tanh²(x)."),
)


def judge_xtanh_derivative(value) -> list[Result]:
    """Is ``value`` (text of a formula) equivalent to d/dx [x tanh(x)]? Recognises the usual slips."""
    expr, why = parse_formula(value)
    if expr is None:
        return [Result("f'(x)", False, f"f'(x): {why}")]
    if equivalent(expr, XTANH_DERIVATIVE):
        return [Result("f'(x)", True, "f'(x): equivalent to the derivative of x tanh(x).")]
    for slip, hint in SLIPS:
        if equivalent(expr, slip):
            return [Result("f'(x)", False, f"f'(x): not the derivative; {hint}")]
    return [Result("f'(x)", False, "f'(x): not equivalent to the derivative of x tanh(x); differentiate "
                   "the product x * tanh(x) term by term.")]
