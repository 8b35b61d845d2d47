"""Shared test inputs."""

import numpy as np
import pytest

from backprop import mlp


@pytest.fixture
def mlp_case():
    """make(activation, loss, l2, m) -> (weights, biases, X, Y, Z, A, dW, db): a small MLP with non-zero biases,
    its data, its forward pass and the hand-written backward pass, the reference the autodiff modes are checked
    against."""
    def make(activation, loss, l2, m):
        rng = np.random.default_rng(3)
        sizes = (2, 5, 3, 1) if loss == "binary_cross_entropy" else (3, 4, 2)
        weights, biases = mlp.init_parameters(sizes, "xavier", rng=rng)
        biases = [b + rng.normal(scale=0.5, size=b.shape) for b in biases]
        X = rng.normal(size=(sizes[0], m))
        Y = (rng.random((1, m)) < 0.5).astype(float) if loss == "binary_cross_entropy" else rng.normal(size=(2, m))
        Z, A = mlp.forward(weights, biases, X, activation)
        dW, db = mlp.backward(weights, Z, A, Y, activation, loss, l2)
        return weights, biases, X, Y, Z, A, dW, db
    return make
