"""Finite differences and gradient checks: accuracy orders, verdicts on right and wrong gradients, bad input."""

import math

import numpy as np
import pytest

from backprop.gradcheck import (
    central_difference,
    check_gradient,
    forward_difference,
    numerical_gradient,
    relative_error,
)


def cube(x):
    return (x + 3) ** 3  # f'(1) = 48


def test_central_difference_is_second_order_and_forward_first_order():
    # Halving h (well above round-off) halves the forward error and quarters the central one.
    forward = [abs(forward_difference(cube, 1.0, h) - 48) for h in (1e-2, 5e-3)]
    central = [abs(central_difference(cube, 1.0, h) - 48) for h in (1e-2, 5e-3)]
    assert forward[0] / forward[1] == pytest.approx(2, rel=0.02)
    assert central[0] / central[1] == pytest.approx(4, rel=0.02)


def test_central_difference_with_default_step_is_accurate():
    assert central_difference(math.sin, 0.3) == pytest.approx(math.cos(0.3), rel=1e-9)


def test_numerical_gradient_of_source_bowl():
    gradient = numerical_gradient(lambda p: p[0] ** 2 + 3 * p[1] ** 2, [4.0, -4.0])
    np.testing.assert_allclose(gradient, [8.0, -24.0], rtol=1e-9)


def test_check_gradient_passes_right_and_fails_wrong_gradients():
    def f(p):
        return p[0] ** 2 * np.sin(p[1])

    def right(p):
        return np.array([2 * p[0] * np.sin(p[1]), p[0] ** 2 * np.cos(p[1])])

    def dropped_factor(p):
        return np.array([p[0] * np.sin(p[1]), p[0] ** 2 * np.cos(p[1])])

    def wrong_sign(p):
        return -right(p)

    point = [1.3, 0.7]
    assert check_gradient(f, right, point).passed
    assert check_gradient(f, right, point).max_relative_error < 1e-8
    assert not check_gradient(f, dropped_factor, point).passed
    assert check_gradient(f, wrong_sign, point).max_relative_error == pytest.approx(2.0, rel=1e-6)


def test_relative_error_counts_zero_against_zero_as_agreement():
    assert relative_error([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert relative_error([0.0], [1e-3]) == 1.0
    with pytest.raises(ValueError, match="shapes"):
        relative_error([1.0, 2.0], [1.0])


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="h must be a finite number > 0"):
        central_difference(cube, 1.0, h=0)
    with pytest.raises(ValueError, match="x must be a single number"):
        central_difference(cube, [1.0, 2.0])
    with pytest.raises(ValueError, match="x must be finite"):
        numerical_gradient(cube, [np.inf])
    with pytest.raises(ValueError, match="f must be a function"):
        forward_difference(48.0, 1.0)
    with pytest.raises(ValueError, match="f must return a single number"):
        numerical_gradient(lambda p: p, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"gradient\(x\) must return one number per coordinate"):
        check_gradient(lambda p: p.sum(), lambda p: np.zeros(3), [1.0, 2.0])


def test_named_check_report_names_the_wrong_parameter():
    from backprop.gradcheck import check_named_gradients, named_check_report

    def loss(p):
        return (p["w"] * 2.0 + p["b"] - 5.0) ** 2

    right = {"w": 2 * (0.5 * 2 + 1 - 5) * 2, "b": 2 * (0.5 * 2 + 1 - 5)}
    wrong = {"w": right["w"], "b": right["b"] / 2}  # a dropped factor 2 in dL/db
    params = {"w": 0.5, "b": 1.0}
    assert "WRONG" not in named_check_report(check_named_gradients(loss, params, right))
    report = named_check_report(check_named_gradients(loss, params, wrong)).splitlines()
    assert report[0].startswith("dL/dw") and report[0].endswith("ok")
    assert report[1].startswith("dL/db") and report[1].endswith("WRONG")
    # Round-off is printed as a bound (its digits differ between CPUs); a wrong gradient's error as its value.
    assert "relative error below 1e-08  ok" in report[0]
    assert "relative error 5.0e-01  WRONG" in report[1]


def test_describe_relative_error_prints_round_off_as_a_bound():
    from backprop.gradcheck import describe_relative_error

    assert describe_relative_error(4.9e-12, 1e-6) == describe_relative_error(2.0e-11, 1e-6) == "below 1e-08"
    assert describe_relative_error(3e-7, 1e-6) == "below 1e-06"
    assert describe_relative_error(0.25, 1e-6) == "2.5e-01"
