"""Gradient descent: the worked examples of Duan's review as fixtures, the thresholds derived in the text, bad input."""

import numpy as np
import pytest

from backprop.gradient_descent import gradient_descent

# The x column of the source's table for f(x) = x**2, x0 = 4, learning rate 0.2 (seed 000).
SOURCE_X_TABLE = [2.4000, 1.4400, 0.8640, 0.5184, 0.3110, 0.1866, 0.1120, 0.0672,
                  0.0403, 0.0242, 0.0145, 0.0087, 0.0052, 0.0031, 0.0019]


def grad_square(x):
    return 2 * x


def grad_bowl(p):
    return np.array([2 * p[0], 6 * p[1]])


def test_reproduces_source_table_for_x_squared():
    path = gradient_descent(grad_square, 4.0, learning_rate=0.2, max_iterations=20, tolerance=0.01)
    assert path.stopped_early and not path.diverged
    assert path.n_steps == 15
    np.testing.assert_allclose(path.points[1:, 0], SOURCE_X_TABLE, atol=5e-5)
    # Each step is x <- (1 - 2 * 0.2) x exactly.
    np.testing.assert_allclose(path.points[:, 0], 4.0 * 0.6 ** np.arange(16), rtol=1e-12)


def test_two_dimensional_source_example_stops_at_15_and_y_alternates():
    path = gradient_descent(grad_bowl, [4.0, -4.0], learning_rate=0.2, max_iterations=20, tolerance=0.01)
    assert path.n_steps == 15
    np.testing.assert_allclose(path.points[:3], [[4.0, -4.0], [2.4, 0.8], [1.44, -0.16]], rtol=1e-12)
    assert np.all(np.diff(np.sign(path.points[:, 1])) != 0)  # factor 1 - 6 * 0.2 = -0.2 flips the sign
    np.testing.assert_allclose(path.gradients[0], [8.0, -24.0])


def test_magnitude_rule_does_not_stop_on_a_negative_gradient():
    # The source compared the signed gradient with 0.01, which stopped at once from x0 = -4.
    path = gradient_descent(grad_square, -4.0, learning_rate=0.2, max_iterations=20, tolerance=0.01)
    assert path.n_steps == 15
    assert abs(path.final[0]) < 0.002


@pytest.mark.parametrize(("rate", "converges"), [(0.99, True), (1.01, False)])
def test_threshold_for_x_squared_is_one(rate, converges):
    path = gradient_descent(grad_square, 1.0, learning_rate=rate, max_iterations=2000)
    assert (abs(path.final[0]) < 1.0) == converges


@pytest.mark.parametrize(("rate", "converges"), [(0.33, True), (0.34, False)])
def test_threshold_for_bowl_is_one_third(rate, converges):
    path = gradient_descent(grad_bowl, [1.0, 1.0], learning_rate=rate, max_iterations=2000)
    assert (np.linalg.norm(path.final) < 1.0) == converges


def test_divergence_is_reported_not_raised():
    path = gradient_descent(grad_square, 1.0, learning_rate=5.0, max_iterations=10_000)
    assert path.diverged and not path.stopped_early
    assert path.n_steps < 10_000
    assert not np.isfinite(path.final).all()


def test_no_tolerance_runs_every_iteration_and_shapes_are_stable():
    path = gradient_descent(grad_square, 3.0, learning_rate=0.1, max_iterations=7)
    assert path.points.shape == (8, 1) and path.gradients.shape == (7, 1)
    assert not path.stopped_early


def test_does_not_modify_callers_start():
    start = np.array([4.0, -4.0])
    gradient_descent(grad_bowl, start, learning_rate=0.2, max_iterations=3)
    np.testing.assert_array_equal(start, [4.0, -4.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
        ({"learning_rate": -0.1}, "learning_rate must be a finite number > 0"),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number > 0"),
        ({"max_iterations": 0}, "max_iterations must be a whole number >= 1"),
        ({"max_iterations": 2.5}, "max_iterations must be a whole number >= 1"),
        ({"x0": [np.nan, 1.0]}, "x0 must be finite"),
        ({"x0": [[1.0, 2.0]]}, "Flatten it"),
        ({"x0": "four"}, "x0 must be a number or a 1-D sequence"),
        ({"tolerance": -1.0}, "tolerance must be a finite number >= 0"),
        ({"gradient": 3.0}, "gradient must be a function"),
    ],
)
def test_bad_input_says_what_to_fix(kwargs, message):
    arguments = {"gradient": grad_bowl, "x0": [1.0, 1.0], "learning_rate": 0.1, "max_iterations": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        gradient_descent(**arguments)


def test_gradient_of_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"one number per parameter, shape \(2,\); got shape \(3,\)"):
        gradient_descent(lambda p: np.zeros(3), [1.0, 1.0], learning_rate=0.1, max_iterations=5)
