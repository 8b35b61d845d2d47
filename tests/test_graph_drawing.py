"""The diagrams draw every node and the gradient numbers the package computes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop.graph_drawing import LAYOUTS, draw_graph, draw_network  # noqa: E402
from backprop.small_networks import backward, backward_all, forward, loss  # noqa: E402

CASES = [
    ("identity_neuron", {"w": 0.5, "b": 1.0}, 2.0, 5.0),
    ("sigmoid_neuron", {"w": 0.3, "b": 0.1}, [0.5, 0.8], [1.0, 1.2]),
    ("two_in_sequence", {"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}, 0.5, 1.0),
    ("two_in_a_layer", dict(w11=0.3, w12=0.2, w21=0.1, w22=0.2, b11=0.1, b12=0.2, b21=0.1, b22=0.2), 0.5, 1.0),
]


@pytest.mark.parametrize(("name", "params", "x", "y"), CASES, ids=[c[0] for c in CASES])
def test_network_diagram_shows_values_and_gradients(name, params, x, y):
    fig, ax = plt.subplots()
    draw_network(ax, name, params, x, y)
    texts = [t.get_text() for t in ax.texts]
    for parameter, gradient in backward(name, params, x, y).items():
        assert any(text.endswith(f"{gradient:.4f}") for text in texts), parameter
        assert f"{params[parameter]:.4f}" in texts
    n_points = np.size(x)
    layout = LAYOUTS["neuron" if name.endswith("neuron") else name]
    assert len(ax.patches) == (len(layout) if n_points == 1 else 3 + 3 * n_points)
    assert f"{loss(name, params, x, y):.4f}" in [text.split(" ")[0] for text in texts]   # L shows the loss
    assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 2
    plt.close(fig)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_labels_do_not_overlap(case):
    fig, ax = plt.subplots(figsize=(13, 8))
    draw_network(ax, *case)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
    plt.close(fig)


def test_copies_for_several_points_add_up_to_the_total_gradient():
    """Several points: one copy per point sharing w and b; multiplying right to left along each copy's path and
    adding the paths at w gives dL/dw, and each copy's L_p is that point's own loss."""
    x, y, params = np.array([0.5, 0.8, 1.5]), np.array([1.0, 1.2, 0.6]), {"w": 0.3, "b": 0.1}
    fig, ax = plt.subplots(figsize=(12, 6))
    draw_network(ax, "sigmoid_neuron", params, x, y)
    texts = [t.get_text() for t in ax.texts]
    grads = backward_all("sigmoid_neuron", params, x, y)
    y_hat = forward("sigmoid_neuron", params, x)["y_hat"]
    n = x.size
    for i in range(n):
        assert f"{0.5 * (y_hat[i] - y[i]) ** 2:.4f}" in texts                      # L_i: the point's own loss
        dL_dy_hat = (1 / n) * (y_hat[i] - y[i])                                     # right to left: L -> L_i -> y_hat_i
        assert f"{dL_dy_hat:.4f}" in texts
        dL_dz = dL_dy_hat * y_hat[i] * (1 - y_hat[i])                                # -> z_i
        assert f"{dL_dz * x[i]:.4f}" in texts                                        # -> w, along copy i
        np.testing.assert_allclose(dL_dz, grads["z"][i])
    assert texts.count(f"{1 / n:.4f}") == n
    np.testing.assert_allclose(sum(grads["z"] * x), grads["w"])                     # the paths add up at w
    assert f"sum of the {n} arrows:\n{grads['w']:.4f}" in texts
    plt.close(fig)


def test_edge_to_unknown_node_is_refused():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="names a node that is not in nodes"):
        draw_graph(ax, {"a": (0, 0, "a", None)}, [("a", "b", None, 0.5)])
    with pytest.raises(ValueError, match="on one data point"):
        draw_network(ax, "two_in_sequence", {"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}, [0.5, 0.8], [1.0, 1.2])
    with pytest.raises(ValueError, match="at most 10 data points"):
        draw_network(ax, "sigmoid_neuron", {"w": 0.3, "b": 0.1}, np.zeros(11), np.zeros(11))
    plt.close(fig)
