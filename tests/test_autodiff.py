"""The autodiff engine: central differences on random expressions, the hand-derived gradients of the small networks
and of the hand-written MLP, the semantics of backward twice and zero_grad, bad input, and wrong derivatives caught."""

import numpy as np
import pytest
from book_examples import BOOK_EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import mlp
from backprop.autodiff import Tensor, topological_order, unbroadcast, zero_grad
from backprop.autodiff.networks import mlp_loss, small_network_gradients, small_network_loss
from backprop.gradcheck import numerical_gradients
from backprop.small_networks import NETWORKS, backward, loss
from backprop.symbolic import symbolic_gradients

SHAPE = (3, 4)
BROADCAST_SHAPES = [(3, 4), (1, 4), (3, 1), (4,), ()]


# ---------------------------------------------------------------- random expressions against central differences
def wrong_tanh(t):
    """tanh with a deliberately wrong local derivative, 1 - tanh (the square is missing)."""
    value = np.tanh(t.data)
    return Tensor.from_operation(value, (t,), (lambda g: g * (1.0 - value),), "wrong tanh")


def wrong_matmul(a, b):
    """a @ b with the gradient for b transposed: (a.T @ g).T instead of a.T @ g (b is the square M here)."""
    return Tensor.from_operation(a.data @ b.data, (a, b), (lambda g: g @ b.data.T, lambda g: g.T @ a.data), "wrong @")


UNARY = [
    lambda t: t.tanh(), lambda t: t.sigmoid(), lambda t: t.softplus(), lambda t: -t, lambda t: t.relu(),
    lambda t: t.tanh().exp(), lambda t: (t * t + 1.0).log(), lambda t: t ** 2, lambda t: t.tanh() ** 3,
    lambda t: (t * t + 0.5) ** 0.5, lambda t: 2.0 - t, lambda t: 1.0 / (t * t + 1.0),
    # reductions along an axis apply to 2-D nodes; a node that lost its axes is summed whole
    lambda t: t.sum(axis=0, keepdims=True) if t.ndim == 2 else t.sum(),
    lambda t: t.mean(axis=1, keepdims=True) if t.ndim == 2 else t.mean(),
    lambda t: t.sum(axis=0) if t.ndim == 2 else t.mean(),
]
BINARY = [
    lambda s, t: s + t, lambda s, t: s - t, lambda s, t: s * t, lambda s, t: s / (t * t + 1.0),
    lambda s, t: np.full(SHAPE, 0.5) * s + t,
]


def build(program, a, b, M, C, tanh=Tensor.tanh, matmul=Tensor.__matmul__):
    """Run ``program`` (a list of (kind, op, i, j)) on the pool [a, b]; return a weighted sum of every new node, so
    that every operation of the program reaches the output (a number)."""
    pool = [a, b]
    for kind, op, i, j in program:
        s, t = pool[i % len(pool)], pool[j % len(pool)]
        if kind == 0:
            pool.append(UNARY[op % len(UNARY)](s))
        elif kind == 1:
            pool.append(BINARY[op % len(BINARY)](s, t))
        elif kind == 2:
            pool.append(tanh(s))
        else:  # matmul on the full shape (3, 4) @ (4, 4), and its transposed twin
            full = s + np.zeros(SHAPE)
            pool.append(matmul(full, M) if op % 2 else matmul(M.T, full.T).T)
    out = (pool[-1] * C).sum()
    for k, node in enumerate(pool[2:-1]):
        out = out + (node * C).mean() * (k + 1.0)
    return out


def random_program(seed: int, length: int) -> list:
    """A program of ``length`` operations, each drawn uniformly (so every operation is exercised equally)."""
    rng = np.random.default_rng(seed)
    return [(int(rng.integers(4)), int(rng.integers(60)), int(rng.integers(60)), int(rng.integers(60)))
            for _ in range(length)]


def engine_and_numerical(program, seed, b_shape, **ops):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-2, 2, SHAPE), rng.uniform(-2, 2, b_shape), rng.uniform(-1, 1, (4, 4))]
    C = rng.uniform(-1, 1, SHAPE)
    leaves = [Tensor(a) for a in arrays]
    out = build(program, *leaves, C, **ops)
    out.backward()
    numerical = numerical_gradients(lambda a, b, M: build(program, Tensor(a), Tensor(b), Tensor(M), C, **ops).item(),
                                    arrays)
    return [leaf.grad for leaf in leaves], numerical


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.sampled_from(BROADCAST_SHAPES))
def test_random_expressions_match_central_differences(seed, length, b_shape):
    engine, numerical = engine_and_numerical(random_program(seed, length), seed, b_shape)
    for g, n in zip(engine, numerical, strict=True):
        assert g.shape == n.shape
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("program", [[(0, k, 0, 0)] for k in range(len(UNARY))] + [[(0, k, 1, 1)] for k in
                                     range(len(UNARY))] + [[(1, k, i, 1 - i)] for k in range(len(BINARY))
                                                           for i in (0, 1)] + [[(2, 0, 1, 0)], [(3, 0, 1, 0)],
                                                                               [(3, 1, 1, 0)]])
def test_every_operation_matches_central_differences(program):
    for seed, b_shape in enumerate(BROADCAST_SHAPES):
        engine, numerical = engine_and_numerical(program, seed, b_shape)
        for g, n in zip(engine, numerical, strict=True):
            np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("wrong", [{"tanh": wrong_tanh}, {"matmul": wrong_matmul}], ids=["tanh", "matmul"])
def test_a_wrong_local_derivative_is_caught(wrong):
    """Negative check: with one wrong VJP the central-difference comparison fails on every program that uses it."""
    kind = 2 if "tanh" in wrong else 3
    caught = 0
    for seed in range(5):
        program = [(kind, 1, seed, 1), (1, 2, 2, 0)]
        engine, numerical = engine_and_numerical(program, seed, (3, 4), **wrong)
        caught += not all(np.allclose(g, n, rtol=1e-6, atol=1e-8) for g, n in zip(engine, numerical, strict=True))
        good_engine, _ = engine_and_numerical(program, seed, (3, 4))
        assert all(np.allclose(g, n, rtol=1e-6, atol=1e-8) for g, n in zip(good_engine, numerical, strict=True))
    assert caught == 5


def test_unbroadcast_sums_over_broadcast_axes():
    g = np.arange(12.0).reshape(3, 4)
    assert unbroadcast(g, (1, 4)).tolist() == [g.sum(axis=0).tolist()]
    assert unbroadcast(g, (3, 1)).ravel().tolist() == g.sum(axis=1).tolist()
    assert unbroadcast(g, ()).item() == g.sum()
    assert unbroadcast(g, (4,)).tolist() == g.sum(axis=0).tolist()


# ---------------------------------------------------------------- the book's hand-derived gradients


@pytest.mark.parametrize(("name", "params", "x", "y"), BOOK_EXAMPLES)
def test_book_examples_agree_with_hand_derived_and_sympy(name, params, x, y):
    auto = small_network_gradients(name, params, x, y)
    hand = backward(name, params, x, y)
    exact = symbolic_gradients(name, params, x, y)
    assert list(auto) == list(NETWORKS[name].parameters)
    for key in hand:
        assert auto[key] == pytest.approx(hand[key], rel=1e-12, abs=1e-15)
        assert auto[key] == pytest.approx(exact[key], rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_small_networks_at_random_points(name):
    rng = np.random.default_rng(7)
    for _ in range(5):
        params = {p: float(v) for p, v in zip(NETWORKS[name].parameters, rng.normal(size=8), strict=False)}
        x, y = rng.normal(size=4), rng.uniform(size=4)
        auto, hand = small_network_gradients(name, params, x, y), backward(name, params, x, y)
        np.testing.assert_allclose(list(auto.values()), list(hand.values()), rtol=1e-12, atol=1e-15)
        L, _ = small_network_loss(name, params, x, y)
        assert L.item() == pytest.approx(loss(name, params, x, y), rel=1e-14)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize(("loss", "l2"), [("binary_cross_entropy", 0.0), ("binary_cross_entropy", 0.5),
                                          ("mean_squared_error", 0.0)])
def test_mlp_gradients_agree_with_the_hand_written_backward_pass(mlp_case, activation, loss, l2):
    weights, biases, X, Y, Z, A, dW, db = mlp_case(activation, loss, l2, m=40)
    W_t, b_t = [Tensor(W) for W in weights], [Tensor(b) for b in biases]
    L = mlp_loss(W_t, b_t, X, Y, activation, loss, l2)
    L.backward()
    assert L.item() == pytest.approx(mlp.batch_loss(weights, Z[-1], Y, loss, l2), rel=1e-12)
    for t, g in zip(W_t + b_t, dW + db, strict=True):
        assert np.max(np.abs(t.grad - g)) <= 1e-10 * max(1.0, np.max(np.abs(g)))


def test_mlp_class_gradients_and_a_wrong_one_is_caught():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 2)), (rng.random(30) < 0.5).astype(int)
    model = mlp.MLP(hidden_sizes=(4,), n_epochs=3).fit(X, y)
    value, dW, db = model.loss_and_gradients(X, y)
    W_t, b_t = [Tensor(W) for W in model.weights_], [Tensor(b) for b in model.biases_]
    L = mlp_loss(W_t, b_t, X.T, y.reshape(1, -1).astype(float))
    L.backward()
    assert L.item() == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(W_t[0].grad, dW[0], rtol=1e-10, atol=1e-14)
    wrong = dW[0] * 2.0  # a dropped factor of 1/2 somewhere, say
    assert not np.allclose(W_t[0].grad, wrong, rtol=1e-10, atol=1e-14)


# ---------------------------------------------------------------- backward twice, accumulation, zero_grad
def test_backward_twice_adds_the_gradient_again_everywhere():
    w, x = Tensor(0.5), Tensor(2.0, requires_grad=False)
    z = w * x + 1.0
    L = 0.5 * (z - 5.0) ** 2
    L.backward()
    first = (w.grad.copy(), z.grad.copy())
    assert first[0] == pytest.approx(-6.0) and first[1] == pytest.approx(-3.0)
    L.backward()
    assert w.grad == pytest.approx(2 * first[0]) and z.grad == pytest.approx(2 * first[1])
    assert L.grad == pytest.approx(2.0) and x.grad == 0.0   # x needs no gradient and gets none


def test_two_outputs_accumulate_to_the_gradient_of_their_sum():
    a, b = Tensor([1.0, -2.0]), Tensor(0.7)
    (a * b).sum().backward()
    (a.tanh() * b).sum().backward()
    c, d = Tensor([1.0, -2.0]), Tensor(0.7)
    ((c * d).sum() + (c.tanh() * d).sum()).backward()
    np.testing.assert_allclose(a.grad, c.grad, rtol=1e-15)
    np.testing.assert_allclose(b.grad, d.grad, rtol=1e-15)


def test_zero_grad_resets_and_the_next_backward_starts_from_zero():
    w, b = Tensor([[0.3, -0.2]]), Tensor(0.1)
    L = ((w * 2.0 + b).sigmoid()).sum()
    L.backward()
    expected = w.grad.copy()
    L.backward()
    zero_grad([w, b])
    assert np.all(w.grad == 0) and b.grad == 0
    L.backward()
    np.testing.assert_array_equal(w.grad, expected)
    w.zero_grad()
    assert w.grad.shape == w.shape and np.all(w.grad == 0)


def test_fan_out_sums_the_paths():
    x = Tensor(3.0)
    y = x * x + x  # dy/dx = 2x + 1 through three uses of x
    y.backward()
    assert x.grad == pytest.approx(7.0)


def test_long_chains_need_no_recursion():
    x = Tensor(0.0)
    y = x
    for _ in range(5000):
        y = y + 1.0
    assert len(topological_order(y)) == 10001  # x, 5000 constants and 5000 sums
    y.backward()
    assert x.grad == 1.0


def test_vector_output_with_a_seed_gives_the_vector_jacobian_product():
    x = Tensor([1.0, 2.0, 3.0])
    y = x * x
    y.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(x.grad, [2.0, 0.0, -6.0])


def test_numpy_arrays_on_the_left_give_tensors():
    x = Tensor([1.0, 2.0])
    for y in (np.array([2.0, 3.0]) * x, np.array([2.0, 3.0]) + x, np.array([2.0, 3.0]) - x,
              np.array([2.0, 3.0]) / x, np.eye(2) @ x.reshape(2, 1)):
        assert isinstance(y, Tensor)


def test_mean_and_sum_over_axes():
    a = Tensor(np.arange(6.0).reshape(2, 3))
    a.mean(axis=0).sum().backward()
    np.testing.assert_allclose(a.grad, np.full((2, 3), 0.5))
    a.zero_grad()
    a.mean().backward()
    np.testing.assert_allclose(a.grad, np.full((2, 3), 1 / 6))


def test_stable_functions_at_extremes():
    z = Tensor([-1e4, 0.0, 1e4])
    s = z.sigmoid()
    sp = z.softplus()
    assert np.all(np.isfinite(s.data)) and np.all(np.isfinite(sp.data))
    sp.sum().backward()
    np.testing.assert_allclose(z.grad, [0.0, 0.5, 1.0])


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("make", "words"), [
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3))), ["(2, 3) @ (2, 3)", ".T"]),
    (lambda: Tensor(np.ones(3)) @ Tensor(np.ones((3, 1))), ["2-D", "reshape"]),
    (lambda: (Tensor(np.ones((2, 2))) * 2.0).backward(), ["shape (2, 2)", ".sum()"]),
    (lambda: Tensor(np.ones(2)).backward(np.ones(3)), ["(2,)", "(3,)"]),
    (lambda: Tensor(1.0, requires_grad=False).backward(), ["requires_grad"]),
    (lambda: Tensor([1.0, 0.0]).log(), ["positive", "softplus"]),
    (lambda: Tensor([800.0]).exp(), ["overflow"]),
    (lambda: Tensor(float("nan")), ["finite"]),
    (lambda: Tensor("abc"), ["number"]),
    (lambda: Tensor(2.0) ** Tensor(2.0), ["constant", "exp"]),
    (lambda: Tensor(-1.0) ** 0.5, ["negative"]),
    (lambda: Tensor(1.0) / Tensor([1.0, 0.0]), ["zeros"]),
    (lambda: Tensor(1.0) + "a", ["str"]),
    (lambda: Tensor([1.0, 2.0]).item(), ["shape (2,)"]),
    (lambda: Tensor(Tensor(1.0)), ["already a Tensor"]),
    (lambda: mlp_loss([Tensor(np.ones((2, 2)))], [Tensor(np.ones((2, 1)))], np.ones((2, 3)), np.ones((1, 3)),
                      activation="softmax"), ["activation"]),
])
def test_bad_input_raises_a_clear_error(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------- the graph drawing
def test_graph_drawing_shows_every_node_value_and_gradient():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from backprop.autodiff.graph import draw_expression, layout, number_text

    L, leaves = small_network_loss("two_in_sequence", {"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}, 0.5, 1.0)
    L.backward()
    fig, ax = plt.subplots()
    positions = draw_expression(ax, L)
    nodes = topological_order(L)
    circles = [p for p in ax.patches if type(p).__name__ == "Circle"]
    assert len(circles) == len(nodes) == len(positions)
    texts = [t.get_text() for t in ax.texts]
    hand = backward("two_in_sequence", {"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}, 0.5, 1.0)
    for name, leaf in leaves.items():
        assert number_text(leaf.grad) in texts and number_text(hand[name]) == number_text(leaf.grad)
        assert number_text(leaf.data) in texts
    grid = layout(L)
    for node in nodes:  # every arrow points right: a node sits in a later column than each of its inputs
        assert all(grid[id(p)][0] < grid[id(node)][0] for p in node.parents)
    plt.close(fig)
    with pytest.raises(ValueError, match="Tensor"):
        draw_expression(ax, 3.0)
    big = Tensor(0.0)
    for _ in range(40):
        big = big * 1.0 + 1.0
    with pytest.raises(ValueError, match="smaller"):
        draw_expression(ax, big)


def test_training_with_the_engine_follows_the_mlp_step_by_step():
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=60, noise=0.2, random_state=42)
    model = mlp.MLP(hidden_sizes=(4,), activation="sigmoid", init="normal", init_scale=0.01, learning_rate=0.5,
                    n_epochs=200, random_state=0).fit(X, y)
    weights, biases = mlp.init_parameters((2, 4, 1), "normal", 0.01, rng=np.random.default_rng(0))
    parameters = [Tensor(p) for p in weights + biases]
    losses = []
    for _ in range(200):
        zero_grad(parameters)
        L = mlp_loss(parameters[:2], parameters[2:], X.T, y.reshape(1, -1).astype(float))
        L.backward()
        losses.append(L.item())
        for p in parameters:
            p.data = p.data - 0.5 * p.grad
    np.testing.assert_allclose(losses, model.loss_curve_, rtol=1e-10)
    assert losses[-1] < 0.9 * losses[0]  # it did learn something
    for t, W in zip(parameters, model.weights_ + model.biases_, strict=True):
        np.testing.assert_allclose(t.data, W, rtol=1e-10, atol=1e-13)
