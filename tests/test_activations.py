"""Activations and their derivatives: values, slopes against central differences, stability at |z| = 1e4."""

import warnings

import numpy as np
import pytest

from backprop.activations import ACTIVATIONS, get_activation, identity, sigmoid, sigmoid_derivative
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


def test_shapes_are_kept():
    z = np.zeros((3, 2))
    assert sigmoid(z).shape == (3, 2) and identity(z).shape == (3, 2)
    assert np.ndim(sigmoid(0.0)) == 0 and sigmoid(0.0) == 0.5


def test_unknown_activation_is_refused_with_a_fix():
    with pytest.raises(ValueError, match="activation must be one of"):
        get_activation("relu6")
