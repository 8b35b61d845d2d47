"""Shared test inputs."""

import numpy as np
import pytest

from backprop import mlp

# Module fixtures that grade a class of notebooks in sandboxes (tests/test_grading.py): the longest setups of the unit
# stage by far. Their tests run first, so that the other test worker's many short tests fill the machine meanwhile
# instead of a core idling at the end while one worker is still grading.
GRADING_FIXTURES = ("graded_submissions", "graded_solutions_and_exercises")


def pytest_collection_modifyitems(config, items):
    """Move the tests of the grading fixtures to the front, longest fixture first, each fixture's tests together.

    pytest-xdist's default (load) scheduling hands each worker a block of consecutive tests to start with, so the
    front block lands on one worker: each module fixture is still set up once, by that worker.
    """
    first = list(dict.fromkeys(item for name in GRADING_FIXTURES for item in items
                               if name in getattr(item, "fixturenames", ())))
    moved = set(first)
    items[:] = first + [item for item in items if item not in moved]


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
