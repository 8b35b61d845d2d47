"""SymPy's derivatives agree with the hand-derived backward passes, and disagree with a wrong one."""

import numpy as np
import pytest

from backprop.small_networks import NETWORKS, backward
from backprop.symbolic import compare_with_symbolic, symbolic_gradients, symbolic_loss


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_hand_gradients_match_sympy_at_random_points(name):
    rng = np.random.default_rng(7)
    for _ in range(3):
        params = {p: float(v) for p, v in zip(NETWORKS[name].parameters, rng.normal(size=8), strict=False)}
        x, y = rng.normal(size=3), rng.uniform(size=3)
        errors = compare_with_symbolic(name, params, x, y, backward(name, params, x, y))
        assert max(errors.values()) < 1e-10, errors


def test_a_wrong_gradient_is_caught():
    params = {"w": 0.3, "b": 0.1}
    wrong = dict(backward("sigmoid_neuron", params, 0.5, 1.0))
    wrong["w"] *= 2
    errors = compare_with_symbolic("sigmoid_neuron", params, 0.5, 1.0, wrong)
    assert errors["w"] > 0.1 and errors["b"] < 1e-12


def test_symbolic_loss_has_the_parameters_as_symbols():
    expression, symbols = symbolic_loss("two_in_sequence", 0.5, 1.0)
    assert set(symbols) == {"w1", "w2", "b1", "b2"}
    assert expression.free_symbols == set(symbols.values())
    assert symbolic_gradients("identity_neuron", {"w": 0.5, "b": 1.0}, 2.0, 5.0) == pytest.approx({"w": -6, "b": -3})


def test_mismatched_gradient_names_are_refused():
    with pytest.raises(ValueError, match="gradients must have the keys"):
        compare_with_symbolic("sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0, {"w": 0.0})
