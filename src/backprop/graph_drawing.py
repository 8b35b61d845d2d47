"""Computation-graph diagrams drawn with matplotlib.

``draw_graph`` is the generic drawer: nodes at given positions, arrows between them, the forward value written
under each node (blue) and the gradient flowing back along each edge written on the edge (red). ``draw_network``
lays out the small networks of ``backprop.small_networks`` and fills in the numbers for one step.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from backprop.small_networks import backward_all, forward, get_network, validated_data, validated_params

FORWARD_COLOUR = "tab:blue"
GRADIENT_COLOUR = "tab:red"
NODE_RADIUS = 0.28
#: The key of the red numbers: on every edge, the gradient of the loss with respect to the node the edge leaves.
GRADIENT_LABEL = "gradient ∂L/∂(node the arrow leaves)"


def draw_graph(ax, nodes: dict, edges: list, title: str | None = None,
               gradient_label: str = GRADIENT_LABEL) -> None:
    """Draw a computation graph on ``ax``.

    Parameters
    ----------
    nodes : dict {key: (x, y, label, value_text)} or (x, y, label, value_text, "below right"); ``label`` is drawn
        in the circle (mathtext allowed), ``value_text`` (str or None) under it (or below to its right, out of the
        way of arrows arriving from below) in the forward colour.
    edges : list of (source key, target key, gradient_text or None, label_position); the gradient text is drawn
        at ``label_position`` (0 = source, 1 = target) along the arrow, in the gradient colour.
    title : str, optional, drawn above the graph.
    gradient_label : str, the legend's entry for the red numbers (default ``GRADIENT_LABEL``); say what they are
        when they are not gradients of a loss L, e.g. derivatives of some f.
    """
    if not isinstance(gradient_label, str) or not gradient_label.strip():
        raise ValueError(f"gradient_label must be a non-empty string (the legend's entry for the red numbers); "
                         f"got {gradient_label!r}.")
    for x, y, label, value, *where in nodes.values():
        ax.add_patch(plt.Circle((x, y), NODE_RADIUS, facecolor="white", edgecolor="black", zorder=3))
        ax.text(x, y, label, ha="center", va="center", fontsize=12, zorder=4)
        if value is not None and where == ["below right"]:
            ax.text(x + 0.2, y - NODE_RADIUS - 0.02, value, ha="left", va="top", fontsize=9, color=FORWARD_COLOUR,
                    zorder=4)
        elif value is not None:
            ax.text(x, y - NODE_RADIUS - 0.06, value, ha="center", va="top", fontsize=9, color=FORWARD_COLOUR,
                    zorder=4)
    for edge in edges:
        source, target, gradient, where = edge
        if source not in nodes or target not in nodes:
            raise ValueError(f"edge {source!r} -> {target!r} names a node that is not in nodes ({sorted(nodes)}).")
        (x0, y0), (x1, y1) = nodes[source][:2], nodes[target][:2]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=2,
                    arrowprops={"arrowstyle": "-|>", "color": "0.35", "shrinkA": 17, "shrinkB": 17})
        if gradient is not None:
            ax.text(x0 + where * (x1 - x0), y0 + where * (y1 - y0), gradient, ha="center", va="center", fontsize=9,
                    color=GRADIENT_COLOUR, zorder=5,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    finish_graph_axes(ax, [n[:2] for n in nodes.values()],
                      [Line2D([], [], color=FORWARD_COLOUR, lw=3, label="forward value"),
                       Line2D([], [], color=GRADIENT_COLOUR, lw=3, label=gradient_label)],
                      below=0.8, above=0.5, fontsize=9, title=title)


def finish_graph_axes(ax, centres, legend_handles, below, above, fontsize, title=None):
    """Frame a drawn graph: limits around its node centres (x, y), equal scales, no axes, the legend in one row
    underneath, and the title."""
    xs = [x for x, _ in centres]
    ys = [y for _, y in centres]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - below, max(ys) + above)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.legend(handles=legend_handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(legend_handles),
              fontsize=fontsize, frameon=False)
    if title:
        ax.set_title(title)


# Layouts: node key -> (x, y, label). Parameters sit to the left of or above/below what they feed.
LAYOUTS = {
    "neuron": {"w": (0, 2.2, "$w$"), "x": (0, 1, "$x$"), "b": (0, -0.2, "$b$"), "z": (3, 1, "$z$"),
               "y_hat": (5.5, 1, r"$\hat y$"), "y": (5.5, -0.6, "$y$"), "L": (8, 1, "$L$")},
    "two_in_sequence": {"w1": (0, 2.2, "$w_1$"), "x": (0, 1, "$x$"), "b1": (0, -0.2, "$b_1$"),
                        "z1": (2.6, 1, "$z_1$"), "a1": (4.8, 1, "$a_1$"), "w2": (4.8, 2.6, "$w_2$"),
                        "b2": (4.8, -0.6, "$b_2$"), "z2": (7.4, 1, "$z_2$"), "y_hat": (9.6, 1, r"$\hat y$"),
                        "y": (9.6, -0.6, "$y$"), "L": (11.8, 1, "$L$")},
    "two_in_a_layer": {"w11": (0, 5.0, "$w_{11}$"), "b11": (0, 3.6, "$b_{11}$"), "x": (0, 2.2, "$x$"),
                       "w12": (0, 0.8, "$w_{12}$"), "b12": (0, -0.6, "$b_{12}$"),
                       "z1": (3, 3.8, "$z_1$"), "z2": (3, 0.6, "$z_2$"), "a1": (5.4, 3.8, "$a_1$"),
                       "a2": (5.4, 0.6, "$a_2$"), "w21": (7.4, 5.6, "$w_{21}$"), "b21": (9.4, 5.0, "$b_{21}$"),
                       "w22": (7.4, -1.2, "$w_{22}$"), "b22": (9.4, -0.6, "$b_{22}$"),
                       "z3": (9.4, 2.2, "$z_3$", "below right"),
                       "y_hat": (11.6, 2.2, r"$\hat y$"), "y": (11.6, 0.6, "$y$"), "L": (13.6, 2.2, "$L$")},
}

# Edges: (source, target, label position along the edge). The gradient drawn is dL/d(source).
EDGES = {
    "neuron": [("w", "z", 0.5), ("x", "z", None), ("b", "z", 0.5), ("z", "y_hat", 0.5), ("y_hat", "L", 0.5),
               ("y", "L", None)],
    "two_in_sequence": [("w1", "z1", 0.5), ("x", "z1", None), ("b1", "z1", 0.5), ("z1", "a1", 0.5),
                        ("a1", "z2", 0.5), ("w2", "z2", 0.5), ("b2", "z2", 0.5), ("z2", "y_hat", 0.5),
                        ("y_hat", "L", 0.5), ("y", "L", None)],
    "two_in_a_layer": [("w11", "z1", 0.5), ("b11", "z1", 0.5), ("x", "z1", None), ("x", "z2", None),
                       ("w12", "z2", 0.5), ("b12", "z2", 0.5), ("z1", "a1", 0.5), ("z2", "a2", 0.5),
                       ("a1", "z3", 0.45), ("a2", "z3", 0.45), ("w21", "z3", 0.55), ("w22", "z3", 0.55),
                       ("b21", "z3", 0.5), ("b22", "z3", 0.5), ("z3", "y_hat", 0.5), ("y_hat", "L", 0.5),
                       ("y", "L", None)],
}


def draw_network(ax, network, params: dict, x, y, title: str | None = None,
                 gradient_label: str = GRADIENT_LABEL) -> None:
    """Draw ``network`` with its forward values and gradients at ``params`` on the data (x, y).

    On one data point every node is drawn once, as in the single-neuron chapter. On several data points (the
    neurons only) the graph is drawn as it is computed: one copy of z, y_hat and the point's loss L_p per data
    point, all fed by the same w and b, and a node L for the average of the L_p. Each edge from w or b then carries
    one copy's contribution, and the total dL/dw (dL/db) is their sum, written beside the parameter: gradients add
    where paths meet. ``gradient_label`` is the legend's entry for the red numbers, as in ``draw_graph``.
    """
    net = get_network(network)
    p = validated_params(net, params)
    xs, ys = validated_data(x, y)
    if xs.size > 1:
        if not net.name.endswith("neuron"):
            raise ValueError(f"draw_network draws {net.name!r} on one data point; got {xs.size}. Pass one x and y.")
        _draw_copies(ax, net, p, xs, ys, title, gradient_label)
        return
    layout_name = "neuron" if net.name.endswith("neuron") else net.name
    values = {**{k: v[0] for k, v in forward(net, p, xs).items()}, **p, "x": xs[0], "y": ys[0]}
    values["L"] = 0.5 * (values["y_hat"] - ys[0]) ** 2
    grads = backward_all(net, p, xs, ys)
    nodes = {key: (gx, gy, label, f"{values[key]:.4f}", *extra)
             for key, (gx, gy, label, *extra) in LAYOUTS[layout_name].items()}
    edges = []
    for source, target, where in EDGES[layout_name]:
        if where is None:
            edges.append((source, target, None, 0.5))
            continue
        gradient = grads[source] if source in net.parameters else grads[source][0]
        edges.append((source, target, f"{gradient:.4f}", where))
    draw_graph(ax, nodes, edges, title, gradient_label)


MAX_COPIES = 10
ROW_GAP = 1.3
FAN_STYLES = {"w": ("0.2", "-"), "b": ("0.6", "--")}   # arrow colour and line style of the fans from w and b
FAN_LABEL_POSITION = 0.4   # fraction of the way from the parameter to z_p: before the two fans cross


def _draw_copies(ax, net, p, xs, ys, title, gradient_label=GRADIENT_LABEL):
    """One neuron on n data points: n copies of z -> y_hat -> L_p sharing w and b, and L = mean of the L_p."""
    n = xs.size
    if n > MAX_COPIES:
        raise ValueError(f"draw_network draws at most {MAX_COPIES} data points, one copy each; got {n}. "
                         "Draw a few of them.")
    values = forward(net, p, xs)
    point_losses = 0.5 * (values["y_hat"] - ys) ** 2
    grads = backward_all(net, p, xs, ys)
    rows = [(n - 1 - i) * ROW_GAP for i in range(n)]
    middle = (rows[0] + rows[-1]) / 2
    # w level with the first copy and b with the last. Their two fans of arrows cross in the middle, so they are
    # drawn here in two shades (w dark and solid, b light and dashed), each labelled near its own parameter, where
    # the fan is still in order: the top arrow of each fan goes to z_1, the bottom one to z_n.
    nodes = {"w": (0, rows[0], "$w$", f"{p['w']:.4f}"), "b": (0, rows[-1], "$b$", f"{p['b']:.4f}"),
             "L": (12.6, middle, "$L$", f"{np.mean(point_losses):.4f} (mean)", "below right")}
    edges, fans = [], []
    for i, row in enumerate(rows):
        k = i + 1
        nodes[f"z{k}"] = (6.0, row, f"$z_{{{k}}}$", None)
        nodes[f"y_hat{k}"] = (8.2, row, rf"$\hat y_{{{k}}}$", f"{values['y_hat'][i]:.4f} (y = {ys[i]:g})")
        nodes[f"L{k}"] = (10.4, row, f"$L_{{{k}}}$", f"{point_losses[i]:.4f}")
        fans += [("w", k, f"{grads['z'][i] * xs[i]:.4f}"), ("b", k, f"{grads['z'][i]:.4f}")]
        edges += [(f"z{k}", f"y_hat{k}", f"{grads['z'][i]:.4f}", 0.5),
                  (f"y_hat{k}", f"L{k}", f"{grads['y_hat'][i]:.4f}", 0.5),
                  (f"L{k}", "L", f"{1 / n:.4f}", 0.55)]
    draw_graph(ax, nodes, edges, title, gradient_label)
    for name, k, gradient in fans:
        (x0, y0), (x1, y1) = nodes[name][:2], nodes[f"z{k}"][:2]
        colour, style = FAN_STYLES[name]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": style, "shrinkA": 17,
                                "shrinkB": 17})
        where = FAN_LABEL_POSITION
        ax.text(x0 + where * (x1 - x0), y0 + where * (y1 - y0), gradient, ha="center", va="center", fontsize=9,
                color=GRADIENT_COLOUR, zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour, "linestyle": style,
                      "linewidth": 0.8})
    for i, row in enumerate(rows):   # z_p's value on a white ground: arrows of the other fan pass close to it
        ax.text(6.0, row - NODE_RADIUS - 0.06, f"{values['z'][i]:.4f} (x = {xs[i]:g})", ha="center", va="top",
                fontsize=9, color=FORWARD_COLOUR, zorder=4,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none"})
    for name in ("w", "b"):
        gx, gy = nodes[name][:2]
        ax.text(gx - NODE_RADIUS - 0.15, gy, f"sum of the {n} arrows:\n{grads[name]:.4f}", ha="right", va="center",
                fontsize=9, color=GRADIENT_COLOUR, zorder=5)
    ax.set_xlim(-2.6, ax.get_xlim()[1] + 0.6)
