"""Forward mode (dual numbers): every operation's tangent against central differences and against reverse mode, the
book's networks through the same forward code as reverse mode, jvp / forward_gradient / jacobian, pass counts, bad
input, and a wrong tangent rule caught."""

import numpy as np
import pytest
from book_examples import BOOK_EXAMPLES

from backprop import mlp
from backprop.autodiff import Tensor
from backprop.autodiff.forward import Dual, forward_gradient, jacobian, jvp
from backprop.autodiff.networks import (
    mlp_loss,
    small_network_forward_gradients,
    small_network_gradients,
    small_network_output,
)
from backprop.gradcheck import numerical_gradients
from backprop.small_networks import NETWORKS, backward

SHAPE = (3, 4)
# Functions of one array x (shape (3, 4), entries in [-2, 2]) written only with operations Dual and Tensor share.
UNARY = {
    "tanh": lambda t: t.tanh(), "sigmoid": lambda t: t.sigmoid(), "softplus": lambda t: t.softplus(),
    "relu": lambda t: t.relu(), "neg": lambda t: -t, "exp": lambda t: t.tanh().exp(),
    "log": lambda t: (t * t + 1.0).log(), "square": lambda t: t ** 2, "cube of tanh": lambda t: t.tanh() ** 3,
    "sqrt": lambda t: (t * t + 0.5) ** 0.5, "rsub": lambda t: 2.0 - t, "rdiv": lambda t: 1.0 / (t * t + 1.0),
    "sum axis 0": lambda t: t.sum(axis=0, keepdims=True) * t, "mean axis 1": lambda t: t.mean(axis=1),
    "sum": lambda t: t.sum(), "mean": lambda t: t.mean(), "transpose": lambda t: t.T.tanh(),
    "reshape": lambda t: t.reshape(4, 3).sigmoid(),
    "matmul": lambda t: t @ np.linspace(-1, 1, 20).reshape(4, 5), "rmatmul": lambda t: np.eye(3)[:2] @ t,
    "self matmul": lambda t: t @ t.T, "product": lambda t: t * t.sigmoid(), "quotient": lambda t: t / (t * t + 2.0),
    "broadcast add": lambda t: t + np.arange(4.0), "mixed": lambda t: (np.full(SHAPE, 0.5) * t - t.tanh()).sum(),
}


def direction(seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-2, 2, SHAPE), rng.normal(size=SHAPE)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_every_operation_agrees_with_central_differences_and_reverse_mode(name):
    f = UNARY[name]
    for seed in range(3):
        x, v = direction(seed)
        value, tangent = jvp(f, [x], [v])
        h = 1e-5
        central = (f(Dual(x + h * v)).value - f(Dual(x - h * v)).value) / (2 * h)
        np.testing.assert_allclose(tangent, central, rtol=1e-6, atol=1e-8)
        # reverse mode: J v is the gradient of (seed . f) along v for every seed; take the seeds e_i
        x_t = Tensor(x)
        out = f(x_t)
        np.testing.assert_allclose(value, out.data, rtol=1e-15, atol=0)
        for index in np.ndindex(out.shape):
            x_t.zero_grad()
            seed_array = np.zeros(out.shape)
            seed_array[index] = 1.0
            out.backward(seed_array)
            assert tangent[index] == pytest.approx(float(np.sum(x_t.grad * v)), rel=1e-12, abs=1e-14)


def test_dual_numbers_on_a_hand_example():
    a = Dual(3.0, 1.0)            # x = 3, moving: dx = 1
    y = a * a + 2.0 * a           # y = x^2 + 2x, y' = 2x + 2 = 8
    assert y.item() == 15.0 and float(y.tangent) == 8.0
    q = 1.0 / a                   # (1/x)' = -1/x^2
    assert float(q.tangent) == pytest.approx(-1 / 9)
    s = Dual(0.0, 1.0).sigmoid()  # sigma'(0) = 1/4
    assert float(s.tangent) == 0.25
    assert float(Dual(2.0).exp().tangent) == 0.0   # a constant's tangent stays zero


def wrong_tanh(t):
    """tanh with a deliberately wrong tangent rule, (1 - tanh) t_dot (the square is missing)."""
    value = np.tanh(t.value)
    return Dual._make(value, (1.0 - value) * t.tangent)


def test_a_wrong_tangent_rule_is_caught():
    x, v = direction(1)
    _, wrong = jvp(lambda t: (wrong_tanh(t) * 2.0).sum(), [x], [v])
    _, right = jvp(lambda t: (t.tanh() * 2.0).sum(), [x], [v])
    h = 1e-5
    central = float((np.tanh(x + h * v) * 2.0).sum() - (np.tanh(x - h * v) * 2.0).sum()) / (2 * h)
    assert float(right) == pytest.approx(central, rel=1e-7)
    assert abs(float(wrong) - central) > 1e-3 * abs(central)


# ---------------------------------------------------------------- the book's networks, through the same forward code


@pytest.mark.parametrize(("name", "params", "x", "y"), BOOK_EXAMPLES)
def test_book_examples_by_forward_mode(name, params, x, y):
    forward_mode = small_network_forward_gradients(name, params, x, y)
    hand, reverse_mode = backward(name, params, x, y), small_network_gradients(name, params, x, y)
    assert list(forward_mode) == list(NETWORKS[name].parameters)
    for key in hand:
        assert forward_mode[key] == pytest.approx(hand[key], rel=1e-12, abs=1e-15)
        assert forward_mode[key] == pytest.approx(reverse_mode[key], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_small_network_output_is_the_same_for_both_kinds_of_number(name):
    rng = np.random.default_rng(11)
    params = {p: float(v) for p, v in zip(NETWORKS[name].parameters, rng.normal(size=8), strict=False)}
    x = rng.normal(size=5)
    with_duals = small_network_output(name, {k: Dual(v) for k, v in params.items()}, Dual(x))
    with_tensors = small_network_output(name, {k: Tensor(v) for k, v in params.items()}, Tensor(x, requires_grad=False))
    np.testing.assert_array_equal(with_duals.value, with_tensors.data)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize(("loss", "l2"), [("binary_cross_entropy", 0.0), ("binary_cross_entropy", 0.5),
                                          ("mean_squared_error", 0.0)])
def test_mlp_gradient_by_forward_mode_agrees_with_the_hand_written_backward_pass(mlp_case, activation, loss, l2):
    weights, biases, X, Y, Z, A, dW, db = mlp_case(activation, loss, l2, m=20)
    k = len(weights)
    calls = []

    def loss_of(*parameters):
        calls.append(1)
        return mlp_loss(list(parameters[:k]), list(parameters[k:]), X, Y, activation, loss, l2)

    gradients = forward_gradient(loss_of, weights + biases)
    assert len(calls) == sum(p.size for p in weights + biases)   # one pass per parameter
    for g, hand in zip(gradients, dW + db, strict=True):
        assert g.shape == hand.shape
        assert np.max(np.abs(g - hand)) <= 1e-10 * max(1.0, np.max(np.abs(hand)))
    value, _ = jvp(loss_of, weights + biases, [np.zeros_like(p) for p in weights + biases])
    assert float(value) == pytest.approx(mlp.batch_loss(weights, Z[-1], Y, loss, l2), rel=1e-12)


def test_jvp_is_the_gradient_dotted_with_the_direction():
    rng = np.random.default_rng(8)
    weights, biases = mlp.init_parameters((2, 6, 1), "xavier", rng=rng)
    X, Y = rng.normal(size=(2, 15)), (rng.random((1, 15)) < 0.5).astype(float)
    v = [rng.normal(size=p.shape) for p in weights + biases]

    def loss_of(W1, W2, b1, b2):
        return mlp_loss([W1, W2], [b1, b2], X, Y)

    _, along_v = jvp(loss_of, weights + biases, v)
    tensors = [Tensor(p) for p in weights + biases]
    loss_of(*tensors).backward()
    assert float(along_v) == pytest.approx(sum(float(np.sum(t.grad * d)) for t, d in zip(tensors, v, strict=True)),
                                           rel=1e-12)
    central = numerical_gradients(lambda *ps: loss_of(*(Dual(p) for p in ps)).item(), weights + biases)
    assert float(along_v) == pytest.approx(sum(float(np.sum(c * d)) for c, d in zip(central, v, strict=True)),
                                           rel=1e-7)


def test_jacobian_of_many_outputs_needs_one_pass_per_input():
    rng = np.random.default_rng(4)
    W, b = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    calls = []

    def units(x):
        calls.append(1)
        return (W @ x + b).tanh().reshape(30)

    x = np.array([[0.2], [-0.4]])
    J = jacobian(units, x)
    assert J.shape == (30, 2, 1) and len(calls) == 2
    expected = (1 - np.tanh(W @ x + b) ** 2) * W      # d tanh(W x + b)_i / d x_j = (1 - tanh^2)_i W_ij
    np.testing.assert_allclose(J.reshape(30, 2), expected, rtol=1e-13, atol=1e-15)


def test_forward_mode_does_not_change_the_callers_arrays():
    weights = [np.ones((2, 2))]
    before = weights[0].copy()
    forward_gradient(lambda W: (W * W).sum(), weights)
    jvp(lambda W: (W * W).sum(), weights, [np.ones((2, 2))])
    np.testing.assert_array_equal(weights[0], before)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("make", "words"), [
    (lambda: Dual(np.ones(3), np.ones(2)), ["shape (3,)", "(2,)"]),
    (lambda: Dual(float("nan")), ["finite"]),
    (lambda: Dual("abc"), ["number"]),
    (lambda: Dual(Dual(1.0)), ["already a Dual"]),
    (lambda: Dual(np.ones((2, 3))) @ Dual(np.ones((2, 3))), ["(2, 3) @ (2, 3)", ".T"]),
    (lambda: Dual(np.ones(3)) @ Dual(np.ones((3, 1))), ["2-D", "reshape"]),
    (lambda: Dual([1.0, 0.0]).log(), ["positive", "softplus"]),
    (lambda: Dual([800.0]).exp(), ["overflow"]),
    (lambda: Dual(2.0) ** Dual(2.0), ["constant", "exp"]),
    (lambda: Dual(-1.0) ** 0.5, ["negative"]),
    (lambda: Dual(0.0) ** 0.5, ["zeros"]),
    (lambda: Dual(1.0) / Dual([1.0, 0.0]), ["zeros"]),
    (lambda: Dual(1.0) + "a", ["str"]),
    (lambda: Dual([1.0, 2.0]).item(), ["shape (2,)"]),
    (lambda: jvp("f", [1.0], [1.0]), ["function"]),
    (lambda: jvp(lambda x: x, 1.0, [1.0]), ["list", "[x]"]),
    (lambda: jvp(lambda x: x, [1.0, 2.0], [1.0]), ["2 primals", "1 tangents"]),
    (lambda: jvp(lambda x: x, [np.ones(2)], [np.ones(3)]), ["tangents[0]", "(2,)", "(3,)"]),
    (lambda: jvp(lambda x: Tensor(1.0), [1.0], [1.0]), ["must return a Dual", "Tensor"]),
    (lambda: forward_gradient(lambda x: x * 2.0, [np.ones(2)]), ["single number", "jacobian"]),
    (lambda: forward_gradient(3.0, [np.ones(2)]), ["function"]),
    (lambda: jacobian(lambda x: x, [1.0, float("inf")]), ["finite"]),
    (lambda: mlp_loss([Dual(np.ones((1, 2)))], [Tensor(np.ones((1, 1)))], np.ones((2, 3)), np.ones((1, 3))),
     ["all Tensors", "all Duals"]),
])
def test_bad_input_raises_a_clear_error(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_a_function_that_ignores_its_input_has_zero_derivative():
    value, tangent = jvp(lambda x: 5.0, [np.ones(2)], [np.ones(2)])
    assert float(value) == 5.0 and float(tangent) == 0.0
