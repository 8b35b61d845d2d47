"""Finite differences: derivatives from function values alone, to check the ones we derive.

Forward difference  f'(x) ~ (f(x + h) - f(x)) / h          error O(h)
Central difference  f'(x) ~ (f(x + h) - f(x - h)) / (2h)   error O(h^2)

Both also carry a round-off error of about eps * |f(x)| / h, which grows as h
shrinks. Balancing the two terms gives the best step: h ~ sqrt(eps) ~ 1e-8 for
the forward difference and h ~ eps**(1/3) ~ 1e-5 for the central one. That is why
gradient checks use central differences with h = 1e-5 (the chapter
"Derivatives" measures it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop.checks import as_finite_vector, positive_number, require_callable

DEFAULT_STEP = 1e-5
#: What a correct gradient reaches against central differences with h = 1e-5: its relative error is round-off, about
#: 1e-13 to 1e-9, and its digits change with the CPU. Reports print "below ROUND_OFF_LEVEL" instead of those digits.
ROUND_OFF_LEVEL = 1e-8


def forward_difference(f, x: float, h: float = 1e-8) -> float:
    """Forward-difference estimate of f'(x) for a function of one variable."""
    require_callable(f, "f")
    x = _scalar(x, "x")
    h = positive_number(h, "h")
    return float((f(x + h) - f(x)) / h)


def central_difference(f, x: float, h: float = DEFAULT_STEP) -> float:
    """Central-difference estimate of f'(x) for a function of one variable."""
    require_callable(f, "f")
    x = _scalar(x, "x")
    h = positive_number(h, "h")
    return float((f(x + h) - f(x - h)) / (2 * h))


def numerical_gradient(f, x, h: float = DEFAULT_STEP) -> np.ndarray:
    """Central-difference gradient of a scalar function of a vector.

    Parameters
    ----------
    f : callable taking an ndarray of shape (n,) and returning a number
    x : array-like of shape (n,), the point
    h : float, the step

    Returns
    -------
    ndarray of shape (n,), the estimate of the gradient at ``x``
    """
    require_callable(f, "f")
    x = as_finite_vector(x, "x")
    h = positive_number(h, "h")
    gradient = np.empty_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        gradient[i] = (_scalar_value(f, x + step) - _scalar_value(f, x - step)) / (2 * h)
    return gradient


def relative_error(a, b) -> float:
    """Largest element-wise |a - b| / max(|a|, |b|), with 0/0 counted as agreement."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}; they must match.")
    scale = np.maximum(np.abs(a), np.abs(b))
    difference = np.abs(a - b)
    # Where both are exactly zero they agree; elsewhere divide by the larger magnitude.
    ratio = np.divide(difference, scale, out=np.zeros_like(difference), where=scale > 0)
    return float(np.max(ratio))


@dataclass(frozen=True)
class GradientCheck:
    """Outcome of comparing a hand-derived gradient with central differences."""

    analytic: np.ndarray
    numerical: np.ndarray
    max_relative_error: float
    tolerance: float

    @property
    def passed(self) -> bool:
        return self.max_relative_error <= self.tolerance


def check_gradient(f, gradient, x, h: float = DEFAULT_STEP, tolerance: float = 1e-6) -> GradientCheck:
    """Compare ``gradient(x)`` with the central-difference gradient of ``f`` at ``x``.

    A correct gradient of a smooth function agrees to a relative error of about
    1e-8 to 1e-10 with h = 1e-5; a wrong one (a dropped factor, a sign) is off by
    order 1. The default tolerance sits well between the two.
    """
    require_callable(gradient, "gradient")
    x = as_finite_vector(x, "x")
    numerical = numerical_gradient(f, x, h)
    analytic = np.array(gradient(x), dtype=float).reshape(-1)
    if analytic.shape != x.shape:
        raise ValueError(
            f"gradient(x) must return one number per coordinate of x, shape {x.shape}; "
            f"got shape {analytic.shape}."
        )
    tolerance = positive_number(tolerance, "tolerance")
    return GradientCheck(analytic, numerical, relative_error(analytic, numerical), tolerance)


def _scalar(x, name: str) -> float:
    array = as_finite_vector(x, name)
    if array.size != 1:
        raise ValueError(
            f"{name} must be a single number for a function of one variable; got {array.size} numbers. "
            "Use numerical_gradient for functions of several variables."
        )
    return float(array[0])


def _scalar_value(f, x: np.ndarray) -> float:
    value = np.asarray(f(x), dtype=float)
    if value.size != 1:
        raise ValueError(f"f must return a single number; got an array of shape {value.shape}.")
    return float(value.reshape(()))


def check_named_gradients(loss, params: dict, gradients: dict, h: float = DEFAULT_STEP,
                          tolerance: float = 1e-6) -> dict:
    """Compare hand-derived partial derivatives, given by parameter name, with central differences.

    Parameters
    ----------
    loss : callable taking a dict {name: float} and returning the loss (a number)
    params : dict {name: float}, the point at which to check (not modified)
    gradients : dict {name: float}, the analytic dL/d(name) for every name in ``params``
    h, tolerance : the central-difference step and the largest accepted relative error

    Returns
    -------
    dict with
        "parameters": {name: {"analytic", "numerical", "relative_error", "passed"}}, in the order of ``params``
        "failed": list of the names whose relative error exceeds ``tolerance`` (empty when all agree)
        "passed": bool, True when no parameter failed
        "tolerance": float
    """
    require_callable(loss, "loss")
    if not isinstance(params, dict) or not isinstance(gradients, dict):
        raise ValueError(
            f"params and gradients must be dicts {{name: number}}; got {type(params).__name__} and "
            f"{type(gradients).__name__}. Pass e.g. params={{'w': 0.5, 'b': 1.0}}."
        )
    if set(params) != set(gradients):
        raise ValueError(
            f"gradients must have one entry per parameter; params has {sorted(params)}, gradients has "
            f"{sorted(gradients)}. Return a partial derivative for each parameter, by the same name."
        )
    h = positive_number(h, "h")
    tolerance = positive_number(tolerance, "tolerance")
    names = list(params)
    point = as_finite_vector([params[name] for name in names], "params")

    def loss_of_vector(vector):
        return loss(dict(zip(names, (float(v) for v in vector), strict=True)))

    numerical = numerical_gradient(loss_of_vector, point, h)
    rows = {}
    for name, estimate in zip(names, numerical, strict=True):
        analytic = as_finite_vector(gradients[name], f"gradients[{name!r}]")
        if analytic.size != 1:
            raise ValueError(f"gradients[{name!r}] must be one number; got {analytic.size}. Average it first.")
        error = relative_error(analytic[0], estimate)
        rows[name] = {"analytic": float(analytic[0]), "numerical": float(estimate), "relative_error": error,
                      "passed": error <= tolerance}
    failed = [name for name, row in rows.items() if not row["passed"]]
    return {"parameters": rows, "failed": failed, "passed": not failed, "tolerance": tolerance}


def describe_relative_error(error: float, tolerance: float) -> str:
    """A relative error as the precision it has: round-off as a bound, a real disagreement as its value.

    Below ``ROUND_OFF_LEVEL`` the digits are floating-point noise that differs from CPU to CPU, so only the bound is
    printed ("below 1e-08"); a passing error above it is printed as below the tolerance; a failing one (a wrong
    gradient, off by order one) as its value, to two digits.
    """
    if error <= ROUND_OFF_LEVEL:
        return f"below {ROUND_OFF_LEVEL:.0e}"
    if error <= tolerance:
        return f"below {tolerance:.0e}"
    return f"{error:.1e}"


def named_check_report(result: dict) -> str:
    """The result of ``check_named_gradients`` as text: one line per parameter, with its verdict."""
    lines = []
    for name, row in result["parameters"].items():
        verdict = "ok" if row["passed"] else "WRONG"
        error = describe_relative_error(row["relative_error"], result["tolerance"])
        lines.append(f"dL/d{name:<4} analytic {row['analytic']: .8f}  numerical {row['numerical']: .8f}  "
                     f"relative error {error}  {verdict}")
    return "\n".join(lines)


def numerical_gradients(f, arrays, h: float = 1e-5) -> list:
    """Central-difference gradients of ``f(*arrays) -> number`` with respect to each array: a list of arrays.

    The many-array form of ``numerical_gradient``, for parameters that are matrices (e.g. an MLP's weights). It only
    evaluates ``f``, element by element at x + h and x - h, so it checks any gradient code independently.
    """
    arrays = [np.array(a, dtype=float) for a in arrays]
    gradients = []
    for a in arrays:
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            original = a[index]
            a[index] = original + h
            up = float(f(*arrays))
            a[index] = original - h
            down = float(f(*arrays))
            a[index] = original
            g[index] = (up - down) / (2 * h)
        gradients.append(g)
    return gradients
