"""Crossings, peaks and the Binder cumulant on constructed cases with known answers, and their errors on bad input."""

import numpy as np
import pytest

from backprop.ising.scaling import binder_cumulant, curve_crossing, peak_position, sign_changes

X = np.linspace(2.0, 2.6, 31)


def test_two_straight_lines_cross_where_they_should():
    y1, y2 = 1.0 + 2.0 * (X - 2.27), 1.0 - 0.5 * (X - 2.27)
    assert curve_crossing(X, y1, y2, half_width=0.06) == pytest.approx(2.27, abs=1e-9)
    assert curve_crossing(X, y1, y2, half_width=0.06, degree=1, direction=+1) == pytest.approx(2.27, abs=1e-9)


def test_a_crossing_in_the_wrong_direction_or_outside_the_region_is_refused():
    y1, y2 = 1.0 + 2.0 * (X - 2.27), 1.0 - 0.5 * (X - 2.27)
    with pytest.raises(ValueError, match="do not cross"):
        curve_crossing(X, y1, y2, half_width=0.06, direction=-1)
    with pytest.raises(ValueError, match="do not cross"):
        curve_crossing(X, y1, y2, half_width=0.06, region=(2.35, 2.6))


def test_a_small_flicker_is_not_taken_for_the_crossing():
    # below 2.2 the difference hovers near zero and flickers up through it at 2.1 (as where two curves sit at a
    # limit); the real crossing, where it changes by much more, is at 2.41
    d = np.where(X < 2.2, -0.002, 0.5 * (X - 2.41))
    d[(X > 2.09) & (X < 2.19)] = 0.001
    assert curve_crossing(X, d, np.zeros_like(X), half_width=0.06, direction=+1) == pytest.approx(2.41, abs=1e-9)


def test_crossing_rejects_bad_grids_and_shapes():
    with pytest.raises(ValueError, match="increasing"):
        curve_crossing(X[::-1], X, X, half_width=0.1)
    with pytest.raises(ValueError, match="one value per grid point"):
        curve_crossing(X, X[:-1], X, half_width=0.1)
    with pytest.raises(ValueError, match="direction"):
        curve_crossing(X, X, -X, half_width=0.1, direction=2)


def test_peak_of_a_parabola_and_no_peak_for_a_valley():
    assert peak_position(X, 1 - (X - 2.273) ** 2, half_width=0.06) == pytest.approx(2.273, abs=1e-9)
    with pytest.raises(ValueError, match="opens upwards|not resolved"):
        peak_position(X, (X - 2.273) ** 2, half_width=0.06)


def test_binder_cumulant_limits():
    assert binder_cumulant([0.8, -0.8, 0.8, -0.8]) == pytest.approx(2 / 3)
    gaussian = np.random.default_rng(0).standard_normal(400_000)
    assert abs(binder_cumulant(gaussian)) < 0.01
    with pytest.raises(ValueError, match="0/0"):
        binder_cumulant([0.0, 0.0])
    with pytest.raises(ValueError, match="at least two"):
        binder_cumulant([0.5])


def test_sign_changes_are_placed_by_straight_lines():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y1 = np.array([1.0, 0.5, -0.5, -1.0, 1.0])  # crosses zero at 1.5 and at 3.5
    np.testing.assert_allclose(sign_changes(x, y1, np.zeros(5)), [1.5, 3.5])
    assert sign_changes(x, np.ones(5), np.zeros(5)).size == 0
    with pytest.raises(ValueError, match="one value per grid point"):
        sign_changes(x, y1, np.zeros(4))
