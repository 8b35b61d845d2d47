"""The hand-worked networks: gradients by name, the source's training tables, the source's two bugs, bad input."""

import numpy as np
import pytest

from backprop.activations import sigmoid
from backprop.gradcheck import check_named_gradients
from backprop.small_networks import (
    NETWORKS,
    backward,
    check_network_gradients,
    check_update_step,
    forward,
    loss,
    stale_scalar_gradient,
    train,
    train_step,
)

X7 = np.array([0.5, 0.8, 1.5, 0.4, 0.4, 1.0, 1.9])
Y7 = np.array([1.0, 1.2, 1.2, 0.6, 0.5, 1.1, 1.3])
SEQUENCE_START = {"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}
LAYER_START = {"w11": 0.3, "w12": 0.2, "w21": 0.1, "w22": 0.2, "b11": 0.1, "b12": 0.2, "b21": 0.1, "b22": 0.2}


def random_params(name, rng):
    return {p: float(v) for p, v in zip(NETWORKS[name].parameters, rng.normal(size=8), strict=False)}


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize("n_points", [1, 5])
def test_every_gradient_matches_central_differences(name, n_points):
    rng = np.random.default_rng(2024 + n_points)
    for _ in range(5):
        params = random_params(name, rng)
        x, y = rng.normal(size=n_points), rng.uniform(size=n_points)
        result = check_named_gradients(lambda p, x=x, y=y: loss(name, p, x, y), params, backward(name, params, x, y))
        assert result["passed"], result["failed"]
        assert list(result["parameters"]) == list(NETWORKS[name].parameters)


def rows(history):
    return [(round(loss_value, 4), *(round(v, 4) for v in params.values()))
            for loss_value, params in zip(history.losses, history.params, strict=True)]


def test_identity_table_and_early_stop():
    history = train("identity_neuron", {"w": 0.5, "b": 1.0}, 2.0, 5.0, learning_rate=0.1, epochs=20)
    assert rows(history)[0] == (4.5, 1.1, 1.3)
    assert rows(history)[-1] == (0.0176, 1.6625, 1.5813)
    assert history.stopped_at == 6 and round(history.stop_loss, 4) == 0.0044


def test_sigmoid_table():
    history = train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0, learning_rate=0.1, epochs=20)
    assert rows(history)[0] == (0.0958, 0.3054, 0.1108)
    assert rows(history)[-1] == (0.0726, 0.3986, 0.2972)
    assert history.stopped_at is None


def test_many_points_table_is_the_correct_one():
    history = train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, X7, Y7, learning_rate=0.1, epochs=20)
    assert rows(history)[0] == (0.1111, 0.3109, 0.1093)
    assert rows(history)[-1] == (0.0822, 0.4860, 0.2586)


def test_sequence_table_is_the_correct_one():
    history = train("two_in_sequence", SEQUENCE_START, 0.5, 1.0, learning_rate=0.1, epochs=20)
    assert rows(history)[0] == (0.0893, 0.3003, 0.2058, 0.1005, 0.2103)
    assert rows(history)[-1] == (0.0670, 0.3058, 0.3057, 0.1115, 0.3875)


def test_layer_table_matches_the_source():
    history = train("two_in_a_layer", LAYER_START, 0.5, 1.0, learning_rate=0.1, epochs=20)
    assert rows(history)[0] == (0.0739, 0.3001, 0.2002, 0.1051, 0.2052, 0.1002, 0.2004, 0.1091, 0.2091)
    assert rows(history)[-1] == (0.0445, 0.3026, 0.2045, 0.1851, 0.2870, 0.1052, 0.2089, 0.2512, 0.3512)
    for params in history.params:  # the two output biases move in lockstep
        assert params["b22"] - params["b21"] == pytest.approx(0.1, abs=1e-12)


STALE_X, STALE_Z = 0.5, 0.48528831242974196   # left over from the single-point sigmoid example


def test_stale_scalar_gradient_is_the_sources_formula():
    params = {"w": 0.4, "b": -0.2}
    y_hat = sigmoid(params["w"] * X7 + params["b"])
    dL_dz = (y_hat - Y7) * sigmoid(STALE_Z) * (1 - sigmoid(STALE_Z))
    expected = {"w": float(np.mean(dL_dz * STALE_X)), "b": float(np.mean(dL_dz))}
    got = stale_scalar_gradient(params, X7, Y7, STALE_X, STALE_Z)
    assert got == pytest.approx(expected, rel=1e-14)


def test_network_gradient_check_passes_a_right_gradient_and_fails_a_wrong_one():
    params = {"w": 0.3, "b": 0.1}
    right = check_network_gradients("sigmoid_neuron", params, X7, Y7)
    assert right["passed"] and right["failed"] == []
    explicit = backward("sigmoid_neuron", params, X7, Y7)
    assert check_network_gradients("sigmoid_neuron", params, X7, Y7, explicit)["passed"]
    wrong = check_network_gradients("sigmoid_neuron", params, X7, Y7,
                                    stale_scalar_gradient(params, X7, Y7, STALE_X, STALE_Z))
    assert not wrong["passed"] and wrong["failed"] == ["w", "b"]
    assert wrong["parameters"]["w"]["relative_error"] > 0.5   # weights every point by 0.5 instead of its own x
    for name in ("two_in_sequence", "two_in_a_layer"):
        start = SEQUENCE_START if name == "two_in_sequence" else LAYER_START
        assert check_network_gradients(name, start, 0.5, 1.0)["passed"]
        off = {**backward(name, start, 0.5, 1.0)}
        first = next(iter(off))
        off[first] *= 1.01                       # a gradient 1 per cent off is flagged, by name
        assert check_network_gradients(name, start, 0.5, 1.0, off)["failed"] == [first]


def test_stale_variable_gradient_reproduces_the_source():
    params = {"w": 0.3, "b": 0.1}
    for _ in range(20):
        gradient = stale_scalar_gradient(params, X7, Y7, STALE_X, STALE_Z)
        params = {k: params[k] - 0.1 * gradient[k] for k in params}
    assert (round(params["w"], 4), round(params["b"], 4)) == (0.3859, 0.2718)  # the source's epoch-20 row


def buggy_sequence_step(params, learning_rate=0.1):
    """The source's update with w1 = w2 - lr * dL_dw1."""
    g = backward("two_in_sequence", params, 0.5, 1.0)
    w2 = params["w2"] - learning_rate * g["w2"]
    return {"w1": w2 - learning_rate * g["w1"], "w2": w2, "b1": params["b1"] - learning_rate * g["b1"],
            "b2": params["b2"] - learning_rate * g["b2"]}


def test_update_bug_is_flagged_at_w1_and_reproduces_the_source():
    def sequence_loss(p):
        return loss("two_in_sequence", p, 0.5, 1.0)

    bad = check_update_step(buggy_sequence_step, sequence_loss, SEQUENCE_START, 0.1)
    assert bad["failed"] == ["w1"]
    good = check_update_step(lambda p: train_step("two_in_sequence", p, 0.5, 1.0, 0.1), sequence_loss,
                             SEQUENCE_START, 0.1)
    assert good["passed"]
    params = dict(SEQUENCE_START)
    for _ in range(20):
        params = buggy_sequence_step(params)
    assert tuple(round(v, 4) for v in params.values()) == (0.3051, 0.3048, 0.1116, 0.3878)


def test_functions_do_not_mutate_the_callers_dict():
    params = dict(LAYER_START)
    train("two_in_a_layer", params, 0.5, 1.0, epochs=3)
    train_step("two_in_a_layer", params, 0.5, 1.0, 0.1)
    assert params == LAYER_START


def test_forward_returns_every_node():
    nodes = forward("two_in_a_layer", LAYER_START, [0.5, 1.0])
    assert set(nodes) == {"z1", "a1", "z2", "a2", "z3", "y_hat"} and nodes["y_hat"].shape == (2,)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, [0.5, 0.8], [1.0], epochs=2), "equal shapes"),
        (lambda: train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, [[0.5]], [1.0]), "1-D array"),
        (lambda: train("sigmoid_neuron", {"w": np.nan, "b": 0.1}, 0.5, 1.0), "must be finite"),
        (lambda: train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, np.nan, 1.0), "must be finite"),
        (lambda: train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0, learning_rate=0), "> 0"),
        (lambda: train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0, learning_rate=-0.1), "> 0"),
        (lambda: train("sigmoid_neuron", {"w": 0.3}, 0.5, 1.0), "exactly the keys"),
        (lambda: train("sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0, epochs=0), "whole number >= 1"),
        (lambda: train("three_neurons", {}, 0.5, 1.0), "network must be one of"),
        (lambda: backward("sigmoid_neuron", [0.3, 0.1], 0.5, 1.0), "must be a dict"),
        (lambda: check_network_gradients("sigmoid_neuron", {"w": 0.3}, 0.5, 1.0), "exactly the keys"),
        (lambda: stale_scalar_gradient({"w": 0.3, "b": 0.1}, [0.5], [1.0, 1.2], 0.5, 0.5), "equal shapes"),
        (lambda: stale_scalar_gradient({"w": 0.3, "b": 0.1}, 0.5, 1.0, np.nan, 0.5), "must be finite"),
    ],
)
def test_bad_input_raises_a_helpful_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_named_gradient_check_refuses_missing_names():
    with pytest.raises(ValueError, match="one entry per parameter"):
        check_named_gradients(lambda p: p["w"] ** 2, {"w": 1.0, "b": 0.0}, {"w": 2.0})
