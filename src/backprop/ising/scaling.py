"""Finite-size scaling without the answer: the Binder cumulant, where two sampled curves cross, where a curve peaks.

On a finite lattice nothing is singular, but a quantity that does not depend on ``L`` at the critical point (the
Binder cumulant, the mean of any function of block spins) makes the curves of different sizes cross there. So the
critical temperature can be read off as the crossing of two curves, with no formula in ``1/L`` and no exponent.
The curves are sampled at a grid of temperatures with statistical noise, so a crossing is found in two steps:

1. locate it: among the sign changes of the difference ``d = y1 - y2`` (inside an optional region) after which
   ``d`` keeps the new sign for ``persistence`` grid points, the one across which ``d`` changes most (mean over
   ``persistence`` points after minus mean over as many before), so that noise where the two curves both sit at a
   limit (and ``d`` flickers around zero) is not taken for a crossing;
2. refine it: fit a polynomial of low degree to ``d`` over the grid points within ``half_width`` of the first
   guess, and take its root nearest to the guess.
"""

from __future__ import annotations

import numpy as np

from ..checks import as_finite_vector, positive_int, positive_number


def binder_cumulant(m, axis: int = -1) -> np.ndarray:
    """U4 = 1 - <m^4> / (3 <m^2>^2) of magnetisations ``m``, averaged along ``axis``.

    U4 is 2/3 for a perfectly ordered sample (``m = +-m0``), 0 for a Gaussian distribution of ``m`` (the disordered
    phase), and at the critical point it tends to a universal value (about 0.61 for the 2D Ising model).
    """
    m = np.asarray(m, dtype=float)
    if m.ndim == 0 or m.shape[axis] < 2:
        raise ValueError(f"m must hold at least two magnetisations along axis {axis}; got shape {m.shape}.")
    if not np.all(np.isfinite(m)):
        raise ValueError("m holds NaN or infinity; magnetisations per site lie in [-1, 1].")
    m2 = np.mean(m**2, axis=axis)
    if np.any(m2 == 0):
        raise ValueError("every magnetisation along the averaged axis is 0, so U4 = 1 - <m^4>/(3<m^2>^2) is 0/0.")
    return 1.0 - np.mean(m**4, axis=axis) / (3.0 * m2**2)


def _grid_and_curve(x, y, name: str):
    x = as_finite_vector(x, "x")
    if x.size < 3 or np.any(np.diff(x) <= 0):
        raise ValueError(f"x must hold at least 3 strictly increasing values (the grid); got {x.tolist()[:6]}...")
    y = as_finite_vector(y, name)
    if y.shape != x.shape:
        raise ValueError(f"{name} must have one value per grid point: shape {x.shape}; got {y.shape}.")
    return x, y


def _polynomial_near(x, y, centre: float, half_width: float, degree: int):
    near = np.abs(x - centre) <= half_width * (1 + 1e-9)
    if near.sum() < degree + 2:
        raise ValueError(f"only {near.sum()} grid points lie within half_width = {half_width} of {centre:.4g}; a "
                         f"degree-{degree} fit needs at least {degree + 2}. Widen half_width.")
    return np.polyfit(x[near] - centre, y[near], degree)


def _linear_root(x, d, k):
    """Where the straight line through (x[k], d[k]) and (x[k+1], d[k+1]) crosses zero (k may be an array)."""
    return x[k] + d[k] * (x[k + 1] - x[k]) / (d[k] - d[k + 1])


def sign_changes(x, y1, y2) -> np.ndarray:
    """Every ``x`` at which ``y1 - y2`` changes sign between neighbouring grid points, placed by a straight line
    between the two (the first guess that ``curve_crossing`` refines), with no persistence rule and no fit."""
    x, y1 = _grid_and_curve(x, y1, "y1")
    _, y2 = _grid_and_curve(x, y2, "y2")
    d = y1 - y2
    return _linear_root(x, d, np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0))


def curve_crossing(x, y1, y2, half_width: float, region=None, persistence: int = 3, degree: int = 2,
                   direction=None) -> float:
    """The ``x`` at which the sampled curves ``y1`` and ``y2`` cross (see the module docstring for the two steps).

    Parameters
    ----------
    x : (n,) strictly increasing grid; y1, y2 : (n,) the two curves on it.
    half_width : the refining fit uses the grid points within this distance of the first guess.
    region : optional (low, high): only sign changes between grid points inside it are considered.
    persistence : grid points after the sign change that must all keep the new sign.
    degree : degree of the polynomial fitted to ``y1 - y2`` (1 a line, 2 a parabola).
    direction : +1 to accept only crossings where ``y1 - y2`` rises through zero, -1 only where it falls, None both.

    Raises ValueError when the curves do not cross (persistently) in the region, or the fit has no root near it.
    """
    x, y1 = _grid_and_curve(x, y1, "y1")
    _, y2 = _grid_and_curve(x, y2, "y2")
    half_width = positive_number(half_width, "half_width")
    persistence, degree = positive_int(persistence, "persistence"), positive_int(degree, "degree")
    low, high = (-np.inf, np.inf) if region is None else (float(region[0]), float(region[1]))
    if direction not in (None, 1, -1):
        raise ValueError(f"direction must be +1 (y1 - y2 rises through 0), -1 (falls) or None; got {direction!r}.")
    d = y1 - y2
    sign = np.sign(d)
    candidates = []
    for k in np.flatnonzero((x > low) & (x < high))[:-1]:
        after = sign[k + 1:k + 1 + persistence]
        wrong_way = direction is not None and sign[k] != -direction
        if (sign[k] != 0 and not wrong_way and after.size == persistence and np.all(after == -sign[k])
                and x[k + persistence] < high):
            contrast = abs(d[k + 1:k + 1 + persistence].mean() - d[max(0, k + 1 - persistence):k + 1].mean())
            candidates.append((contrast, k))
    if not candidates:
        raise ValueError(f"the curves do not cross in the region {region} (no sign change of y1 - y2 followed by "
                         f"{persistence} points of the new sign); check the curves or widen the region.")
    k = max(candidates)[1]  # the sign change across which the difference changes most
    guess = _linear_root(x, d, k)
    coefficients = _polynomial_near(x, d, guess, half_width, degree)
    roots = np.roots(coefficients)
    roots = roots[np.isreal(roots)].real
    roots = roots[np.abs(roots) <= half_width]
    if roots.size == 0:
        raise ValueError(f"the degree-{degree} fit of y1 - y2 near x = {guess:.4g} has no root within half_width; "
                         "the curves are too noisy there for this half_width.")
    return float(guess + roots[np.argmin(np.abs(roots))])


def peak_position(x, y, half_width: float, degree: int = 2) -> float:
    """The ``x`` of the maximum of a sampled curve: the vertex of a parabola fitted to the grid points within
    ``half_width`` of the highest point. Raises ValueError if that parabola opens upwards (no maximum) or its vertex
    lies outside the fitted points."""
    x, y = _grid_and_curve(x, y, "y")
    half_width = positive_number(half_width, "half_width")
    if degree != 2:
        raise ValueError(f"degree must be 2 (a parabola has one vertex); got {degree!r}.")
    top = x[int(np.argmax(y))]
    a, b, _ = _polynomial_near(x, y, top, half_width, 2)
    if a >= 0:
        raise ValueError(f"the parabola fitted near x = {top:.4g} opens upwards, so it has no maximum; the curve has "
                         "no clear peak there (too noisy, or the peak is at the edge of the grid).")
    vertex = -b / (2 * a)
    if abs(vertex) > half_width:
        raise ValueError(f"the fitted parabola's vertex lies {vertex:+.3g} from the highest point, outside the "
                         f"fitted points (half_width = {half_width}); the peak is not resolved.")
    return float(top + vertex)
