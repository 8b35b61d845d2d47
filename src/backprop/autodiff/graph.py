"""Draw the computation graph that ``backprop.autodiff.tensor`` records, with each node's value and gradient.

The layout is computed from the graph itself, with matplotlib only (no Graphviz): a node's column is its depth
(one more than its deepest parent), a leaf sits one column before its first consumer, and the nodes of a column
are ordered by the mean height of their parents, which keeps most arrows short and uncrossed. Colours and node
size are those of ``backprop.graph_drawing``: forward values in blue, gradients in red.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch

from backprop.autodiff.tensor import Tensor, topological_order
from backprop.graph_drawing import FORWARD_COLOUR, GRADIENT_COLOUR, NODE_RADIUS, finish_graph_axes

SYMBOLS = {"+": "+", "-": "\u2212", "*": "\u00d7", "/": "\u00f7", "neg": "\u2212x", "exp": "exp", "log": "log",
           "tanh": "tanh", "sigmoid": "$\\sigma$", "relu": "ReLU", "softplus": "sp", "@": "@", "sum": "$\\Sigma$",
           "mean": "mean", "T": "$\\top$", "reshape": "rs"}


def symbol(node: Tensor) -> str:
    """The text drawn inside a node: the operation, or for a leaf its label (or its value, for a constant)."""
    if not node.op:
        return node.label if node.label else number_text(node.data)
    if node.op.startswith("**"):
        return f"$x^{{{node.op[2:]}}}$"
    return SYMBOLS.get(node.op, node.op)


def number_text(array: np.ndarray, digits: int = 4) -> str:
    """A number as text with ``digits`` significant digits; a small array as a list; a larger one by its shape."""
    array = np.asarray(array)
    if array.size == 1:
        return f"{float(array.reshape(())):.{digits}g}"
    if array.size <= 3:
        return "[" + ", ".join(f"{v:.{digits - 1}g}" for v in array.ravel()) + "]"
    return "shape " + "\u00d7".join(str(n) for n in array.shape)


def layout(output: Tensor) -> dict:
    """{id(node): (column, row)} for every node of the graph of ``output`` (rows centred on 0)."""
    order = topological_order(output)
    depth = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    consumers = {id(node): [] for node in order}
    for node in order:
        for parent in node.parents:
            consumers[id(parent)].append(node)
    for node in order:  # a leaf moves up to one column before its first consumer
        if not node.parents and consumers[id(node)]:
            depth[id(node)] = min(depth[id(c)] for c in consumers[id(node)]) - 1
    columns = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    rank = {id(node): float(k) for nodes in columns.values() for k, node in enumerate(nodes)}

    def reorder(neighbours, column_order):  # sort each column by its neighbours' mean rank (barycentre heuristic)
        for nodes in (columns[c] for c in column_order):
            keys = [(np.mean([rank[id(n)] for n in neighbours(node)]) if neighbours(node) else rank[id(node)], k)
                    for k, node in enumerate(nodes)]
            nodes[:] = [node for _, node in sorted(zip(keys, nodes, strict=True), key=lambda item: item[0])]
            rank.update({id(node): float(k) - (len(nodes) - 1) / 2 for k, node in enumerate(nodes)})

    for _ in range(3):  # a few sweeps, by parents then by consumers, settle the order
        reorder(lambda node: node.parents, sorted(columns))
        reorder(lambda node: consumers[id(node)], sorted(columns, reverse=True))
    position = {id(node): (column, rank[id(node)]) for column, nodes in columns.items() for node in nodes}
    return position


def draw_expression(ax, output: Tensor, title: str | None = None, spacing: tuple = (1.7, 1.5),
                    digits: int = 4) -> dict:
    """Draw the computation graph of ``output`` on ``ax``: one circle per node, an arrow from each input to the
    operation that uses it, the value (blue) and, for nodes that need one, the gradient (red) under each circle.

    Call ``output.backward()`` first to show the gradients (they are whatever ``node.grad`` holds). A node's
    ``label`` (e.g. ``z.label = "z"``) is written above it. Returns {id(node): (x, y)} in data coordinates.
    """
    if not isinstance(output, Tensor):
        raise ValueError(f"output must be a Tensor (the result of an expression); got {type(output).__name__}.")
    order = topological_order(output)
    if len(order) > 60:
        raise ValueError(f"the graph has {len(order)} nodes; a drawing stays readable up to about 60. Draw a smaller "
                         "expression, e.g. one data point and one layer.")
    grid = layout(output)
    xy = {key: (column * spacing[0], row * spacing[1]) for key, (column, row) in grid.items()}
    by_id = {id(node): node for node in order}
    for node in order:
        x, y = xy[id(node)]
        constant = not node.requires_grad
        ax.add_patch(Circle((x, y), NODE_RADIUS, facecolor="0.93" if constant else "white", edgecolor="black",
                            linestyle="--" if constant else "-", zorder=3))
        text = symbol(node)
        size = 11 if text.startswith("$") or len(text) <= 2 else 9 if len(text) == 3 else 7.5
        ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4)
        if node.op and node.label:
            ax.text(x, y + NODE_RADIUS + 0.05, node.label, ha="center", va="bottom", fontsize=10, zorder=4)
        below = y - NODE_RADIUS - 0.04
        if node.op or node.label:
            ax.text(x, below, number_text(node.data, digits), ha="center", va="top", fontsize=8,
                    color=FORWARD_COLOUR, zorder=4)
        if node.requires_grad:
            ax.text(x, below - 0.22, number_text(node.grad, digits), ha="center", va="top", fontsize=8,
                    color=GRADIENT_COLOUR, zorder=4)
        for parent in node.parents:
            (x0, y0), (x1, y1) = xy[id(parent)], (x, y)
            length = np.hypot(x1 - x0, y1 - y0)
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            ax.add_patch(FancyArrowPatch((x0 + ux * NODE_RADIUS, y0 + uy * NODE_RADIUS),
                                         (x1 - ux * NODE_RADIUS, y1 - uy * NODE_RADIUS), arrowstyle="-|>",
                                         mutation_scale=10, color="0.45", zorder=2))
    finish_graph_axes(ax, list(xy.values()),
                      [Line2D([], [], color=FORWARD_COLOUR, lw=3, label="value (forward)"),
                       Line2D([], [], color=GRADIENT_COLOUR, lw=3, label="gradient d(output)/d(node) (backward)"),
                       Line2D([], [], color="black", lw=1, ls="--", label="constant (no gradient)")],
                      below=0.9, above=0.6, fontsize=8, title=title)
    return {key: xy[key] for key in by_id}
