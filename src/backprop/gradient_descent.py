"""Gradient descent that returns the path it took.

The update rule is x_new = x_old - learning_rate * gradient(x_old). The
optional stopping rule follows Duan's review (chapter 2): after each step, stop
if the gradient that step used was small. "Small" means small in *magnitude* (the
Euclidean norm): the review compared the signed gradient with the tolerance, so
any negative gradient (a start left of the minimum of x**2) stopped it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop.checks import (
    as_finite_vector,
    non_negative_number,
    positive_int,
    positive_number,
    require_callable,
)


@dataclass(frozen=True)
class DescentPath:
    """The history of one run of gradient descent.

    Attributes
    ----------
    points : ndarray of shape (n_steps + 1, n_params)
        The starting point followed by the point after each step.
    gradients : ndarray of shape (n_steps, n_params)
        The gradient used by each step (evaluated at the point before it).
    stopped_early : bool
        True when the stopping rule fired before ``max_iterations`` steps.
    diverged : bool
        True when a point or gradient stopped being finite; the run ends there.
    """

    points: np.ndarray
    gradients: np.ndarray
    stopped_early: bool
    diverged: bool

    @property
    def n_steps(self) -> int:
        return len(self.gradients)

    @property
    def final(self) -> np.ndarray:
        """The last point reached, shape (n_params,)."""
        return self.points[-1]


def gradient_descent(
    gradient,
    x0,
    learning_rate: float,
    max_iterations: int,
    tolerance: float | None = None,
) -> DescentPath:
    """Minimise a function by following its negative gradient.

    Parameters
    ----------
    gradient : callable
        Takes an ndarray of shape (n_params,) and returns the gradient at that
        point, of the same shape (a number is accepted when n_params == 1).
    x0 : float or array-like of shape (n_params,)
        The starting point.
    learning_rate : float > 0
        The step size multiplier (alpha in the text).
    max_iterations : int >= 1
        The largest number of steps to take.
    tolerance : float >= 0, optional
        Stop after a step whose gradient had norm below this. ``None`` runs all
        ``max_iterations`` steps.

    Returns
    -------
    DescentPath
    """
    require_callable(gradient, "gradient")
    x = as_finite_vector(x0, "x0")
    learning_rate = positive_number(learning_rate, "learning_rate")
    max_iterations = positive_int(max_iterations, "max_iterations")
    if tolerance is not None:
        tolerance = non_negative_number(tolerance, "tolerance")

    points = [x.copy()]
    gradients = []
    stopped_early = diverged = False
    for _ in range(max_iterations):
        g = _gradient_at(gradient, x)
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - learning_rate * g
        gradients.append(g)
        points.append(x.copy())
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(g))):
            diverged = True
            break
        if tolerance is not None and np.linalg.norm(g) < tolerance:
            stopped_early = True
            break
    return DescentPath(
        points=np.array(points),
        gradients=np.array(gradients).reshape(len(gradients), x.size),
        stopped_early=stopped_early,
        diverged=diverged,
    )


def _gradient_at(gradient, x: np.ndarray) -> np.ndarray:
    g = np.array(gradient(x.copy()), dtype=float)  # a copy, so a gradient cannot move the point
    if g.ndim == 0:
        g = g.reshape(1)
    if g.shape != x.shape:
        raise ValueError(
            f"gradient must return one number per parameter, shape {x.shape}; got shape {g.shape}. "
            "For f(x, y) return np.array([df_dx, df_dy])."
        )
    return g
