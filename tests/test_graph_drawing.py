"""The diagrams draw every node and the gradient numbers the kernels compute."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from backprop.graph_drawing import LAYOUTS, draw_graph, draw_network  # noqa: E402
from backprop.small_networks import backward  # noqa: E402

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
        assert f"{gradient:.4f}" in texts, parameter
        assert f"{params[parameter]:.4f}" in texts
    layout = LAYOUTS["neuron" if name.endswith("neuron") else name]
    assert len(ax.patches) == len(layout)
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


def test_edge_to_unknown_node_is_refused():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="names a node that is not in nodes"):
        draw_graph(ax, {"a": (0, 0, "a", None)}, [("a", "b", None, 0.5)])
    with pytest.raises(ValueError, match="point must index a data point"):
        draw_network(ax, "sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0, point=3)
    plt.close(fig)
