"""A third opinion on every hand-derived gradient: build the loss in SymPy and let it differentiate.

``symbolic_loss`` writes the loss of one of the small networks (see ``backprop.small_networks``) as a SymPy
expression in its parameters, for given data. ``symbolic_gradients`` differentiates it and evaluates the result at
a point; ``compare_with_symbolic`` sets a hand-derived gradient (a dict by name) beside it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from backprop.gradcheck import relative_error
from backprop.small_networks import get_network, validated_data, validated_params


def _sigma(z):
    return 1 / (1 + sp.exp(-z))


def symbolic_loss(network, x, y):
    """Return ``(L, symbols)``: the average loss as a SymPy expression and {parameter name: Symbol}.

    x, y : numbers or 1-D arrays of shape (n_points,), the data (they enter the expression as numbers).
    """
    net = get_network(network)
    x, y = validated_data(x, y)
    s = {name: sp.Symbol(name, real=True) for name in net.parameters}
    terms = []
    for x_p, y_p in zip(x.tolist(), y.tolist(), strict=True):
        x_p, y_p = sp.Float(x_p), sp.Float(y_p)
        if net.name == "identity_neuron":
            y_hat = s["w"] * x_p + s["b"]
        elif net.name == "sigmoid_neuron":
            y_hat = _sigma(s["w"] * x_p + s["b"])
        elif net.name == "two_in_sequence":
            y_hat = _sigma(s["w2"] * _sigma(s["w1"] * x_p + s["b1"]) + s["b2"])
        else:
            a1 = _sigma(s["w11"] * x_p + s["b11"])
            a2 = _sigma(s["w12"] * x_p + s["b12"])
            y_hat = _sigma((s["w21"] * a1 + s["b21"]) + (s["w22"] * a2 + s["b22"]))
        terms.append(sp.Rational(1, 2) * (y_hat - y_p) ** 2)
    return sp.Add(*terms) / len(terms), s


def symbolic_gradients(network, params: dict, x, y) -> dict:
    """dL/d(name) for every parameter, differentiated by SymPy and evaluated at ``params`` (floats, by name)."""
    net = get_network(network)
    point = validated_params(net, params)
    expression, symbols = symbolic_loss(net, x, y)
    values = {symbols[name]: point[name] for name in net.parameters}
    return {name: float(sp.diff(expression, symbols[name]).evalf(subs=values)) for name in net.parameters}


def compare_with_symbolic(network, params: dict, x, y, gradients: dict) -> dict:
    """{name: relative error between ``gradients[name]`` and SymPy's derivative} at ``params``."""
    net = get_network(network)
    exact = symbolic_gradients(net, params, x, y)
    if set(gradients) != set(net.parameters):
        raise ValueError(
            f"gradients must have the keys {list(net.parameters)}; got {sorted(gradients)}. "
            "Pass the dict returned by backward()."
        )
    return {name: relative_error(float(np.asarray(gradients[name])), exact[name]) for name in net.parameters}

