"""Every loss in backprop.losses against central differences, its stability, and its refusal of bad input."""

import warnings

import numpy as np
import pytest

from backprop import losses
from backprop.activations import sigmoid
from backprop.gradcheck import check_gradient

SHAPES = [(7,), (3, 5)]  # one output per sample, and samples as columns with 3 outputs


def check_array_gradient(loss, gradient, z, y, tolerance=1e-6):
    """check_gradient for a loss of an array argument: flatten for the check, restore the shape for the call."""
    return check_gradient(lambda v: loss(v.reshape(z.shape), y), lambda v: gradient(v.reshape(z.shape), y),
                          z.ravel(), tolerance=tolerance)


@pytest.mark.parametrize("shape", SHAPES)
def test_cross_entropy_gradient_matches_central_differences(shape):
    rng = np.random.default_rng(0)
    for _ in range(5):
        z, y = rng.normal(0, 3, shape), rng.integers(0, 2, shape).astype(float)
        result = check_array_gradient(losses.binary_cross_entropy_from_logits,
                                      losses.binary_cross_entropy_from_logits_gradient, z, y)
        assert result.passed, result.max_relative_error


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["mean_squared_error", "half_mean_squared_error"])
def test_squared_error_gradients_match_central_differences(shape, name):
    rng = np.random.default_rng(1)
    loss, gradient = losses.get_loss(name)
    for _ in range(5):
        y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
        result = check_array_gradient(loss, gradient, y_hat, y)
        assert result.passed, result.max_relative_error


def away_from_kink(rng, y, gap=1e-3):
    """Scores whose margins y * s stay at least ``gap`` from the kink at 1 (h = 1e-5 cannot cross it)."""
    s = rng.normal(0, 2, y.shape)
    too_close = np.abs(1 - y * s) < gap
    s[too_close] += 10 * gap * y[too_close]
    return s


@pytest.mark.parametrize("shape", SHAPES)
def test_hinge_subgradient_is_the_gradient_away_from_the_kink(shape):
    rng = np.random.default_rng(2)
    for _ in range(5):
        y = rng.choice([-1.0, 1.0], shape)
        s = away_from_kink(rng, y)
        assert np.any(y * s < 1) and np.any(y * s > 1)  # both pieces of the hinge are exercised
        result = check_array_gradient(losses.hinge_loss, losses.hinge_loss_subgradient, s, y)
        assert result.passed, result.max_relative_error


def test_hinge_subgradient_at_the_kink_lies_between_the_one_sided_slopes():
    y, s, h = np.array([1.0, -1.0]), np.array([1.0, -1.0]), 1e-6  # both margins exactly 1
    g = losses.hinge_loss_subgradient(s, y)
    for i in range(2):
        step = np.zeros(2)
        step[i] = h
        right = (losses.hinge_loss(s + step, y) - losses.hinge_loss(s, y)) / h
        left = (losses.hinge_loss(s, y) - losses.hinge_loss(s - step, y)) / h
        assert min(left, right) - 1e-9 <= g[i] <= max(left, right) + 1e-9
    assert np.array_equal(g, [0.0, 0.0])  # the documented choice


def test_l2_penalty_gradient_matches_central_differences():
    rng = np.random.default_rng(3)
    W = rng.normal(size=(2, 3))
    l2, m = 0.7, 11
    result = check_gradient(lambda v: losses.l2_penalty([v.reshape(W.shape)], l2, m),
                            lambda v: losses.l2_penalty_gradient(v.reshape(W.shape), l2, m), W.ravel())
    assert result.passed
    # several matrices: the penalty is the sum of their squared norms, and the bias is not in the list
    assert losses.l2_penalty([W, 2 * W], l2, m) == pytest.approx(5 * losses.l2_penalty([W], l2, m))


def test_known_values():
    assert losses.binary_cross_entropy_from_logits(np.zeros(4), np.array([0, 1, 0, 1])) == pytest.approx(np.log(2))
    assert losses.mean_squared_error([1.0, 3.0], [0.0, 0.0]) == pytest.approx(5.0)
    assert losses.half_mean_squared_error([1.0, 3.0], [0.0, 0.0]) == pytest.approx(2.5)
    assert losses.hinge_loss([2.0, 0.5, -1.0], [1, 1, 1]) == pytest.approx((0 + 0.5 + 2) / 3)
    assert losses.l2_penalty([np.array([[3.0, 4.0]])], 2.0, 5) == pytest.approx(2.0 / 10 * 25)
    # samples along the last axis: (3 outputs, 2 samples) divides by 2, not 6
    assert losses.mean_squared_error(np.ones((3, 2)), np.zeros((3, 2))) == pytest.approx(3.0)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "mean_squared_error", "half_mean_squared_error"])
def test_skipping_the_input_checks_gives_the_same_value(name):
    """check_input=False (a training loop that checked its data once) changes the cost, not the number."""
    rng = np.random.default_rng(5)
    loss, _ = losses.get_loss(name)
    z, y = rng.normal(0, 3, (3, 8)), rng.integers(0, 2, (3, 8)).astype(float)
    assert loss(z, y, check_input=False) == loss(z, y)


def test_cross_entropy_is_finite_and_silent_for_huge_logits():
    z = np.array([-1e4, -1e3, -40.0, 0.0, 40.0, 1e3, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is harmless
            for y in (np.zeros_like(z), np.ones_like(z)):
                per_sample = [losses.binary_cross_entropy_from_logits(z[i:i + 1], y[i:i + 1]) for i in range(z.size)]
                gradient = losses.binary_cross_entropy_from_logits_gradient(z, y)
                assert np.all(np.isfinite(per_sample)) and np.all(np.isfinite(gradient))
                # confidently wrong costs about |z|, confidently right costs about 0
                wrong = (z > 0) != (y > 0)
                np.testing.assert_allclose(np.array(per_sample)[wrong & (np.abs(z) >= 1e3)],
                                           np.abs(z)[wrong & (np.abs(z) >= 1e3)], rtol=1e-12)
                assert max(np.array(per_sample)[~wrong & (np.abs(z) >= 40)]) < 1e-17
                assert np.all(np.abs(gradient) <= 1 / z.size)


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_mismatched_shapes_are_refused_with_a_fix(name):
    for function in losses.get_loss(name):
        with pytest.raises(ValueError, match=r"same shape; got \(3,\) and \(4,\)"):
            function(np.zeros(3), np.ones(4))


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_infinity_are_refused(name, bad):
    for function in losses.get_loss(name):
        with pytest.raises(ValueError, match="NaN or infinity"):
            function(np.array([0.5, bad]), np.ones(2))
        with pytest.raises(ValueError, match="NaN or infinity"):
            function(np.ones(2), np.array([1.0, bad]))


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_empty_input_is_refused(name):
    for function in losses.get_loss(name):
        with pytest.raises(ValueError, match="empty"):
            function(np.zeros(0), np.zeros(0))


@pytest.mark.parametrize("labels", [[0, 1, 2], [0, 1, -1], [0.5, 1, 0]])
def test_cross_entropy_refuses_labels_outside_0_1(labels):
    for function in losses.get_loss("binary_cross_entropy"):
        with pytest.raises(ValueError, match="labels must be 0 or 1.*Map your two classes"):
            function(np.zeros(3), np.array(labels, dtype=float))


@pytest.mark.parametrize("labels", [[0, 1, 1], [-1, 1, 2], [-1, 0.5, 1]])
def test_hinge_refuses_labels_outside_minus_1_plus_1(labels):
    for function in losses.get_loss("hinge"):
        with pytest.raises(ValueError, match=r"labels must be -1 or \+1.*2 \* y - 1"):
            function(np.zeros(3), np.array(labels, dtype=float))


def test_unknown_loss_name_is_refused():
    with pytest.raises(ValueError, match="loss must be one of"):
        losses.get_loss("cross_entropy")


# --- the same checks catch wrong gradients ------------------------------------------------------------------------


WRONG_GRADIENTS = {
    # a gradient that forgot its 1/m
    "cross-entropy without 1/m": ("binary_cross_entropy",
                                  lambda z, y: sigmoid(z) - y),
    # sigma'(z) kept although it cancels against the logarithm's derivative
    "cross-entropy times sigma'": ("binary_cross_entropy",
                                   lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z))
                                   / z.shape[-1]),
    "squared error without the 2": ("mean_squared_error", lambda y_hat, y: (y_hat - y) / y.shape[-1]),
    "squared error, wrong sign": ("mean_squared_error", lambda y_hat, y: 2 * (y - y_hat) / y.shape[-1]),
    "hinge without the label": ("hinge", lambda s, y: np.where(y * s < 1, -1.0, 0.0) / y.shape[-1]),
    "hinge active on the wrong side": ("hinge", lambda s, y: np.where(y * s > 1, -y, 0.0) / y.shape[-1]),
}


@pytest.mark.parametrize("wrong", sorted(WRONG_GRADIENTS))
def test_a_wrong_gradient_is_caught(wrong):
    name, gradient = WRONG_GRADIENTS[wrong]
    loss, right = losses.get_loss(name)
    rng = np.random.default_rng(4)
    shape = (3, 6)
    y = {"binary_cross_entropy": rng.integers(0, 2, shape).astype(float), "mean_squared_error": rng.normal(size=shape),
         "hinge": rng.choice([-1.0, 1.0], shape)}[name]
    z = away_from_kink(rng, y) if name == "hinge" else rng.normal(0, 2, shape)
    assert check_array_gradient(loss, right, z, y).passed
    result = check_array_gradient(loss, gradient, z, y)
    assert not result.passed and result.max_relative_error > 1e-2


def test_a_wrong_l2_gradient_is_caught():
    W = np.random.default_rng(5).normal(size=(2, 3))
    result = check_gradient(lambda v: losses.l2_penalty([v.reshape(W.shape)], 0.7, 11),
                            lambda v: 0.7 / (2 * 11) * v, W.ravel())  # the 1/2 that the derivative cancels, kept
    assert not result.passed


def test_l2_penalty_refuses_a_negative_lambda_and_zero_samples():
    from backprop.losses import l2_penalty, l2_penalty_gradient

    assert l2_penalty([np.ones((2, 2))], 1.0, 4) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        l2_penalty([np.ones((2, 2))], -1.0, 4)
    with pytest.raises(ValueError, match="number of samples"):
        l2_penalty_gradient(np.ones((2, 2)), 1.0, 0)
