"""Figures that several chapters draw: a descent path over the contours of the function it minimises, and the
decision boundary of a two-feature classifier."""

from __future__ import annotations

import numpy as np


def plot_descent_path(ax, f, points, *, margin: float = 1.0, levels: int = 50, label: str = "gradient descent path",
                      color: str = "red", limits: tuple[float, float] | None = None,
                      iteration_cmap: str | None = None):
    """Draw the contours of ``f(x, y)`` and the path of gradient descent over them.

    Parameters
    ----------
    ax : matplotlib Axes to draw on
    f : callable taking two arrays X, Y of the same shape and returning f(X, Y) element-wise
    points : array-like of shape (n_points, 2), the path (e.g. ``DescentPath.points``)
    margin : how far the square grid extends beyond the path on each side (when ``limits`` is not given)
    levels : number of contour levels
    label : legend label of the path; color : colour of the line joining the points (and of the points, unless
        ``iteration_cmap`` colours them)
    limits : (low, high), optional: the square [low, high] x [low, high] to draw, on both axes. Give several panels
        the same limits to compare them; points outside are clipped. Default: centred on the origin, ``margin``
        beyond the farthest point.
    iteration_cmap : name of a matplotlib colormap, optional: colour each point by its iteration number
        (0 = the starting point), so that piled-up points can be told apart; draw the key with
        ``fig.colorbar(dots, ax=ax)``.

    Returns
    -------
    (contour set, path line, dots): the line joins the points in order, ``dots`` marks each point (a scatter whose
    colour values are the iteration numbers when ``iteration_cmap`` is given), so a caller can add a colour bar or
    restyle the path.
    """
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(
            f"points must have shape (n_points, 2), one (x, y) per row; got shape {points.shape}. "
            "Pass DescentPath.points of a two-parameter descent."
        )
    keep = np.all(np.isfinite(points), axis=1)
    finite = points[keep]
    if limits is None:
        low = min(finite.min(), -finite.max()) - margin  # a square grid centred on the origin, as in the source
        high = -low
    else:
        low, high = _checked_limits(limits)
    grid = np.linspace(low, high, 400)
    X, Y = np.meshgrid(grid, grid)
    contours = ax.contour(X, Y, f(X, Y), levels=levels, cmap="viridis")
    if iteration_cmap is None:
        (line,) = ax.plot(finite[:, 0], finite[:, 1], marker="o", color=color, label=label)
        dots = ax.scatter(finite[:, 0], finite[:, 1], color=color, s=36, zorder=3)
    else:
        (line,) = ax.plot(finite[:, 0], finite[:, 1], color=color, linewidth=1, alpha=0.6, label=label)
        iterations = np.arange(len(points))[keep]
        dots = ax.scatter(finite[:, 0], finite[:, 1], c=iterations, cmap=iteration_cmap, s=36, zorder=3,
                          edgecolors="black", linewidths=0.5)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    return contours, line, dots


def _checked_limits(limits) -> tuple[float, float]:
    try:
        low, high = (float(value) for value in limits)
    except (TypeError, ValueError):
        raise ValueError(f"limits must be a pair (low, high) of numbers; got {limits!r}. "
                         "Pass e.g. limits=(-5, 5).") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"limits must be finite with low < high; got ({low}, {high}). Pass e.g. limits=(-5, 5).")
    return low, high


def plot_decision_boundary(ax, predict, X, y, *, margin: float = 1.0, step: float = 0.01, title: str | None = None):
    """Shade the regions a two-feature classifier assigns to each class and scatter the samples over them.

    Parameters
    ----------
    ax : matplotlib Axes to draw on
    predict : callable taking an array of shape (n_points, 2) (one point per row) and returning labels 0/1,
        e.g. ``model.predict`` of a fitted ``backprop.mlp.MLP`` or of a scikit-learn classifier
    X : array-like of shape (n_samples, 2); y : array-like of shape (n_samples,), labels 0/1
    margin : how far the grid extends beyond the data; step : grid spacing (as the source: 0.01)

    Returns
    -------
    the contour set of the shaded regions.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"X must have shape (n_samples, 2) and y one label per sample; got X {X.shape} and y "
                         f"{y.shape}. Decision boundaries are drawn for two features only.")
    x_min, y_min = X.min(axis=0) - margin
    x_max, y_max = X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    labels = np.asarray(predict(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    regions = ax.contourf(xx, yy, labels, levels=[-0.5, 0.5, 1.5], alpha=0.6, cmap="RdYlBu")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=25, cmap="RdYlBu", edgecolors="k", linewidths=0.6, vmin=0, vmax=1)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    if title:
        ax.set_title(title)
    return regions
