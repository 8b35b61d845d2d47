"""The bootstrap on a known distribution, the uncertainty helpers, and their errors on bad input."""

import numpy as np
import pytest

from backprop.ising.estimates import (
    bootstrap,
    error_decimals,
    half_spread,
    plus_minus,
    refinement_grid,
    resample_indices,
    total_uncertainty,
)


def test_bootstrap_error_of_a_mean_matches_sigma_over_root_n():
    rng = np.random.default_rng(1)
    data = rng.normal(0.0, 2.0, size=(1, 400))  # one temperature, 400 samples of sigma 2
    values = bootstrap(lambda d: d.mean(), data, 400, random_state=2)
    assert values.shape == (400,)
    assert np.std(values, ddof=1) == pytest.approx(2.0 / np.sqrt(400), rel=0.15)


def test_bootstrap_resamples_each_temperature_from_its_own_samples():
    data = np.stack([np.zeros(50), np.ones(50)])  # temperature 0 holds zeros, temperature 1 ones
    values = bootstrap(lambda d: d.mean(axis=1), data, 20, random_state=0)
    np.testing.assert_array_equal(values, np.tile([0.0, 1.0], (20, 1)))


def test_bootstrap_rejects_bad_input():
    with pytest.raises(ValueError, match="n_temperatures, n_samples"):
        bootstrap(np.mean, np.ones(10), 5)
    with pytest.raises(ValueError, match="function"):
        bootstrap(3.0, np.ones((2, 10)), 5)
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap(np.mean, np.ones((2, 10)), 0)


def test_resample_indices_shape_and_range():
    index = resample_indices(3, 7, 0)
    assert index.shape == (3, 7) and index.min() >= 0 and index.max() < 7


def test_uncertainty_helpers():
    assert half_spread([2.26, 2.27, 2.28]) == pytest.approx(0.01)
    assert total_uncertainty(0.003, 0.004) == pytest.approx(0.005)
    assert plus_minus(2.2672, 0.0081) == "2.267 ± 0.008"
    assert plus_minus(2.2672, 0.0013) == "2.2672 ± 0.0013"
    with pytest.raises(ValueError):
        half_spread([1.0])
    with pytest.raises(ValueError):
        total_uncertainty(-1.0, 0.1)
    with pytest.raises(ValueError):
        plus_minus(1.0, 0.0)


def test_error_decimals_matches_plus_minus():
    assert error_decimals(0.0081) == 3  # 0.008
    assert error_decimals(0.0014) == 4  # 0.0014: two digits when the first is 1
    assert error_decimals(3.2) == 0
    for error in (0.0081, 0.0014, 0.05, 3.2):
        assert len(plus_minus(2.2672, error).split(" ± ")[1].partition(".")[2]) == error_decimals(error)
    with pytest.raises(ValueError, match="finite error > 0"):
        error_decimals(0.0)


def test_refinement_grid_covers_every_estimate_rounded_outwards():
    grid = refinement_grid([2.267, 2.265], [0.008, 0.009], n_sigma=3, step=0.005)
    # 2.267 - 0.024 = 2.243 and 2.265 - 0.027 = 2.238 -> 2.235; 2.267 + 0.024 = 2.291 -> 2.295
    np.testing.assert_allclose(grid, np.linspace(2.235, 2.295, 13), rtol=0, atol=1e-12)
    assert np.all(np.isclose(np.diff(grid), 0.005, rtol=0, atol=1e-12))
    # a bound already on the grid stays where it is; a wider n_sigma reaches further
    np.testing.assert_allclose(refinement_grid([1.0], [0.01], n_sigma=1, step=0.01), [0.99, 1.0, 1.01])
    assert refinement_grid([2.267], [0.008], n_sigma=5)[0] == 2.225  # 2.267 - 0.040 = 2.227


@pytest.mark.parametrize("values, uncertainties, message", [
    ([], [], "non-empty"), ([1.0, 2.0], [0.1], "same length"), ([np.nan], [0.1], "finite"),
    ([1.0], [0.0], "> 0")])
def test_refinement_grid_rejects_bad_input(values, uncertainties, message):
    with pytest.raises(ValueError, match=message):
        refinement_grid(values, uncertainties)
