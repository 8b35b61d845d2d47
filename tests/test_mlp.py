"""The MLP kernel: its hand-written backward pass against central differences on random architectures, its
training loop, its stability at extreme inputs and the errors it gives for bad input."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from backprop.gradcheck import numerical_gradient, relative_error
from backprop.mlp import (
    MLP,
    NotFittedError,
    StepBuffers,
    backward,
    backward_errors,
    batch_loss,
    clip_by_norm,
    forward,
    init_parameters,
    train_step,
)


def flatten(arrays):
    return np.concatenate([a.ravel() for a in arrays])


def unflatten(vector, like):
    out, start = [], 0
    for a in like:
        out.append(vector[start:start + a.size].reshape(a.shape))
        start += a.size
    return out


def numerical_mlp_gradient(weights, biases, X, Y, activation, loss, l2):
    """Central differences of the batch loss with respect to every weight and bias."""
    n_w = len(weights)

    def loss_of(vector):
        params = unflatten(vector, weights + biases)
        Z, _ = forward(params[:n_w], params[n_w:], X, activation)
        return batch_loss(params[:n_w], Z[-1], Y, loss, l2)

    return numerical_gradient(loss_of, flatten(weights + biases))


def random_problem(seed):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(0, 4))
    sizes = (int(rng.integers(1, 5)), *rng.integers(1, 6, size=depth).tolist(), int(rng.integers(1, 3)))
    m = int(rng.integers(1, 8))
    X = rng.standard_normal((sizes[0], m))
    return rng, sizes, X, m


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mean_squared_error"])
def test_backward_matches_central_differences_on_random_architectures(seed, activation, loss):
    rng, sizes, X, m = random_problem(seed)
    if loss == "binary_cross_entropy":
        sizes = (*sizes[:-1], 1)
        Y = rng.integers(0, 2, size=(1, m)).astype(float)
    else:
        Y = rng.standard_normal((sizes[-1], m))
    weights, biases = init_parameters(sizes, "xavier", rng=rng)
    for b in biases:  # non-zero biases, so their gradients are tested away from the initial point
        b += rng.standard_normal(b.shape) * 0.3
    l2 = float(rng.choice([0.0, 0.7]))
    Z, A = forward(weights, biases, X, activation)
    dW, db = backward(weights, Z, A, Y, activation, loss, l2)
    numeric = numerical_mlp_gradient(weights, biases, X, Y, activation, loss, l2)
    assert relative_error(flatten(dW + db), numeric) < 1e-6, (sizes, m)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("weight_scale", [1.0, 300.0])  # 300: most hidden units saturate (sigmoid' and tanh' ~ 0)
def test_slopes_from_the_stored_activations_give_the_same_errors(seed, activation, weight_scale):
    """backward_errors with the forward pass's A (slopes a(1-a), 1-a^2, [a>0]) equals the recursion with g'(Z)."""
    rng, sizes, X, m = random_problem(seed)
    sizes = (sizes[0], *rng.integers(1, 6, size=2).tolist(), 1)  # at least two hidden layers
    Y = rng.integers(0, 2, size=(1, m)).astype(float)
    weights, biases = init_parameters(sizes, "xavier", init_scale=weight_scale, rng=rng)
    Z, A = forward(weights, biases, X, activation)
    from_z = backward_errors(weights, Z, Y, activation, "binary_cross_entropy")
    from_a = backward_errors(weights, Z, Y, activation, "binary_cross_entropy", A)
    for delta_z, delta_a in zip(from_z, from_a, strict=True):
        np.testing.assert_array_equal(delta_a, delta_z)


def test_gradient_check_catches_a_wrong_backward_pass():
    """The same comparison fails for a backward pass that forgets the activation's derivative in one layer."""
    rng = np.random.default_rng(3)
    sizes, m = (3, 4, 1), 5
    X, Y = rng.standard_normal((3, m)), rng.integers(0, 2, size=(1, m)).astype(float)
    weights, biases = init_parameters(sizes, rng=rng)
    Z, A = forward(weights, biases, X, "tanh")
    delta = (1 / (1 + np.exp(-Z[1])) - Y) / m
    wrong_dW = [(weights[1].T @ delta) @ X.T, delta @ A[1].T]  # the hidden error lacks the factor g'(Z1)
    wrong_db = [(weights[1].T @ delta).sum(axis=1, keepdims=True), delta.sum(axis=1, keepdims=True)]
    numeric = numerical_mlp_gradient(weights, biases, X, Y, "tanh", "binary_cross_entropy", 0.0)
    assert relative_error(flatten(wrong_dW + wrong_db), numeric) > 1e-2


def test_the_source_worked_network_by_hand():
    """One sigmoid hidden layer and a sigmoid output, one sample: the formulas of seed 001 written out."""
    W1, b1 = np.array([[0.5, 0.3], [0.2, 0.8]]), np.array([[0.1], [0.4]])
    W2, b2 = np.array([[0.9, 0.7]]), np.array([[0.2]])
    x, y = np.array([[1.0], [2.0]]), np.array([[1.0]])
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    a1 = sig(W1 @ x + b1)
    a2 = sig(W2 @ a1 + b2)
    dz2 = a2 - y
    dz1 = (W2.T @ dz2) * a1 * (1 - a1)
    Z, A = forward([W1, W2], [b1, b2], x, "sigmoid")
    dW, db = backward([W1, W2], Z, A, y, "sigmoid", "binary_cross_entropy")
    np.testing.assert_allclose(dW[1], dz2 @ a1.T, rtol=1e-12)
    np.testing.assert_allclose(dW[0], dz1 @ x.T, rtol=1e-12)
    np.testing.assert_allclose(db[0], dz1, rtol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("loss, n_outputs", [("binary_cross_entropy", 1), ("mean_squared_error", 2)])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_a_stack_of_networks_computes_what_each_network_computes_alone(activation, loss, n_outputs, l2):
    """Four networks stacked on a leading axis: the same losses and gradients as four separate calls, to the bit."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 50))
    Y = (rng.random((n_outputs, 50)) < 0.5).astype(float) if loss == "binary_cross_entropy" else \
        rng.standard_normal((n_outputs, 50))
    networks = []
    for seed in range(4):
        weights, biases = init_parameters((3, 5, 4, n_outputs), "xavier", rng=seed)
        networks.append((weights, [rng.standard_normal(b.shape) for b in biases]))  # non-zero biases
    stacked_weights = [np.stack([weights[layer] for weights, _ in networks]) for layer in range(3)]
    stacked_biases = [np.stack([biases[layer] for _, biases in networks]) for layer in range(3)]
    Z, A = forward(stacked_weights, stacked_biases, X, activation)
    losses = batch_loss(stacked_weights, Z[-1], Y, loss, l2)
    dW, db = backward(stacked_weights, Z, A, Y, activation, loss, l2)
    assert losses.shape == (4,)
    for k, (weights, biases) in enumerate(networks):
        z, a = forward(weights, biases, X, activation)
        gradients_alone = backward(weights, z, a, Y, activation, loss, l2)
        assert losses[k] == batch_loss(weights, z[-1], Y, loss, l2)
        for stacked, alone in zip(dW + db, gradients_alone[0] + gradients_alone[1], strict=True):
            assert np.array_equal(stacked[k], alone)
    # the comparison can fail: network 1's gradients are not network 0's
    z_0, a_0 = forward(*networks[0], X, activation)
    assert not np.array_equal(dW[0][1], backward(networks[0][0], z_0, a_0, Y, activation, loss, l2)[0][0])


def test_initialisers_have_the_stated_spread_and_are_seeded():
    w_xavier, _ = init_parameters((400, 600), "xavier", rng=0)
    w_he, _ = init_parameters((400, 600), "he", rng=0)
    w_normal, b = init_parameters((400, 600), "normal", init_scale=0.01, rng=0)
    assert abs(w_xavier[0].std() / np.sqrt(2 / 1000) - 1) < 0.02
    assert abs(w_he[0].std() / np.sqrt(2 / 400) - 1) < 0.02
    assert abs(w_normal[0].std() / 0.01 - 1) < 0.02 and not b[0].any()
    np.testing.assert_array_equal(init_parameters((3, 2), rng=5)[0][0], init_parameters((3, 2), rng=5)[0][0])
    with pytest.raises(ValueError, match="needs init_scale"):
        init_parameters((3, 2), "normal")
    with pytest.raises(ValueError, match="init must be one of"):
        init_parameters((3, 2), "glorot")


def test_clip_by_norm_caps_the_joint_norm_and_keeps_the_direction():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, norm = clip_by_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert np.sqrt(sum(np.sum(g**2) for g in clipped)) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped[0], [0.6, 0.0])
    unchanged, _ = clip_by_norm(grads, 10.0)
    assert unchanged[0] is grads[0]


def test_train_step_updates_in_place_and_lowers_the_loss():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((2, 30)), rng.integers(0, 2, size=(1, 30)).astype(float)
    weights, biases = init_parameters((2, 5, 1), rng=rng)
    before = [w.copy() for w in weights]
    first, weight_norms, error_norms = train_step(weights, biases, X, Y, "tanh", "binary_cross_entropy", 0.5)
    second, _, _ = train_step(weights, biases, X, Y, "tanh", "binary_cross_entropy", 0.5)
    assert not np.allclose(before[0], weights[0]) and second < first
    assert len(weight_norms) == len(error_norms) == 2 and min(weight_norms + error_norms) > 0


@pytest.mark.parametrize("activation", ["identity", "sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("l2, clip_norm", [(0.0, None), (0.2, 0.05)])
def test_steps_with_buffers_are_steps_without_them_to_the_bit(activation, l2, clip_norm):
    """Ten steps that reuse one StepBuffers give the parameters, losses and norms of ten steps that allocate."""
    rng = np.random.default_rng(2)
    X, Y = rng.standard_normal((3, 40)), rng.integers(0, 2, size=(1, 40)).astype(float)
    start = init_parameters((3, 6, 5, 1), rng=rng)
    runs = []
    for buffers in (None, StepBuffers((3, 6, 5, 1), 40)):
        weights, biases = [w.copy() for w in start[0]], [b.copy() for b in start[1]]
        record = [train_step(weights, biases, X, Y, activation, "binary_cross_entropy", 0.3, l2, clip_norm, buffers)
                  for _ in range(10)]
        runs.append((weights + biases, record))
    (allocating, record_allocating), (buffered, record_buffered) = runs
    assert record_allocating == record_buffered
    assert all(np.array_equal(a, b) for a, b in zip(allocating, buffered, strict=True))
    assert not np.array_equal(allocating[0], start[0][0])  # the steps did move the weights


@pytest.mark.parametrize("batch_size", [None, 7])
def test_fit_with_buffers_is_the_loop_of_allocating_steps(moons, batch_size):
    """MLP.fit reuses buffers for every batch of full size; a loop of train_step without them gives its weights."""
    X, y = moons[0][:50], moons[2][:50]  # 50 training samples
    model = MLP(hidden_sizes=(8,), activation="tanh", learning_rate=0.5, n_epochs=5, batch_size=batch_size,
                shuffle=False, random_state=3).fit(X, y)
    weights, biases = init_parameters((2, 8, 1), "xavier", rng=np.random.default_rng(3))
    batch = batch_size or 50
    for _ in range(5):
        for start in range(0, 50, batch):  # the last batch of 7 has 1 sample: it allocates
            rows = slice(start, start + batch)
            train_step(weights, biases, X[rows].T, y[rows].reshape(1, -1).astype(float), "tanh",
                       "binary_cross_entropy", 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(model.weights_ + model.biases_, weights + biases, strict=True))


def test_backward_can_return_the_errors_of_every_layer():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((3, 6)), rng.integers(0, 2, size=(1, 6)).astype(float)
    weights, biases = init_parameters((3, 5, 4, 1), rng=rng)
    Z, A = forward(weights, biases, X, "tanh")
    dW, db, deltas = backward(weights, Z, A, Y, "tanh", "binary_cross_entropy", return_errors=True)
    assert [d.shape for d in deltas] == [(5, 6), (4, 6), (1, 6)]
    for delta, a, gradient in zip(deltas, A, dW, strict=True):
        np.testing.assert_allclose(delta @ a.T, gradient)
    np.testing.assert_allclose(deltas[1], (weights[2].T @ deltas[2]) * (1 - np.tanh(Z[1]) ** 2))


def test_a_diverging_run_is_reported_not_raised():
    """Outputs that overflow stop training with diverged_ set, instead of an error from deep inside the loss."""
    X, y = make_moons(n_samples=200, noise=0.2, random_state=42)
    model = MLP(hidden_sizes=(32,) * 10, activation="relu", init="he", learning_rate=1.0, n_epochs=50).fit(X, y)
    assert model.diverged_ and len(model.loss_curve_) < 50
    assert np.all(np.isfinite(model.loss_curve_))
    assert model.gradient_norms_.shape == model.error_norms_.shape == (len(model.loss_curve_), 11)


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(n_samples=200, noise=0.2, random_state=42)
    return train_test_split(X, y, test_size=0.3, random_state=42)


def test_fit_learns_the_moons_and_reproduces_itself(moons):
    X_train, X_test, y_train, y_test = moons
    model = MLP(hidden_sizes=(4,), learning_rate=1.0, n_epochs=3000, random_state=0).fit(X_train, y_train)
    again = MLP(hidden_sizes=(4,), learning_rate=1.0, n_epochs=3000, random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.9
    assert model.loss_curve_ == again.loss_curve_ and len(model.loss_curve_) == 3000
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]
    proba = model.predict_proba(X_test)
    assert proba.shape == (60,) and np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(model.predict(X_test), (proba > 0.5).astype(int))
    assert model.gradient_norms_.shape == (3000, 2)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_stochastic_and_mini_batch_training_do_not_touch_the_callers_data(moons, batch_size):
    X_train, _, y_train, _ = moons
    X_copy, y_copy = X_train.copy(), y_train.copy()
    model = MLP(hidden_sizes=(8,), activation="tanh", batch_size=batch_size, n_epochs=30, learning_rate=0.1,
                random_state=1).fit(X_train, y_train)
    np.testing.assert_array_equal(X_train, X_copy)
    np.testing.assert_array_equal(y_train, y_copy)
    assert model.score(X_train, y_train) > 0.8 and len(model.loss_curve_) == 30


def test_l2_shrinks_the_weights(moons):
    X_train, _, y_train, _ = moons
    plain = MLP(hidden_sizes=(20,), n_epochs=500, learning_rate=1.0).fit(X_train, y_train)
    shrunk = MLP(hidden_sizes=(20,), n_epochs=500, learning_rate=1.0, l2=5.0).fit(X_train, y_train)
    assert np.linalg.norm(shrunk.weights_[0]) < 0.8 * np.linalg.norm(plain.weights_[0])


def test_regression_with_mean_squared_error_fits_a_sine():
    X = np.linspace(-np.pi, np.pi, 100).reshape(-1, 1)
    y = np.sin(X[:, 0])
    model = MLP(hidden_sizes=(16,), activation="tanh", loss="mean_squared_error", learning_rate=0.1,
                n_epochs=3000, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.98 and model.predict(X).shape == (100,)
    two = MLP(hidden_sizes=(8,), activation="tanh", loss="mean_squared_error", n_epochs=10).fit(X, np.c_[y, -y])
    assert two.predict(X).shape == (100, 2)
    with pytest.raises(ValueError, match="predict_proba needs a classifier"):
        model.predict_proba(X)


def test_a_network_without_hidden_layers_is_logistic_regression(moons):
    X_train, _, y_train, _ = moons
    model = MLP(hidden_sizes=(), n_epochs=200, learning_rate=1.0).fit(X_train, y_train)
    assert len(model.weights_) == 1 and model.weights_[0].shape == (1, 2)
    assert model.hidden_activations(X_train) == []


def test_clipping_stops_a_run_that_otherwise_diverges():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)) * 10
    y = X @ np.array([1.0, -2.0, 0.5])
    settings = dict(hidden_sizes=(16, 16), activation="relu", loss="mean_squared_error", learning_rate=0.05,
                    n_epochs=200, init="he", random_state=0)
    wild = MLP(**settings).fit(X, y)
    tame = MLP(**settings, clip_norm=1.0).fit(X, y)
    assert wild.diverged_ and not tame.diverged_
    assert tame.loss_curve_[-1] < tame.loss_curve_[0]


def test_extreme_logits_give_finite_losses_and_no_warnings():
    weights, biases = [np.array([[1.0]])], [np.array([[0.0]])]
    X = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]])
    Y = np.array([[1.0, 1.0, 0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
            Z, A = forward(weights, biases, X, "sigmoid")
            value = batch_loss(weights, Z[-1], Y, "binary_cross_entropy")
            dW, db = backward(weights, Z, A, Y, "sigmoid", "binary_cross_entropy")
    assert np.isfinite(value) and value == pytest.approx((1e4 + 50 + np.log(2) + 50 + 1e4) / 5)
    assert np.all(np.isfinite(dW[0])) and np.all(np.isfinite(db[0]))


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros(10), np.zeros(10), "must be 2-D"),
        (np.zeros((10, 2)), np.zeros(9), "one target per sample"),
        (np.zeros((10, 2)), np.full(10, 2), "binary labels 0 or 1"),
        (np.array([[0.0, np.nan]] * 4), np.zeros(4), "NaN or infinity"),
        (np.zeros((10, 2)), np.full(10, np.inf), "NaN or infinity"),
        ([["a", "b"]], [0], "cannot turn into numbers"),
    ],
)
def test_bad_training_data_is_refused_with_a_fix(X, y, message):
    with pytest.raises(ValueError, match=message):
        MLP().fit(X, y)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"hidden_sizes": 4}, "hidden_sizes must be a tuple"),
        ({"hidden_sizes": (4, 0)}, "hidden_sizes must be a tuple"),
        ({"activation": "softplus"}, "activation must be one of"),
        ({"loss": "hinge"}, "loss must be one of"),
        ({"learning_rate": 0}, "learning_rate must be a finite number > 0"),
        ({"batch_size": 0}, "batch_size must be a whole number"),
        ({"l2": -1.0}, "l2 must be a finite number >= 0"),
    ],
)
def test_bad_hyperparameters_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        MLP(**settings).fit(np.zeros((4, 2)), np.array([0, 1, 0, 1]))


def test_unfitted_model_and_wrong_width_are_refused(moons):
    X_train, _, y_train, _ = moons
    with pytest.raises(NotFittedError, match="not fitted yet"):
        MLP().predict(X_train)
    model = MLP(n_epochs=5).fit(X_train, y_train)
    with pytest.raises(ValueError, match="fitted with 2"):
        model.predict(np.zeros((3, 5)))
