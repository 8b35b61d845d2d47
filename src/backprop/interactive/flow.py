"""Gradient flow through a deep network (chapter 8): per-layer gradient norms, activation and initialisation chosen.

The chapter measures, at initialisation, the norms of every layer's weight gradient ``dL/dW[l]`` and backward error
``delta[l]`` with ``backprop.gradient_flow.layer_gradient_norms``, as geometric means over several random draws of
the weights, for each activation and initial scale. :func:`flow_frames` takes those norms, rounds them to the
digits the figure stores and adds the factor per layer (``backprop.gradient_flow.decay_factor``);
:func:`flow_figure` draws them against the layer index on a log scale, with two choices (the activation, the
initialisation) and a matplotlib still of the default choice.

Rounding. At initialisation nothing is iterated, so the norms differ between CPUs only in their last bits; they are
stored to 3 significant digits and the factor per layer to 2, as the chapter prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from backprop.gradient_flow import decay_factor

#: The activations' colours in chapter 8's figures.
ACTIVATION_COLOURS = {"sigmoid": "#1f77b4", "tanh": "#ff7f0e", "relu": "#2ca02c"}
NORM_DIGITS = 3


def _significant(values, digits=NORM_DIGITS):
    return [float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=float)]


def flow_frames(norms: Mapping, activations: Sequence[str], inits: Sequence[str], fit_layers=slice(0, 10),
                weight_fit_layers=slice(1, 10)) -> dict:
    """What the figure shows for every (activation, initialisation).

    Parameters
    ----------
    norms : {(activation, init label): (weight_gradient_norms, error_norms)}, each an array of one norm per layer
        (layer 1 first), for every activation in ``activations`` and every label in ``inits``.
    activations, inits : the choices, in the order the figure offers them.
    fit_layers : the layers (a slice of the arrays) over which the factor per layer of the backward error is fitted;
        the chapter fits the ten hidden layers.
    weight_fit_layers : likewise for the weight gradient; the chapter fits layers 2 to 10, its nine 32 x 32 matrices.

    Returns
    -------
    dict with ``"activations"``, ``"inits"``, ``"layers"`` (1..n) and ``"frames"``: {(activation, init):
    {"weight": norms of dL/dW[l] to 3 significant digits, "error": norms of delta[l], likewise, "factor": the fitted
    factor per layer of the backward error, to 2 decimals, "weight_factor": the same for the weight gradient}}.
    """
    activations, inits = list(activations), list(inits)
    if not activations or not inits:
        raise ValueError(f"activations and inits must be non-empty lists; got {activations!r} and {inits!r}.")
    if not isinstance(norms, Mapping):
        raise ValueError(f"norms must be a dict {{(activation, init): (weight norms, error norms)}}; got "
                         f"{type(norms).__name__}.")
    frames, n_layers = {}, None
    for activation in activations:
        for init in inits:
            if (activation, init) not in norms:
                raise ValueError(f"norms has no entry for ({activation!r}, {init!r}); it needs one for every "
                                 f"activation in {activations} and every init in {inits}.")
            weight, error = (np.asarray(a, dtype=float) for a in norms[activation, init])
            if weight.ndim != 1 or weight.shape != error.shape or weight.size < 2:
                raise ValueError(f"norms[({activation!r}, {init!r})] must be two 1-D arrays of the same length "
                                 f"(one norm per layer); got shapes {weight.shape} and {error.shape}.")
            if n_layers is not None and weight.size != n_layers:
                raise ValueError(f"every entry of norms must have the same number of layers; got {weight.size} "
                                 f"for ({activation!r}, {init!r}) and {n_layers} before.")
            if not (np.all(np.isfinite(weight)) and np.all(np.isfinite(error)) and np.all(weight > 0)
                    and np.all(error > 0)):
                raise ValueError(f"norms[({activation!r}, {init!r})] must be finite and > 0 (they are drawn on a "
                                 f"log scale); got {weight.tolist()} and {error.tolist()}.")
            for fit, what in ((fit_layers, "fit_layers"), (weight_fit_layers, "weight_fit_layers")):
                if error[fit].size < 2:
                    raise ValueError(f"{what} must pick at least 2 of the {error.size} layers to fit a factor per "
                                     f"layer; got {fit!r}.")
            n_layers = weight.size
            frames[activation, init] = {"weight": _significant(weight), "error": _significant(error),
                                        "factor": round(decay_factor(error[fit_layers]), 2),
                                        "weight_factor": round(decay_factor(weight[weight_fit_layers]), 2)}
    return {"activations": activations, "inits": inits, "layers": list(range(1, n_layers + 1)), "frames": frames}


#: A factor per layer within this band counts as keeping the size (the chapter's "near 1").
NEAR_ONE = (0.9, 1.1)


def _near_one(factor) -> bool:
    return NEAR_ONE[0] <= factor <= NEAR_ONE[1]


def _readout(activation, init, frame) -> str:
    """One line under the figure: the backward error's factor per layer and what the weight gradient does.

    The weight gradient dL/dW[l] = delta[l] a[l-1]^T can be flat while the error vanishes or explodes: when the
    forward activations shrink (or grow) towards the output as fast as the error shrinks (or grows) towards the
    input. Then the line's height, not its slope, says whether it has vanished; the readout says so.
    """
    factor, weight = frame["factor"], frame["weight"]
    trend = "shrinks" if factor < 1 else "grows"
    verdict = "it keeps its size" if _near_one(factor) else "it vanishes" if factor < 1 else "it explodes"
    text = f"{activation}, {init}: towards the input the backward error {trend} by a factor {factor:.2f} per layer "
    text += f"({verdict}); "
    if _near_one(frame["weight_factor"]) and not _near_one(factor):
        size = ("has vanished" if max(weight) < 1e-6 else "has exploded" if min(weight) > 1e3
                else "is small" if factor < 1 else "is large")
        text += (f"the forward activations {'shrink' if factor < 1 else 'grow'} as fast towards the output, so "
                 f"the weight gradient δ[l]·a[l−1]ᵀ is flat, but it {size} in every layer: ")
    else:
        text += "the weight gradient δ[l]·a[l−1]ᵀ: "
    return text + f"||dL/dW[1]|| = {weight[0]:.2g}, ||dL/dW[{len(weight)}]|| = {weight[-1]:.2g}"


def flow_figure(frames: dict, name: str = "gradient-flow", default=None, labels=None):
    """The interactive figure of :func:`flow_frames`' result: the activation and the initialisation as choices.

    ``default`` is the (activation, init) shown first and drawn as the still (default: the first of each);
    ``labels`` maps an activation name or an init label to the text of its option (e.g. {"relu": "ReLU",
    "he": "He"}). The backward error is drawn solid, the weight gradient dotted, in the activation's colour.
    """
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    from backprop.interactive import Choice, interactive_figure

    activations, inits, layers = frames["activations"], frames["inits"], frames["layers"]
    default = (activations[0], inits[0]) if default is None else tuple(default)
    if default not in frames["frames"]:
        raise ValueError(f"default must be an (activation, init) pair of the frames, e.g. "
                         f"{(activations[0], inits[0])!r}; got {default!r}.")
    labels = dict(labels or {})

    def label(key):
        return labels.get(key, key)

    first = frames["frames"][default]
    everything = np.concatenate([np.r_[f["weight"], f["error"]] for f in frames["frames"].values()])
    low, high = np.floor(np.log10(everything.min())) - 0.5, np.ceil(np.log10(everything.max())) + 0.5
    colour = ACTIVATION_COLOURS.get(default[0], "#1f77b4")
    weight_name, error_name = "weight gradient ||dL/dW[l]|| (dotted)", "backward error ||δ[l]|| (solid)"

    base = go.Figure()
    base.add_trace(go.Scatter(x=layers, y=first["weight"], mode="lines+markers", name=weight_name,
                              line=dict(color=colour, width=2, dash="dot"), marker=dict(size=8, symbol="diamond"),
                              hovertemplate="layer %{x}: ||dL/dW|| = %{y:.3g}<extra></extra>"))
    base.add_trace(go.Scatter(x=layers, y=first["error"], mode="lines+markers", name=error_name,
                              line=dict(color=colour, width=2.5), marker=dict(size=8),
                              hovertemplate="layer %{x}: ||δ|| = %{y:.3g}<extra></extra>"))
    base.update_layout(
        xaxis=dict(title=dict(text="layer l (1 = next to the input)"), tickmode="array", tickvals=layers,
                   zeroline=False),
        yaxis=dict(type="log", title=dict(text="norm (log scale)"), range=[float(low), float(high)],
                   exponentformat="power"),
        legend=dict(orientation="h", x=0.0, y=-0.2, xanchor="left", traceorder="reversed"), height=440,
        margin=dict(l=70, r=20, t=20, b=40), plot_bgcolor="white")
    states = {}
    for a, activation in enumerate(activations):
        colour = ACTIVATION_COLOURS.get(activation, "#1f77b4")
        for i, init in enumerate(inits):
            frame = frames["frames"][activation, init]
            states[a, i] = {0: {"y": frame["weight"], "line": {"color": colour}},
                            1: {"y": frame["error"], "line": {"color": colour}},
                            "readout": _readout(label(activation), label(init), frame)}
    controls = [Choice("activation", options=[label(a) for a in activations],
                       default=activations.index(default[0])),
                Choice("initialisation", options=[label(i) for i in inits], default=inits.index(default[1]))]

    still, ax = plt.subplots(figsize=(7, 4))
    colour = ACTIVATION_COLOURS.get(default[0], "C0")
    ax.semilogy(layers, first["error"], "o-", color=colour, lw=2, label=error_name)
    ax.semilogy(layers, first["weight"], "D:", color=colour, label=weight_name)
    ax.set(xlabel="layer l (1 = next to the input)", ylabel="norm (log scale)", xticks=layers,
           ylim=(10 ** low, 10 ** high),
           title=f"{label(default[0])}, {label(default[1])}: backward error × {first['factor']:.2f} per layer back")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    still.tight_layout()

    keeping = [f"{label(a)} with {label(i)}" for (a, i), f in frames["frames"].items() if _near_one(f["factor"])]
    flat = [f"{label(a)} with {label(i)}" for (a, i), f in frames["frames"].items()
            if _near_one(f["weight_factor"]) and not _near_one(f["factor"])]
    alt = (f"The norms of each layer's backward error (solid line) and weight gradient (dotted line) against the "
           f"layer index, 1 to {layers[-1]}, on a log scale, at initialisation, for a network of {layers[-1] - 1} "
           f"hidden layers; two menus choose the activation ({', '.join(label(a) for a in activations)}) and the "
           f"initialisation ({', '.join(label(i) for i in inits)}). The backward error keeps its size (a factor "
           f"from {NEAR_ONE[0]} to {NEAR_ONE[1]} per layer) only for "
           f"{', '.join(keeping) if keeping else 'none of them'}; with every other choice it falls or rises "
           f"steeply towards the input.")
    if flat:
        alt += (f" For {', '.join(flat)} the weight gradient's line is flat although the error's is not, because "
                f"the forward activations change by the same factor; its height then shows whether it has vanished "
                f"or exploded in every layer.")
    return interactive_figure(name=name, base=base, controls=controls, states=states, still=still, alt=alt)
