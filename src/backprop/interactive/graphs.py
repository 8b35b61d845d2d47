"""Chapter 3's interactive figure: the computation graph of one neuron, with sliders for w and b.

``neuron_graph_figure()`` draws the graph of ``backprop.graph_drawing`` (same layout, same colours: forward values in
blue under the nodes, the gradient of the loss flowing back along each arrow in red, each beside its own arrow) and
stores, for every w and b of the sliders, both neurons (identity, sigmoid) and both of the chapter's data points, the
values the package's ``small_networks.forward`` and ``backward_all`` give: the node values and dL/d(node the arrow
leaves). The readout gives z, ŷ, L, the slope ∂ŷ/∂z and the two parameter gradients of the current state. The
sliders hold both of the chapter's drawn settings: w = 0.5, b = 1 (the identity example) and w = 0.3, b = 0.1 (the
sigmoid example).
"""

from __future__ import annotations

import numpy as np

from backprop.activations import sigmoid_derivative
from backprop.graph_drawing import EDGES, FORWARD_COLOUR, GRADIENT_COLOUR, GRADIENT_LABEL, LAYOUTS, draw_network
from backprop.interactive.figure import Choice, Slider, interactive_figure
from backprop.small_networks import backward_all, forward

#: The sliders: w from -0.9 to 2.1 in steps of 0.2 and b from -0.5 to 2.2 in steps of 0.3, so that both of the
#: chapter's drawn settings are on them (w = 0.5 and 0.3, b = 1 and 0.1) while the states stay few (16 x 10 x 2 x 2).
WEIGHTS = np.round(-0.9 + 0.2 * np.arange(16), 1)
BIASES = np.round(-0.5 + 0.3 * np.arange(10), 1)
WEIGHTS_TEXT = "-0.9 to 2.1 in steps of 0.2"
BIASES_TEXT = "-0.5 to 2.2 in steps of 0.3"
#: How far a red number sits from the middle of its arrow, across it (graph units; a node's radius is about 0.3).
EDGE_LABEL_OFFSET = 0.27
NEURONS = {"identity neuron": "identity_neuron", "sigmoid neuron": "sigmoid_neuron"}
#: The chapter's two data points: Duan's identity example and Duan's sigmoid example.
DATA_POINTS = {"(x, y) = (2, 5)": (2.0, 5.0), "(x, y) = (0.5, 1)": (0.5, 1.0)}
NODE_LABELS = {"w": "w", "x": "x", "b": "b", "z": "z", "y_hat": "ŷ", "y": "y", "L": "L"}


def neuron_graph_values(network: str, w: float, b: float, x: float, y: float) -> tuple[dict, dict]:
    """({node: forward value}, {edge source: dL/d(source)}) of a neuron, from the package's forward and backward_all.

    The edges are those of ``graph_drawing.EDGES["neuron"]`` that carry a gradient (from w, b, z and y_hat); the
    data x and y get none, as in the still drawings.
    """
    params = {"w": w, "b": b}
    values = {**{k: float(v[0]) for k, v in forward(network, params, x).items()}, **params, "x": x, "y": y}
    values["L"] = 0.5 * (values["y_hat"] - y) ** 2
    grads = backward_all(network, params, x, y)
    gradients = {source: float(grads[source] if source in ("w", "b") else grads[source][0])
                 for source, _, where in EDGES["neuron"] if where is not None}
    return {k: float(values[k]) for k in LAYOUTS["neuron"]}, gradients


def _readout(neuron: str, values: dict, gradients: dict) -> str:
    slope = float(sigmoid_derivative(values["z"])) if neuron.startswith("sigmoid") else 1.0
    return (f"z = {values['z']:.4f}, ŷ = {values['y_hat']:.4f}, L = {values['L']:.4f}; slope ∂ŷ/∂z = {slope:.4f}; "
            f"∂L/∂w = {gradients['w']:.4f}, ∂L/∂b = {gradients['b']:.4f}.")


def neuron_graph_figure(default_w: float = 0.5, default_b: float = 1.0, name: str = "neuron-graph"):
    """The interactive figure of chapter 3 (see the module docstring). The defaults are Duan's identity example."""
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    weights, biases = [float(v) for v in WEIGHTS], [float(v) for v in BIASES]
    defaults = []
    for label, grid, value, text in (("default_w", weights, default_w, WEIGHTS_TEXT),
                                     ("default_b", biases, default_b, BIASES_TEXT)):
        found = np.flatnonzero(np.isclose(grid, value))
        if found.size != 1:
            raise ValueError(f"{label} must be on the slider ({text}); got {value!r}.")
        defaults.append(int(found[0]))
    layout = LAYOUTS["neuron"]
    keys = list(layout)
    edge_sources = [source for source, _, where in EDGES["neuron"] if where is not None]
    edge_positions = {source: where for source, _, where in EDGES["neuron"] if where is not None}
    targets = {source: target for source, target, _ in EDGES["neuron"]}

    def edge_point(source):
        """Where the red number of an arrow goes: beside the middle of its arrow, above a level or falling arrow (w
        into z) and below a rising one (b into z), so no number sits between two arrows (b's between x's and b's
        would read as x's)."""
        (x0, y0), (x1, y1) = layout[source][:2], layout[targets[source]][:2]
        where = edge_positions[source]
        dx, dy = x1 - x0, y1 - y0
        normal = np.array([-dy, dx]) / np.hypot(dx, dy)  # left of the arrow's direction: above a level arrow
        if y0 < y1:  # an arrow rising into its target (b into z): its number goes below-right of it
            normal = -normal
        return x0 + where * dx + EDGE_LABEL_OFFSET * normal[0], y0 + where * dy + EDGE_LABEL_OFFSET * normal[1]

    def texts(values, gradients):
        return ([f"{values[k]:.4f}" for k in keys], [f"{gradients[s]:.4f}" for s in edge_sources])

    neurons, points = list(NEURONS), list(DATA_POINTS)
    x0, y0 = DATA_POINTS[points[0]]
    default_values, default_gradients = neuron_graph_values(NEURONS[neurons[0]], weights[defaults[0]],
                                                            biases[defaults[1]], x0, y0)
    node_text, edge_text = texts(default_values, default_gradients)
    arrows = [{"x": layout[t][0], "y": layout[t][1], "ax": layout[s][0], "ay": layout[s][1], "xref": "x",
               "yref": "y", "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1.2,
               "arrowwidth": 1.5, "arrowcolor": "#595959", "standoff": 20, "startstandoff": 20, "text": ""}
              for s, t, _ in EDGES["neuron"]]
    base = go.Figure([
        go.Scatter(x=[layout[k][0] for k in keys], y=[layout[k][1] for k in keys], mode="markers+text",
                   text=[NODE_LABELS[k] for k in keys], textfont={"size": 16},
                   marker={"size": 36, "color": "white", "line": {"color": "black", "width": 1.5}},
                   hoverinfo="skip", showlegend=False),
        go.Scatter(x=[layout[k][0] for k in keys], y=[layout[k][1] - 0.5 for k in keys], mode="text",
                   text=node_text, textfont={"color": _css(FORWARD_COLOUR), "size": 13}, name="forward value",
                   hoverinfo="skip"),
        go.Scatter(x=[edge_point(s)[0] for s in edge_sources], y=[edge_point(s)[1] for s in edge_sources],
                   mode="text", text=edge_text, textfont={"color": _css(GRADIENT_COLOUR), "size": 13},
                   name=GRADIENT_LABEL, hoverinfo="skip"),
    ])
    base.update_layout(height=330, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="white",
                       annotations=arrows, legend={"orientation": "h", "y": -0.02},
                       xaxis={"visible": False, "range": [-0.7, 8.7], "fixedrange": True},
                       yaxis={"visible": False, "range": [-1.5, 2.8], "scaleanchor": "x", "fixedrange": True})
    states = {}
    for i, w in enumerate(weights):
        for j, b in enumerate(biases):
            for k, neuron in enumerate(neurons):
                for m, point in enumerate(points):
                    x, y = DATA_POINTS[point]
                    values, gradients = neuron_graph_values(NEURONS[neuron], w, b, x, y)
                    node_text, edge_text = texts(values, gradients)
                    states[i, j, k, m] = {1: {"text": node_text}, 2: {"text": edge_text},
                                          "readout": _readout(neuron, values, gradients)}
    still, ax = plt.subplots(figsize=(9, 4))
    draw_network(ax, NEURONS[neurons[0]], {"w": weights[defaults[0]], "b": biases[defaults[1]]}, x=x0, y=y0,
                 title=f"{neurons[0].capitalize()}, w = {weights[defaults[0]]}, b = {biases[defaults[1]]}, "
                       f"{points[0]}")
    controls = [Slider("weight w", values=weights, labels=[f"{v:.2f}" for v in weights], default=defaults[0]),
                Slider("bias b", values=biases, labels=[f"{v:.2f}" for v in biases], default=defaults[1]),
                Choice("neuron", options=neurons, default=0),
                Choice("data point", options=points, default=0)]
    alt = ("Computation graph of one neuron: nodes w, x and b feed z = wx + b, then the output ŷ (z itself, or "
           "σ(z) for the sigmoid neuron), then the loss L, which also receives the target y. Each node's forward "
           "value is written under it in blue and the gradient of the loss flowing back along each arrow in red, "
           "beside its arrow; sliders set w and b, and menus pick the neuron and the data point. What it shows: "
           "the red number on the arrow into L is the error ŷ − y, and each red number to its left is the one to "
           "its right times the local derivative of its arrow (1 or σ′(z) from ŷ back to z, then x to w and 1 to "
           "b). With the sigmoid neuron on (x, y) = (2, 5), large w and b make z large and σ′(z) nearly 0, so the "
           "gradients of z, w and b nearly vanish while the error stays near −4; on (0.5, 1) they are small "
           "instead because ŷ comes close to y. The text under the figure gives z, ŷ, L, the slope ∂ŷ/∂z and the "
           "gradients ∂L/∂w and ∂L/∂b for the current values.")
    return interactive_figure(name=name, base=base, controls=controls, states=states, still=still, alt=alt)


def _css(colour: str) -> str:
    """A matplotlib colour (e.g. "tab:blue") as the CSS hex string Plotly takes."""
    from matplotlib.colors import to_hex

    return to_hex(colour)
