"""Activations and their derivatives: values, slopes against central differences, stability at |z| = 1e4."""

import warnings

import numpy as np
import pytest

from backprop.activations import (
    ACTIVATIONS,
    DERIVATIVES_FROM_OUTPUT,
    get_activation,
    identity,
    sigmoid,
    sigmoid_derivative,
)
from backprop.gradcheck import central_difference


def test_sigmoid_matches_textbook_formula_on_moderate_inputs():
    z = np.random.default_rng(0).uniform(-30, 30, size=200)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)


def test_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            values = sigmoid(np.array([-1e4, -800.0, 800.0, 1e4]))
            slopes = sigmoid_derivative(np.array([-1e4, 1e4]))
    np.testing.assert_array_equal(values, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(slopes, [0.0, 0.0])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivatives_match_central_differences(name):
    g, g_prime = ACTIVATIONS[name]
    for z in np.random.default_rng(1).uniform(-6, 6, size=25):
        assert abs(g_prime(z) - central_difference(lambda t: float(g(t)), z)) < 1e-8


# random inputs, and the ends where sigmoid and tanh saturate (their slope underflows or rounds to 0)
Z_WITH_SATURATED_ENDS = np.concatenate([
    np.random.default_rng(2).uniform(-40, 40, size=2000),
    [-1e4, -800.0, -745.0, -710.0, -40.0, -20.0, -1e-300, -0.0, 0.0, 1e-300, 20.0, 40.0, 710.0, 800.0, 1e4],
])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_derivative_from_the_output_is_the_derivative_from_z(name):
    """g' written with a = g(z) (what the backward pass of backprop.mlp uses) equals g'(z), to the last bit."""
    g, g_prime = ACTIVATIONS[name]
    z = Z_WITH_SATURATED_ENDS.reshape(-1, 5)  # a 2-D batch, as the network's layers
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            from_output = DERIVATIVES_FROM_OUTPUT[name](g(z))
    assert from_output.shape == z.shape
    np.testing.assert_array_equal(from_output, g_prime(z))
    assert np.ndim(DERIVATIVES_FROM_OUTPUT[name](g(0.5))) == 0
    assert DERIVATIVES_FROM_OUTPUT[name](g(0.5)) == g_prime(0.5)


def test_every_activation_has_a_derivative_from_its_output():
    assert sorted(DERIVATIVES_FROM_OUTPUT) == sorted(ACTIVATIONS)


def test_sigmoid_is_the_two_branch_formula_to_the_last_bit():
    """The shared denominator 1 + exp(-|z|) changes nothing in the result: stored outputs keep their bits."""
    z = Z_WITH_SATURATED_ENDS
    e = np.exp(-np.abs(z))
    np.testing.assert_array_equal(sigmoid(z), np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def test_sigmoid_keeps_the_two_branch_formula_at_infinities_and_nan():
    """Its numerator, max(exp(-|z|), [z >= 0]), is the two-branch formula's, also where exp(-|z|) is 0 or NaN (and
    the comparison fails for branches taken the wrong way round)."""
    z = np.array([-np.inf, np.inf, np.nan, -0.0, 0.0, -5.0, 5.0])
    e = np.exp(-np.abs(z))
    np.testing.assert_array_equal(sigmoid(z), np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))  # NaN = NaN here
    with pytest.raises(AssertionError):
        np.testing.assert_array_equal(sigmoid(z), np.where(z < 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def test_shapes_are_kept():
    z = np.zeros((3, 2))
    assert sigmoid(z).shape == (3, 2) and identity(z).shape == (3, 2)
    assert np.ndim(sigmoid(0.0)) == 0 and sigmoid(0.0) == 0.5


def test_unknown_activation_is_refused_with_a_fix():
    with pytest.raises(ValueError, match="activation must be one of"):
        get_activation("relu6")
