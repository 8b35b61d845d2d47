"""Ising configurations, |m| and a network's output against temperature (chapters 10-11): a temperature slider.

Chapter 11 holds everything this figure shows: the sampled configurations of every lattice size at every
temperature (``backprop.ising.data.ising_dataset``), their magnetisations, and the outputs of the block-spin
network of route 1 on the test configurations. :func:`ising_frames` picks one configuration of one lattice size per
temperature and averages the rest; :func:`ising_figure` draws, for the temperature on the slider, that configuration
(white +1, black -1), the mean |m| of every size against T and the network's mean output of every size against T,
with the current temperature marked on both curves, and a matplotlib still of the default temperature.

Bytes. A configuration is stored as ``(s + 1) / 2``, one digit per spin (0 down, 1 up): a 40 x 40 lattice is about
3.2 KB of JSON per temperature. Means are rounded to 3 decimals: they are averages of exact spin sums and of the
outputs of a network whose training is not chaotic (chapter 11 checks it), so machines agree far beyond them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from backprop.checks import as_finite_vector

#: One colour per lattice size, in the order of chapter 11's figures (matplotlib's default cycle).
SIZE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def ising_frames(temperatures, lattices, magnetisation: Mapping, outputs: Mapping) -> dict:
    """What the figure shows at every temperature.

    Parameters
    ----------
    temperatures : the temperature grid, shape (n_T,), increasing.
    lattices : one configuration of ±1 spins per temperature, shape (n_T, L, L) (e.g. ``spins[:, 0]`` of one size).
    magnetisation : {L: m per site of every configuration, shape (n_T, n_samples)}, for the sizes to draw.
    outputs : {L: the network's output of every test configuration, shape (n_T, n_test)}, same sizes.

    Returns
    -------
    dict with ``"temperatures"``, ``"sizes"``, ``"L"`` (the lattice's size), ``"lattices"`` (n_T lists of L rows of
    0/1: ``(s + 1) / 2``), ``"lattice_abs_m"`` (|m| of each shown configuration, 3 decimals), ``"abs_m"`` and
    ``"output"`` ({L: the mean over the configurations at each T, 3 decimals}).
    """
    temperatures = as_finite_vector(temperatures, "temperatures")
    if temperatures.size < 2 or not np.all(np.diff(temperatures) > 0):
        raise ValueError(f"temperatures must be increasing, at least 2 of them; got {temperatures.tolist()}.")
    n_T = temperatures.size
    lattices = np.asarray(lattices)
    if lattices.ndim != 3 or lattices.shape[0] != n_T or lattices.shape[1] != lattices.shape[2]:
        raise ValueError(f"lattices must have shape (n_temperatures={n_T}, L, L), one square configuration per "
                         f"temperature; got {lattices.shape}. Pass e.g. data[40]['spins'][:, 0].")
    if not np.all(np.isin(lattices, (-1, 1))):
        raise ValueError("lattices must hold spins -1 and +1 only.")
    if not isinstance(magnetisation, Mapping) or not isinstance(outputs, Mapping) or not magnetisation:
        raise ValueError("magnetisation and outputs must be non-empty dicts {L: array (n_temperatures, n)}.")
    if set(magnetisation) != set(outputs):
        raise ValueError(f"magnetisation and outputs must have the same sizes; got {sorted(magnetisation)} and "
                         f"{sorted(outputs)}.")
    abs_m, output = {}, {}
    for L in magnetisation:
        for name, values, store in (("magnetisation", magnetisation[L], abs_m), ("outputs", outputs[L], output)):
            values = np.asarray(values, dtype=float)
            if values.ndim != 2 or values.shape[0] != n_T or not np.all(np.isfinite(values)):
                raise ValueError(f"{name}[{L!r}] must be a finite array (n_temperatures={n_T}, n); got shape "
                                 f"{values.shape}.")
            store[L] = np.round(np.abs(values).mean(axis=1) if name == "magnetisation" else values.mean(axis=1),
                                3).tolist()
    up = ((lattices + 1) // 2).astype(int)
    return {"temperatures": temperatures.tolist(), "sizes": list(magnetisation), "L": int(lattices.shape[1]),
            "lattices": up.tolist(), "lattice_abs_m": np.round(np.abs(lattices.mean(axis=(1, 2))), 3).tolist(),
            "abs_m": abs_m, "output": output}


def _readout(frames, k) -> str:
    T, L = frames["temperatures"][k], frames["L"]
    outputs = ", ".join(f"{frames['output'][size][k]:.2f}" for size in frames["sizes"])
    return (f"T = {T:.2f}: |m| = {frames['lattice_abs_m'][k]:.2f} here, {frames['abs_m'][L][k]:.2f} on average "
            f"(L = {L}); network output, L = {frames['sizes'][0]} to {frames['sizes'][-1]}: {outputs}")


def ising_figure(frames: dict, name: str = "ising-temperature", default_temperature=None, marks=(),
                 unlabelled=None):
    """The interactive figure of :func:`ising_frames`' result: one temperature slider.

    ``default_temperature`` picks the state shown first and drawn as the still (the grid temperature nearest to it;
    default the middle of the grid); ``marks`` are (temperature, text) pairs under the slider (e.g. the edges of the
    training windows); ``unlabelled`` = (low, high) shades that band of temperature in both curve panels.
    """
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    from backprop.interactive import Slider, interactive_figure

    temps, sizes, L = frames["temperatures"], frames["sizes"], frames["L"]
    if L not in sizes:
        raise ValueError(f"the lattice's size L = {L} must be one of the sizes whose curves are drawn ({sizes}).")
    k0 = len(temps) // 2 if default_temperature is None else int(np.argmin(np.abs(np.asarray(temps) -
                                                                                 default_temperature)))
    T0 = temps[k0]
    colours = {size: SIZE_COLOURS[i % len(SIZE_COLOURS)] for i, size in enumerate(sizes)}

    base = go.Figure()
    base.add_trace(go.Heatmap(z=frames["lattices"][k0], zmin=0, zmax=1, colorscale=[[0, "black"], [1, "white"]],
                              showscale=False, hoverinfo="skip", name=f"L = {L} configuration", xaxis="x",
                              yaxis="y"))
    panels = (("abs_m", "x2", "y2"), ("output", "x3", "y3"))
    marker_traces = {}
    for key, xaxis, yaxis in panels:
        for size in sizes:
            base.add_trace(go.Scatter(x=temps, y=frames[key][size], mode="lines", name=f"L = {size}",
                                      line=dict(color=colours[size], width=2.5 if size == L and key == "abs_m"
                                                else 1.5),
                                      legendgroup=f"L{size}", showlegend=key == "output", xaxis=xaxis, yaxis=yaxis,
                                      hovertemplate=f"L = {size}, T = %{{x}}: %{{y}}<extra></extra>"))
        marker_traces[key] = len(base.data)
        base.add_trace(go.Scatter(x=[T0, T0], y=[0, 1], mode="lines", line=dict(color="black", dash="dot", width=1),
                                  showlegend=False, hoverinfo="skip", xaxis=xaxis, yaxis=yaxis))
        points = ([frames["lattice_abs_m"][k0]] if key == "abs_m" else [frames["output"][s][k0] for s in sizes])
        base.add_trace(go.Scatter(x=[T0] * len(points), y=points, mode="markers", showlegend=False,
                                  marker=dict(color="black" if key == "abs_m" else [colours[s] for s in sizes],
                                              size=9, line=dict(color="black", width=1)),
                                  name="this configuration" if key == "abs_m" else "outputs at T",
                                  hovertemplate="%{y}<extra></extra>", xaxis=xaxis, yaxis=yaxis))
    shapes = []
    if unlabelled is not None:
        low, high = (float(t) for t in unlabelled)
        shapes = [dict(type="rect", xref=x, yref=f"{y} domain", x0=low, x1=high, y0=0, y1=1,
                       fillcolor="rgba(0,0,0,0.07)", line=dict(width=0), layer="below")
                  for x, y in (("x2", "y2"), ("x3", "y3"))]
    t_range = [temps[0] - 0.05, temps[-1] + 0.05]
    base.update_layout(
        xaxis=dict(domain=[0.0, 0.27], showticklabels=False, ticks="", showgrid=False, zeroline=False,
                   constrain="domain", title=dict(text=f"L = {L}: white +1, black −1")),
        yaxis=dict(scaleanchor="x", autorange="reversed", showticklabels=False, ticks="", showgrid=False,
                   zeroline=False, constrain="domain"),
        xaxis2=dict(domain=[0.35, 0.63], range=t_range, title=dict(text="T"), anchor="y2", zeroline=False),
        yaxis2=dict(range=[0, 1.02], title=dict(text="mean |m|"), anchor="x2", zeroline=False),
        xaxis3=dict(domain=[0.73, 1.0], range=t_range, title=dict(text="T"), anchor="y3", zeroline=False),
        yaxis3=dict(range=[0, 1.02], title=dict(text="network output"), anchor="x3", zeroline=False),
        legend=dict(orientation="h", x=0.36, y=-0.22, xanchor="left"), shapes=shapes, height=380,
        margin=dict(l=40, r=20, t=20, b=60), plot_bgcolor="white")

    states = {}
    for k, T in enumerate(temps):
        outputs_at = [frames["output"][s][k] for s in sizes]
        states[(k,)] = {0: {"z": frames["lattices"][k]},
                        marker_traces["abs_m"]: {"x": [T, T]},
                        marker_traces["abs_m"] + 1: {"x": [T], "y": [frames["lattice_abs_m"][k]]},
                        marker_traces["output"]: {"x": [T, T]},
                        marker_traces["output"] + 1: {"x": [T] * len(sizes), "y": outputs_at},
                        "readout": _readout(frames, k)}
    controls = [Slider("temperature T", values=temps, labels=[f"{T:.2f}" for T in temps], default=k0,
                       marks=tuple(marks),
                       hint="From cold to hot, the lattice goes from one colour to a salt-and-pepper mixture.")]

    still, (ax_lattice, ax_m, ax_out) = plt.subplots(1, 3, figsize=(13, 3.8),
                                                     gridspec_kw={"width_ratios": [1, 1.2, 1.2]})
    ax_lattice.imshow(np.asarray(frames["lattices"][k0]) * 2 - 1, cmap="gray", vmin=-1, vmax=1,
                      interpolation="nearest")
    ax_lattice.set(xticks=[], yticks=[], title=f"L = {L}, T = {T0:.2f}: white +1, black −1")
    for ax, key, label in ((ax_m, "abs_m", "mean |m|"), (ax_out, "output", "network output, P(disordered)")):
        for size in sizes:
            ax.plot(temps, frames[key][size], color=colours[size], lw=2.5 if size == L and key == "abs_m" else 1.5,
                    label=f"L = {size}")
        ax.axvline(T0, color="k", ls=":", lw=1)
        if unlabelled is not None:
            ax.axvspan(*unlabelled, color="0.93", zorder=0)
        ax.set(xlabel="T", ylabel=label, ylim=(0, 1.02))
    ax_m.plot([T0], [frames["lattice_abs_m"][k0]], "o", color="k", label="this configuration")
    ax_out.scatter([T0] * len(sizes), [frames["output"][s][k0] for s in sizes], c=[colours[s] for s in sizes],
                   edgecolors="k", zorder=3)
    ax_out.legend(fontsize=7, loc="lower right")
    ax_m.legend(fontsize=7, loc="upper right")
    still.tight_layout()

    alt = (f"Left: one sampled configuration of the {L} x {L} Ising lattice at the chosen temperature, white for "
           f"spin +1 and black for -1. Middle: the mean |m| against the temperature T for the lattice sizes "
           f"{', '.join(str(s) for s in sizes)}, with the shown configuration's |m| as a black dot. Right: the "
           f"network's mean output, the probability of the disordered phase, against T for the same sizes, with "
           f"the values at the chosen T marked. A slider chooses T from {temps[0]:.2f} to {temps[-1]:.2f}.")
    return interactive_figure(name=name, base=base, controls=controls, states=states, still=still, alt=alt)
