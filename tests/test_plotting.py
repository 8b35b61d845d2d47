"""The shared descent-path figure draws the path it is given (on shared limits, coloured by iteration when asked) and
refuses paths or limits of the wrong shape."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop.plotting import plot_descent_path  # noqa: E402


def bowl(x, y):
    return x**2 + 3 * y**2


def test_path_line_holds_the_points_and_grid_covers_them():
    points = np.array([[4.0, -4.0], [2.4, 0.8], [1.44, -0.16]])
    fig, ax = plt.subplots()
    contours, line, dots = plot_descent_path(ax, bowl, points, levels=10)
    np.testing.assert_array_equal(dots.get_offsets(), points)
    np.testing.assert_array_equal(line.get_xydata(), points)
    assert len(contours.levels) >= 5
    low, high = ax.get_xlim()
    assert low <= -5.0 and high >= 5.0  # a square grid one unit beyond the farthest point
    plt.close(fig)


def test_non_finite_points_of_a_diverged_run_are_left_out():
    points = np.array([[1.0, 1.0], [np.inf, np.nan]])
    fig, ax = plt.subplots()
    _, line, dots = plot_descent_path(ax, bowl, points)
    assert line.get_xydata().shape == (1, 2)
    assert len(dots.get_offsets()) == 1
    plt.close(fig)


@pytest.mark.parametrize("points", [np.zeros(4), np.zeros((3, 3)), np.zeros((0, 2))])
def test_wrong_shape_is_refused_with_the_expected_shape(points):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"points must have shape \(n_points, 2\)"):
        plot_descent_path(ax, bowl, points)
    plt.close(fig)


def test_shared_limits_and_points_coloured_by_iteration():
    points = np.array([[4.0, -4.0], [2.4, 0.8], [1.44, -0.16], [0.9, 0.03]])
    fig, (left, right) = plt.subplots(1, 2)
    plot_descent_path(left, bowl, points[:2], limits=(-6, 6))
    _, _, dots = plot_descent_path(right, bowl, points, limits=(-6, 6), iteration_cmap="plasma")
    for ax in (left, right):
        assert ax.get_xlim() == (-6.0, 6.0) and ax.get_ylim() == (-6.0, 6.0)
    np.testing.assert_array_equal(dots.get_array(), [0, 1, 2, 3])  # colour value = iteration number
    assert dots.get_cmap().name == "plasma"
    fig.colorbar(dots, ax=right)  # what the chapter does with it
    plt.close(fig)


def test_iteration_numbers_skip_the_non_finite_points():
    points = np.array([[1.0, 1.0], [0.5, -0.5], [np.inf, np.nan]])
    fig, ax = plt.subplots()
    _, _, dots = plot_descent_path(ax, bowl, points, iteration_cmap="viridis")
    np.testing.assert_array_equal(dots.get_array(), [0, 1])
    plt.close(fig)


@pytest.mark.parametrize("limits", [(5, -5), (0, 0), (-np.inf, 1), (1,), "wide"])
def test_bad_limits_are_refused_with_an_example(limits):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"limits=\(-5, 5\)"):
        plot_descent_path(ax, bowl, np.zeros((2, 2)), limits=limits)
    plt.close(fig)


def test_decision_boundary_shades_each_side_of_a_known_rule():
    from backprop.plotting import plot_decision_boundary

    X = np.array([[-1.0, 0.0], [1.0, 0.0], [-2.0, 1.0], [2.0, -1.0]])
    y = (X[:, 0] > 0).astype(int)
    fig, ax = plt.subplots()
    calls = []

    def rule(points):
        calls.append(points.shape)
        return (points[:, 0] > 0).astype(int)

    regions = plot_decision_boundary(ax, rule, X, y, step=0.1)
    assert calls and calls[0][1] == 2  # the grid is passed one point per row, as predict expects
    assert list(regions.levels) == [-0.5, 0.5, 1.5]
    low, high = ax.get_xlim()
    assert low <= -3.0 and high >= 2.9
    plt.close(fig)


def test_decision_boundary_refuses_three_features():
    from backprop.plotting import plot_decision_boundary

    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="two features only"):
        plot_decision_boundary(ax, lambda p: p[:, 0] > 0, np.zeros((4, 3)), np.zeros(4))
    plt.close(fig)
