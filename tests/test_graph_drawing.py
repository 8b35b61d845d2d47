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


def test_gradient_label_names_the_red_numbers_and_keeps_its_default():
    """The legend's entry for the red numbers can be reworded (chapter 1 draws derivatives of f, not of a loss);
    without the argument it stays GRADIENT_LABEL, which chapters 4 and 5 rely on."""
    from backprop.graph_drawing import GRADIENT_LABEL

    fig, ax = plt.subplots()
    draw_network(ax, "identity_neuron", {"w": 0.5, "b": 1.0}, 2.0, 5.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["forward value", GRADIENT_LABEL]
    ax.clear()
    draw_network(ax, "sigmoid_neuron", {"w": 0.3, "b": 0.1}, [0.5, 0.8], [1.0, 1.2], gradient_label="∂L/∂(node)")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["forward value", "∂L/∂(node)"]
    ax.clear()
    draw_graph(ax, {"a": (0, 0, "a", "1"), "b": (1, 0, "b", "2")}, [("a", "b", "3", 0.5)], gradient_label="df/da")
    assert ax.get_legend().get_texts()[1].get_text() == "df/da"
    with pytest.raises(ValueError, match="gradient_label must be a non-empty string"):
        draw_graph(ax, {"a": (0, 0, "a", None)}, [], gradient_label=" ")
    plt.close(fig)


def test_seven_copies_two_fans_labels_apart():
    """Chapter 4's seven points: the fans from w and b are drawn in two styles, each label sits on its own fan in
    the order of the copies (top arrow to z_1), and no two texts overlap."""
    x = np.array([0.5, 0.8, 1.5, 0.4, 0.4, 1.0, 1.9])
    y = np.array([1.0, 1.2, 1.2, 0.6, 0.5, 1.1, 1.3])
    fig, ax = plt.subplots(figsize=(12, 9))
    draw_network(ax, "sigmoid_neuron", {"w": 0.3, "b": 0.1}, x, y)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    assert [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])] == []
    grads = backward_all("sigmoid_neuron", {"w": 0.3, "b": 0.1}, x, y)
    for fan, contributions in (("w", grads["z"] * x), ("b", grads["z"])):
        heights = []
        for value in contributions:
            # left of the z_p column, in the upper half for w's fan and the lower half for b's
            label = next(t for t in ax.texts if t.get_text() == f"{value:.4f}" and t.get_position()[0] < 6
                         and (t.get_position()[1] > 3.9) == (fan == "w"))
            heights.append(label.get_position()[1])
        assert heights == sorted(heights, reverse=True), fan
    styles = {a.arrow_patch.get_linestyle() for a in ax.texts if hasattr(a, "arrow_patch") and a.arrow_patch}
    assert len(styles) >= 2
    plt.close(fig)
