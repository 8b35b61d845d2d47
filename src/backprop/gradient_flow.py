"""How the gradient travels back through a deep network: per-layer norms, the slope bound, the decay per layer.

Backpropagation moves the error ``delta[l] = dL/dZ[l]`` (shape ``(n_l, m)``, samples as columns) one layer back with

    delta[l-1] = (W[l].T @ delta[l]) * g'(Z[l-1])

so its norm can grow or shrink by at most ``||W[l]||_2 * max|g'|`` per layer (the spectral norm of the weights times
the largest slope of the activation, 1/4 for the sigmoid). The weight gradient of layer ``l`` is
``dW[l] = delta[l] @ A[l-1].T``: the backward error times the forward activation.

This module measures those quantities on the package's MLP, ``backprop.mlp`` (its ``forward`` and ``backward``): the
norms of ``delta[l]`` and ``dW[l]`` for every layer, the bound, and a geometric fit of the decay per layer. During
training, ``MLP`` itself records the same norms at every epoch (``gradient_norms_``, ``error_norms_``).
"""

from __future__ import annotations

import numpy as np

from .activations import get_activation
from .mlp import backward, forward

MAX_SLOPE = {"identity": 1.0, "sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
"""The largest value of |g'(z)| over all z: sigma'(0) = 1/4, tanh'(0) = 1, relu' is 0 or 1."""


def max_slope(activation: str) -> float:
    """The largest slope |g'(z)| of an activation over all z (1/4 for "sigmoid", 1 for the others)."""
    get_activation(activation)  # refuses unknown names with the usual message
    return MAX_SLOPE[activation]


def layer_gradient_norms(weights, biases, X, Y, activation: str, loss: str):
    """Frobenius norms, per layer, of the weight gradient ``dW[l]`` and of the backward error ``delta[l]``.

    ``X`` has shape (n_features, m) and ``Y`` shape (n_outputs, m) (samples as columns, as in ``backprop.mlp``).
    Returns two arrays of shape (n_layers,), layer 1 first: ``(weight_gradient_norms, error_norms)``.
    """
    Z, A = forward(weights, biases, X, activation)
    dW, _, deltas = backward(weights, Z, A, Y, activation, loss, return_errors=True)
    return (np.array([np.linalg.norm(g) for g in dW]), np.array([np.linalg.norm(d) for d in deltas]))


def bound_factors(weights, activation: str) -> np.ndarray:
    """The most each layer can multiply the backward error by: ``||W[l]||_2 * max|g'|``, shape (n_layers,).

    Entry ``l`` (layer ``l + 1`` in the book's numbering) bounds ``||delta[l-1]|| / ||delta[l]||``: moving the
    error back through ``W[l].T`` stretches it by at most the largest singular value of ``W[l]``, and the
    element-wise product with ``g'(Z[l-1])`` by at most the largest slope.
    """
    slope = max_slope(activation)
    return np.array([np.linalg.norm(W, 2) * slope for W in weights])


def decay_factor(norms) -> float:
    """The factor ``r`` by which the norms shrink per layer towards the input, from a least-squares fit.

    Fits ``log norms[l] = c - l * log(r)`` over the layer index ``l`` (the norms listed input side first) and
    returns ``r``: ``r < 1`` means the gradient vanishes towards the input, ``r > 1`` that it explodes, ``r = 1``
    that every layer receives the same size of gradient. An exact geometric sequence returns its ratio.
    """
    norms = np.asarray(norms, dtype=float)
    if norms.ndim != 1 or norms.size < 2:
        raise ValueError(f"norms must be a 1-D array of at least 2 per-layer norms; got shape {norms.shape}. "
                         "Pass one row of norms, e.g. gradient_norms_[epoch].")
    if not np.all(np.isfinite(norms)) or np.any(norms <= 0):
        raise ValueError(f"norms must be finite and > 0 to fit a geometric decay; got {norms.tolist()}. "
                         "A zero norm (e.g. a dead ReLU layer) has no logarithm: leave that layer out.")
    slope = np.polyfit(np.arange(norms.size), np.log(norms), 1)[0]
    return float(np.exp(-slope))
