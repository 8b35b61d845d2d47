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


# ---------------------------------------------------------------------------------------------- set 05
def deep_net_calls(rng):
    """A deep network on given data: (X, Y, weights, biases, activation); chapter 8's kinds of layers and sizes."""
    calls = []
    for sizes, activation, m in (((2, 8, 8, 8, 1), "tanh", 12), ((3, 6, 6, 6, 6, 1), "relu", 10),
                                 ((2, 5, 5, 1), "sigmoid", 9)):
        X, weights, biases = matrix_inputs(rng, sizes, m)
        Y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
        calls.append((X, Y, weights, biases, activation))
    return calls


def slope_calls(rng):
    """(n sigma_w², the slopes g'(z) of a layer's units): a ReLU layer half active, then sigmoid and tanh slopes."""
    n = 256
    relu = (np.arange(n) % 2).astype(float)
    z = rng.normal(0, 1.5, n)
    sigmoid_slopes = np.exp(-z) / (1 + np.exp(-z)) ** 2
    return [(1.0, relu), (2.0, relu), (float(rng.uniform(0.5, 4)), sigmoid_slopes),
            (float(rng.uniform(0.5, 2)), 1 - np.tanh(rng.normal(0, 1, n)) ** 2)]


def norms_calls(rng):
    """Per-layer norms, input side first: an exact geometric decay, then noisy decays and growths."""
    calls = [(0.23 ** np.arange(9, -1, -1.0),)]
    for factor, n_layers in ((float(rng.uniform(0.3, 0.9)), 10), (float(rng.uniform(1.1, 3)), 7)):
        exact = factor ** -np.arange(n_layers, dtype=float)
        calls.append((exact * np.exp(rng.normal(0, 0.3, n_layers)),))
    return calls


def width_calls(rng):
    """Layer widths: chapter 8's 32, then random even ones (so that exactly half of the units can be active)."""
    return [(32,), (2 * int(rng.integers(8, 33)),), (2 * int(rng.integers(50, 150)),)]


def c_mapping_calls(rng):
    """(lambda, m): chapter 9's lambda = 1 with 200 samples, then random ones."""
    return [(1.0, 200), (float(rng.uniform(0.05, 5)), int(rng.integers(20, 500))),
            (float(rng.uniform(0.05, 5)), int(rng.integers(20, 500)))]


def hinge_calls(rng):
    """(z, y) rows of shape (1, m), labels -1/+1, with some samples exactly at the kink y z = 1."""
    calls = []
    for m in (8, 11):
        y = rng.choice([-1.0, 1.0], size=(1, m))
        z = rng.normal(0, 1.5, (1, m))
        z[0, :3] = y[0, :3]  # y z = 1: the kink
        calls.append((z, y))
    return calls


def two_clouds(rng, m, spread=1.0):
    """Two clouds in the plane, samples as rows (chapter 9's kind of data), labels 0/1."""
    X = np.vstack([rng.normal([-1.0, -1.0], spread, (m // 2, 2)), rng.normal([1.5, 1.0], spread, (m - m // 2, 2))])
    return X, np.repeat([0.0, 1.0], [m // 2, m - m // 2])


def svm_calls(rng):
    """(X (2, m) samples as columns, y (1, m) in -1/+1, lambda, learning rate, steps) for subgradient descent."""
    calls = []
    for m, l2 in ((40, 1.0), (60, float(rng.uniform(0.5, 3)))):
        X, labels = two_clouds(rng, m)
        calls.append((X.T.copy(), (2 * labels - 1).reshape(1, m), l2, 0.1, 3000))
    return calls


def logistic_calls(rng):
    """(w (1, n), b, X (n, m) samples as columns, y (1, m) 0/1, lambda)."""
    calls = []
    for n, m, l2 in ((2, 10, 1.0), (3, 7, float(rng.uniform(0.1, 3))), (2, 12, 0.0)):
        calls.append((rng.normal(0, 1, (1, n)), float(rng.normal()), rng.normal(0, 1.5, (n, m)),
                      (rng.uniform(size=(1, m)) > 0.5).astype(float), l2))
    return calls


# ---------------------------------------------------------------------------------------------- set 06
def _spins(rng, shape):
    return rng.choice(np.array([-1, 1]), size=shape)


def flip_calls(rng):
    """Ising lattices (L, L) of +-1: chapter 10's all-up start first, then random ones and a 2 x 2 lattice."""
    return [(np.ones((4, 4), dtype=int),), (_spins(rng, (5, 5)),), (_spins(rng, (2, 2)),), (_spins(rng, (6, 6)),)]


def acceptance_calls(rng):
    """(dE, T): each dE array holds values and their negatives, [d, -d]; chapter 10's 0, 4, 8 at T = 2.269 first."""
    calls = []
    for d, T in ((np.array([0.0, 4.0, 8.0]), 2.269), (rng.uniform(0.5, 12, 5), float(rng.uniform(0.8, 4))),
                 (rng.choice([4.0, 8.0], 4) * rng.choice([-1, 1], 4), float(rng.uniform(1.5, 3)))):
        calls.append((np.concatenate([d, -d]), T))
    return calls


def transition_calls(rng):
    """(L, T) for the exact single-flip Metropolis matrix: a 2 x 2 lattice near Tc, then random temperatures."""
    return [(2, 2.269), (2, float(rng.uniform(0.8, 1.6))), (2, float(rng.uniform(3, 6)))]


def observable_calls(rng):
    """Batches (n, L, L) of configurations: ordered, random, and a mixture."""
    ordered = np.ones((3, 6, 6), dtype=int)
    ordered[1] *= -1
    ordered[2, 0, :3] = -1
    return [(ordered,), (_spins(rng, (5, 4, 4)),), (_spins(rng, (4, 7, 7)),)]


def ar1_series(rng, phi, n):
    """An AR(1) series x_t = phi x_{t-1} + noise, standing in for a chain's observable: tau_int = (1+phi)/(2(1-phi))."""
    noise = rng.normal(size=n)
    x = np.empty(n)
    x[0] = noise[0] / np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    return x


def series_calls(rng):
    """Correlated series (the |m| of a chain, stood in for by AR(1) series) of different autocorrelation times."""
    return [(ar1_series(rng, phi, n),) for phi, n in ((0.9, 4000), (float(rng.uniform(0.3, 0.8)), 3000),
                                                       (float(rng.uniform(0.85, 0.95)), 5000))]


def magnetisation_calls(rng):
    """Magnetisations (n_T, n_samples): ordered (+-m0), Gaussian (disordered) and mixed rows."""
    calls = []
    for n_samples in (200, 150):
        m0 = rng.uniform(0.6, 0.95)
        ordered = m0 * rng.choice([-1.0, 1.0], n_samples) + rng.normal(0, 0.02, n_samples)
        disordered = rng.normal(0, 0.1, n_samples)
        mixed = np.clip(rng.normal(0, 0.4, n_samples), -1, 1)
        calls.append((np.vstack([ordered, mixed, disordered]),))
    return calls


def crossing_calls(rng):
    """(T, y_small, y_large): two output curves of different steepness on a grid, crossing once between grid points."""
    calls = []
    for n, width in ((30, 0.25), (int(rng.integers(15, 40)), float(rng.uniform(0.15, 0.4)))):
        T = np.sort(rng.uniform(1.8, 2.8, n))
        centre = float(rng.uniform(2.2, 2.35))
        small = 1 / (1 + np.exp(-(T - centre) / width))
        large = 1 / (1 + np.exp(-(T - centre) / (width / 2)))
        calls.append((T, small, large))
    return calls


def confusion_calls(rng):
    """(predicted, labels), 0/1: a threshold's predictions against trial labels, the labels unbalanced."""
    calls = []
    for n, share in ((100, 0.8), (int(rng.integers(40, 120)), float(rng.uniform(0.1, 0.3))),
                     (int(rng.integers(40, 120)), 0.5)):
        labels = (rng.uniform(size=n) < share).astype(float)
        labels[:2] = (0.0, 1.0)
        predicted = np.where(rng.uniform(size=n) < 0.8, labels, 1 - labels)
        calls.append((predicted, labels))
    return calls


def block_calls(rng):
    """(spins (n, L, L), b): blocks of odd side b, so that the majority never ties."""
    return [(_spins(rng, (2, 9, 9)), 3), (_spins(rng, (3, 15, 15)), 5), (_spins(rng, (1, 15, 15)), 3)]


def softplus_graph_calls(rng):
    """(X, W1, b1, w2): random graphs L = mean(softplus(w2 @ softplus(W1 @ X + b1))) of different shapes."""
    calls = []
    for n_in, n_hidden, m in ((2, 3, 4), (3, 5, 7), (4, 2, 1)):
        calls.append((rng.normal(0, 1.5, (n_in, m)), rng.normal(0, 1, (n_hidden, n_in)),
                      rng.normal(0, 0.5, (n_hidden, 1)), rng.normal(0, 1, (1, n_hidden))))
    return calls


def jvp_calls(rng):
    """(W, b, x, v): the layer f(x) = tanh(W x + b) + (x . x), a point x and a direction v."""
    calls = []
    for n, k in ((3, 2), (4, 4), (2, 5)):
        calls.append((rng.normal(0, 1, (k, n)), rng.normal(0, 0.5, (k, 1)), rng.normal(0, 1, (n, 1)),
                      rng.normal(0, 1, (n, 1))))
    return calls


def shape_calls(rng):
    """A list of Jacobian shapes (n_outputs, n_inputs): a loss of 17 parameters (one output) first, then random ones."""
    shapes = [(1, 17), (int(rng.integers(2, 30)), 1), (int(rng.integers(2, 9)), int(rng.integers(2, 9))),
              (int(rng.integers(10, 40)), int(rng.integers(2, 6)))]
    return [(np.array(shapes),)]


def matmul_calls(rng):
    """(A, B, G): C = A @ B and the incoming gradient G = dL/dC, non-square shapes."""
    calls = []
    for n, k, p in ((2, 3, 4), (5, 2, 3), (1, 4, 2)):
        calls.append((rng.normal(size=(n, k)), rng.normal(size=(k, p)), rng.normal(size=(n, p))))
    return calls
