"""Activation functions, each written next to its derivative.

A neuron computes ``z = w * x + b`` and passes ``z`` through an activation ``a = g(z)``. Backpropagation needs
``g'(z)`` at the same point, so every activation below comes as a pair: the function and its derivative, side by
side, and the table ``ACTIVATIONS`` maps a name to both.

Each derivative can also be written with the activation's output ``a = g(z)`` instead of ``z``: sigma' = a(1 - a),
tanh' = 1 - a^2, relu' = [a > 0], identity' = 1. The forward pass has already stored ``a``, so a backward pass that
uses this form (``DERIVATIVES_FROM_OUTPUT``, used by ``backprop.mlp``) recomputes no exponential, and gets the same
numbers as the derivative of ``z``.

All functions take a number or an array and return a value of the same shape (a NumPy scalar for a number). The
four activations also take ``out=``, an array to write the result into, as NumPy's functions do: the training steps
of ``backprop.mlp`` reuse their arrays from one step to the next.
"""

from __future__ import annotations

import numpy as np


def identity(z, out=None):
    """g(z) = z: the neuron's output is its input. Same shape as ``z``."""
    return np.multiply(np.asarray(z, dtype=float), 1.0, out=out)[()]


def identity_derivative(z):
    """g'(z) = 1 for every z. Same shape as ``z``."""
    return np.ones_like(np.asarray(z, dtype=float))[()]


def identity_derivative_from_output(a):
    """g' = 1 for every output a = z."""
    return np.ones_like(np.asarray(a, dtype=float))[()]


def sigmoid(z, out=None):
    """g(z) = 1 / (1 + exp(-z)), computed without overflow for any finite z.

    The textbook formula overflows in ``exp(-z)`` for z below about -710. Here ``exp`` only ever sees
    ``-|z| <= 0``, whose result lies in (0, 1]:

    - z >= 0:  1 / (1 + e)      with e = exp(-z)
    - z <  0:  e / (1 + e)      with e = exp(z)   (the same value, multiplied above and below by exp(z))

    Both share the denominator ``1 + e``; only the numerator, 1 or ``e``, depends on the sign of z. Where z >= 0,
    e <= 1, so the numerator is max(e, 1) there and max(e, 0) = e elsewhere: max(e, [z >= 0]), with the comparison
    read as 1 or 0. That picks the same numbers as ``np.where(z >= 0, 1.0, e)``, two to three times faster for a
    large layer, and ``e`` is made in one array, reused for ``1 + e``.
    """
    z = np.asarray(z, dtype=float)
    e = np.abs(z, out=np.empty_like(z))  # an array even for a number, so the steps below can work in place
    np.negative(e, out=e)
    np.exp(e, out=e)  # e = exp(-|z|), in (0, 1]
    numerator = np.maximum(e, np.greater_equal(z, 0.0))  # 1 where z >= 0, e where z < 0 (NaN stays NaN)
    e += 1.0
    return np.divide(numerator, e, out=out)[()]


def sigmoid_derivative(z):
    """g'(z) = sigma(z) * (1 - sigma(z)): the sigmoid's slope, written with the sigmoid itself."""
    s = sigmoid(z)
    return s * (1.0 - s)


def sigmoid_derivative_from_output(a):
    """g' = a * (1 - a) for the output a = sigma(z): the same slope, without computing sigma again."""
    a = np.asarray(a, dtype=float)
    return (a * (1.0 - a))[()]


def tanh(z, out=None):
    """g(z) = tanh(z) = (e^z - e^-z) / (e^z + e^-z), in (-1, 1); NumPy's tanh never overflows."""
    return np.tanh(np.asarray(z, dtype=float), out=out)[()]


def tanh_derivative(z):
    """g'(z) = 1 - tanh(z)^2: at most 1 (at z = 0), four times the sigmoid's largest slope."""
    t = np.tanh(np.asarray(z, dtype=float))
    return (1.0 - t * t)[()]


def tanh_derivative_from_output(a):
    """g' = 1 - a^2 for the output a = tanh(z)."""
    a = np.asarray(a, dtype=float)
    return (1.0 - a * a)[()]


def relu(z, out=None):
    """g(z) = max(0, z): the rectified linear unit."""
    return np.maximum(np.asarray(z, dtype=float), 0.0, out=out)[()]


def relu_derivative(z):
    """g'(z) = 1 for z > 0 and 0 for z < 0. At the kink z = 0 we take 0, as PyTorch and scikit-learn do."""
    return (np.asarray(z, dtype=float) > 0).astype(float)[()]


def relu_derivative_from_output(a):
    """g' = [a > 0] for the output a = max(0, z), since a > 0 exactly where z > 0.

    Returned as booleans, which NumPy multiplies as 1 and 0: an eighth of the memory of an array of floats.
    """
    return (np.asarray(a, dtype=float) > 0)[()]


ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
}

DERIVATIVES_FROM_OUTPUT = {
    "identity": identity_derivative_from_output,
    "sigmoid": sigmoid_derivative_from_output,
    "tanh": tanh_derivative_from_output,
    "relu": relu_derivative_from_output,
}
"""g' written with the output a = g(z), for a backward pass that kept the forward pass's activations."""


def get_activation(name: str):
    """Return the pair ``(g, g_prime)`` for an activation name: "identity", "sigmoid", "tanh" or "relu"."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}; got {name!r}. Pass e.g. activation='sigmoid'."
        )
    return ACTIVATIONS[name]
