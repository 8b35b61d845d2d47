"""Gradient flow through deep networks: the backward errors agree with the kernel's backward pass, the slope bound
holds on random networks (and a wrong bound is caught), the decay fit recovers known ratios, and the recorded
training run is the kernel's own."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from backprop.activations import get_activation
from backprop.gradient_flow import (
    bound_factors,
    decay_factor,
    layer_gradient_norms,
    max_slope,
)
from backprop.mlp import MLP, backward, backward_errors, forward, init_parameters

ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity"]
LOSSES = ["binary_cross_entropy", "mean_squared_error"]


def deep_problem(seed, activation, loss, init="xavier", init_scale=None, depth=6, width=8, m=20):
    rng = np.random.default_rng(seed)
    sizes = (3, *([width] * depth), 1)
    weights, biases = init_parameters(sizes, init, init_scale, rng)
    X = rng.standard_normal((3, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(float) if loss == "binary_cross_entropy" else rng.standard_normal((1, m))
    return weights, biases, X, Y


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_max_slope_is_the_largest_derivative_on_a_fine_grid(activation):
    _, g_prime = get_activation(activation)
    z = np.linspace(-20, 20, 400_001)
    assert np.max(np.abs(g_prime(z))) == pytest.approx(max_slope(activation), abs=1e-9)
    assert max_slope("sigmoid") == 0.25


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", LOSSES)
def test_backward_errors_give_the_kernels_weight_gradients(activation, loss):
    weights, biases, X, Y = deep_problem(3, activation, loss)
    Z, A = forward(weights, biases, X, activation)
    dW, db = backward(weights, Z, A, Y, activation, loss)
    deltas = backward_errors(weights, Z, Y, activation, loss)
    assert [d.shape for d in deltas] == [z.shape for z in Z]
    for delta, a_prev, g_w, g_b in zip(deltas, A, dW, db, strict=True):
        np.testing.assert_allclose(delta @ a_prev.T, g_w, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(delta.sum(axis=1, keepdims=True), g_b, rtol=1e-12, atol=1e-300)
    weight_norms, error_norms = layer_gradient_norms(weights, biases, X, Y, activation, loss)
    np.testing.assert_allclose(weight_norms, [np.linalg.norm(g) for g in dW])
    np.testing.assert_allclose(error_norms, [np.linalg.norm(d) for d in deltas])


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("init_scale", [0.3, 1.0, 4.0])
def test_each_layer_shrinks_or_stretches_the_error_at_most_by_the_bound(seed, activation, init_scale):
    weights, biases, X, Y = deep_problem(seed, activation, "binary_cross_entropy", init_scale=init_scale)
    _, error_norms = layer_gradient_norms(weights, biases, X, Y, activation, "binary_cross_entropy")
    measured = error_norms[:-1] / error_norms[1:]  # ||delta[l-1]|| / ||delta[l]|| for l = 2..L
    assert np.all(measured <= bound_factors(weights, activation)[1:] * (1 + 1e-12))


def test_a_wrong_bound_is_caught():
    """With the sigmoid's slope bound taken as 1/8 instead of 1/4, some layer breaks it: the check has teeth."""
    weights, biases, X, Y = deep_problem(0, "sigmoid", "binary_cross_entropy")
    _, error_norms = layer_gradient_norms(weights, biases, X, Y, "sigmoid", "binary_cross_entropy")
    measured = error_norms[:-1] / error_norms[1:]
    too_tight = bound_factors(weights, "sigmoid")[1:] / 2
    assert np.any(measured > too_tight)


def test_decay_factor_recovers_a_geometric_sequence_and_its_direction():
    assert decay_factor(3.0 * 0.25 ** np.arange(9, -1, -1)) == pytest.approx(0.25)  # shrinks towards the input
    assert decay_factor(2.0 ** np.arange(9, -1, -1)) == pytest.approx(2.0)  # grows towards the input
    assert decay_factor([5.0, 5.0, 5.0]) == pytest.approx(1.0)
    noisy = 0.5 ** np.arange(9, -1, -1) * np.exp(np.random.default_rng(0).normal(0, 0.05, 10))
    assert decay_factor(noisy) == pytest.approx(0.5, rel=0.05)
    assert decay_factor(0.5 ** np.arange(10)) != pytest.approx(0.5)  # listed output side first: wrong direction


@pytest.mark.parametrize("norms, message", [
    ([1.0], "at least 2"),
    ([[1.0, 2.0]], "1-D"),
    ([1.0, 0.0, 2.0], "finite and > 0"),
    ([1.0, np.nan], "finite and > 0"),
])
def test_decay_factor_refuses_what_it_cannot_fit(norms, message):
    with pytest.raises(ValueError, match=message):
        decay_factor(norms)


def test_max_slope_refuses_unknown_activations():
    with pytest.raises(ValueError, match="activation must be one of"):
        max_slope("softplus")


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=60, noise=0.2, random_state=0)


@pytest.mark.parametrize("activation, init, clip_norm", [("sigmoid", "xavier", None), ("relu", "he", 0.5),
                                                         ("tanh", "xavier", None)])
def test_the_kernels_recorded_norms_are_the_measured_ones(moons, activation, init, clip_norm):
    """MLP's first recorded row of gradient_norms_ and error_norms_ is what layer_gradient_norms measures at the
    seeded initial weights (the chapter reads these records during training)."""
    X, y = moons
    settings = dict(activation=activation, init=init, learning_rate=0.5, n_epochs=40, clip_norm=clip_norm,
                    random_state=1)
    model = MLP(hidden_sizes=(8, 8, 8), **settings).fit(X, y)
    weights, biases = init_parameters((2, 8, 8, 8, 1), init, rng=np.random.default_rng(1))
    weight_norms, error_norms = layer_gradient_norms(weights, biases, X.T, y[None, :].astype(float), activation,
                                                     "binary_cross_entropy")
    np.testing.assert_allclose(model.gradient_norms_[0], weight_norms, rtol=1e-12)
    np.testing.assert_allclose(model.error_norms_[0], error_norms, rtol=1e-12)
    assert model.error_norms_.shape == (40, 4) and not model.diverged_


def test_the_sigmoid_error_vanishes_towards_the_input_and_relu_keeps_it():
    X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    Xc, Y = X.T, y[None, :].astype(float)
    factors = {}
    for activation, init in [("sigmoid", "xavier"), ("relu", "he")]:
        weights, biases = init_parameters((2, *[32] * 10, 1), init, rng=0)
        _, error_norms = layer_gradient_norms(weights, biases, Xc, Y, activation, "binary_cross_entropy")
        factors[activation] = decay_factor(error_norms[:10])
    assert 0.15 < factors["sigmoid"] < 0.3
    assert 0.8 < factors["relu"] < 1.25


def test_a_diverging_run_stops_without_raising_and_clipping_tames_it(moons):
    X, y = moons
    settings = dict(activation="relu", init="he", learning_rate=1.0, n_epochs=60, random_state=0)
    wild = MLP(hidden_sizes=(32,) * 10, **settings).fit(X, y)
    tame = MLP(hidden_sizes=(32,) * 10, clip_norm=1.0, **settings).fit(X, y)
    assert wild.diverged_ and len(wild.loss_curve_) < 60 and max(wild.loss_curve_) > 1e6
    assert not tame.diverged_ and len(tame.loss_curve_) == 60 and tame.loss_curve_[-1] < tame.loss_curve_[0]


@pytest.mark.parametrize("settings, message", [
    (dict(loss="hinge"), "loss must be one of"),
    (dict(activation="softplus"), "activation must be one of"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(n_epochs=0), "n_epochs"),
    (dict(clip_norm=-1.0), "clip_norm"),
])
def test_training_refuses_bad_settings(moons, settings, message):
    X, y = moons
    with pytest.raises(ValueError, match=message):
        MLP(hidden_sizes=(4,), **settings).fit(X, y)


def test_training_refuses_bad_data(moons):
    X, y = moons
    with pytest.raises(ValueError, match="one target per sample"):
        MLP(hidden_sizes=(4,)).fit(X, y[:-1])
    with pytest.raises(ValueError, match="binary labels"):
        MLP(hidden_sizes=(4,)).fit(X, y + 1)
    with pytest.raises(ValueError, match="hidden_sizes"):
        MLP(hidden_sizes=(4, 0)).fit(X, y)
