"""The inputs the grader sends to a student's function: the source's own numbers first, then random ones.

Every maker takes a numpy Generator and returns a list of argument tuples. Random inputs mean a hard-coded answer
to the source's numbers cannot pass; the grader's seed is its own (``grader.DEFAULT_SEED``, ``--seed``) and the
in-notebook feedback uses another, so passing the feedback is a good sign rather than a guarantee.
"""

from __future__ import annotations

import numpy as np


def scalar_points(rng, source, n=3):
    points = [source]
    for _ in range(n):
        points.append(tuple(float(v) for v in rng.uniform(-2, 2, size=4)))
    return points


def sequence_calls(rng):
    source = ({"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}, 0.5, 1.0, 0.1)
    calls = [source]
    for _ in range(2):
        p = dict(zip(("w1", "w2", "b1", "b2"), (float(v) for v in rng.uniform(-1, 1, 4)), strict=True))
        calls.append((p, float(rng.uniform(-1, 1)), float(rng.uniform(0, 1)), 0.5))
    return calls


def batch_calls(rng):
    X = np.array([0.5, 0.8, 1.5, 0.4, 0.4, 1.0, 1.9])
    y = np.array([1.0, 1.2, 1.2, 0.6, 0.5, 1.1, 1.3])
    calls = [(X, y, 0.3, 0.1)]
    for n in (5, 9):
        calls.append((rng.uniform(-2, 2, n), rng.uniform(0, 1.5, n), float(rng.uniform(-1, 1)), 0.2))
    return calls


def matrix_inputs(rng, sizes, m):
    weights = [rng.normal(0, 0.8, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [rng.normal(0, 0.3, (n_out, 1)) for n_out in sizes[1:]]
    X = rng.normal(0, 1, (sizes[0], m))
    return X, weights, biases


def by_hand_calls(rng):
    source = (np.array([[1.0], [2.0]]), 0.8, np.array([[0.5, 0.3], [0.2, 0.8]]), np.array([[0.1], [0.4]]),
              np.array([[0.9, 0.7]]), np.array([[0.2]]), 0.1)
    calls = [source]
    for _ in range(2):
        X, (W1, W2), (b1, b2) = matrix_inputs(rng, (2, 2, 1), 1)
        calls.append((X, float(rng.uniform(0, 1)), W1, b1, W2, b2, 0.5))
    return calls


def net_calls(sizes, m, extra=()):
    def calls(rng):
        out = []
        for _ in range(2):
            X, weights, biases = matrix_inputs(rng, sizes, m)
            Y = (rng.uniform(size=(sizes[-1], m)) > 0.5).astype(float)
            params = [a for pair in zip(weights, biases, strict=True) for a in pair]
            out.append((X, Y, *params, *extra))
        return out
    return calls


def regression_calls(n_out, with_weights):
    def calls(rng):
        out = []
        for _ in range(2):
            X, (W1, W2), (b1, b2) = matrix_inputs(rng, (4 if with_weights else 1, 5, n_out), 6)
            Y = rng.normal(0, 1, (n_out, 6))
            extra = (rng.uniform(0.5, 2, n_out),) if with_weights else ()
            out.append((X, Y, W1, b1, W2, b2, *extra))
        return out
    return calls


def update_calls(rng):
    """Multi-output regression inputs (three weighted outputs) and a learning rate."""
    return [(*args, 0.3) for args in regression_calls(3, True)(rng)]


def sgd_calls(rng):
    out = []
    for _ in range(2):
        X, (W1, W2), (b1, b2) = matrix_inputs(rng, (2, 3, 1), 5)
        Y = (rng.uniform(size=(1, 5)) > 0.5).astype(float)
        out.append((X, Y, W1, b1, W2, b2, 0.5, rng.permutation(5)))
    return out


def layer_calls(rng):
    names = ("w11", "w12", "w21", "w22", "b11", "b12", "b21", "b22")
    calls = [({n: v for n, v in zip(names, (0.3, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1, 0.2), strict=True)}, 1.5, 0.2)]
    for n in (1, 4):
        params = {name: float(v) for name, v in zip(names, rng.uniform(-1, 1, 8), strict=True)}
        calls.append((params, rng.uniform(-1, 1, n), rng.uniform(0, 1, n)))
    return calls
