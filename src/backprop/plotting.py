"""Figures that several chapters draw: a descent path over the contours of the function it minimises."""

from __future__ import annotations

import numpy as np


def plot_descent_path(ax, f, points, *, margin: float = 1.0, levels: int = 50, label: str = "gradient descent path",
                      color: str = "red"):
    """Draw the contours of ``f(x, y)`` and the path of gradient descent over them.

    Parameters
    ----------
    ax : matplotlib Axes to draw on
    f : callable taking two arrays X, Y of the same shape and returning f(X, Y) element-wise
    points : array-like of shape (n_points, 2), the path (e.g. ``DescentPath.points``)
    margin : how far the square grid extends beyond the path on each side
    levels : number of contour levels

    Returns
    -------
    (contour set, path line) so a caller can add a colour bar or restyle the path.
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(
            f"points must have shape (n_points, 2), one (x, y) per row; got shape {points.shape}. "
            "Pass DescentPath.points of a two-parameter descent."
        )
    finite = points[np.all(np.isfinite(points), axis=1)]
    low = min(finite.min(), -finite.max()) - margin  # a square grid centred on the origin, as in the source
    high = -low
    grid = np.linspace(low, high, 400)
    X, Y = np.meshgrid(grid, grid)
    contours = ax.contour(X, Y, f(X, Y), levels=levels, cmap="viridis")
    (line,) = ax.plot(finite[:, 0], finite[:, 1], marker="o", color=color, label=label)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    return contours, line
