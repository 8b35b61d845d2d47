"""Ising configurations, |m| and a network's output against temperature (chapters 10-11): a temperature slider.

Chapter 11 holds everything this figure shows: the sampled configurations of every lattice size at every
temperature (``backprop.ising.data.ising_dataset``), their magnetisations, and the outputs of the block-spin
network of route 1 on the test configurations. :func:`ising_frames` picks one configuration of one lattice size per
temperature and averages the rest; :func:`ising_figure` draws, for the temperature on the slider, that configuration
(amber +1, navy -1), the mean |m| of every size against T and the network's mean output of every size against T,
over the whole grid and zoomed near the critical temperature, with the current temperature marked on the curves,
and a matplotlib still of the default temperature.

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
    return (f"T = {T:.2f}: |m| = {frames['lattice_abs_m'][k]:.2f} here, mean {frames['abs_m'][L][k]:.2f} (L = {L}); "
            f"outputs, L = {frames['sizes'][0]} to {frames['sizes'][-1]}: {outputs}")


#: The spins' colours in the lattice panel: +1 amber, -1 navy, both visible on the white page.
SPIN_COLOURS = ("#1d2951", "#f0b429")  # (-1, +1)
#: The x step of the traces drawn at one temperature (the lines at T and the dots): each is placed by ``x0`` alone,
#: one number per state instead of a list (it keeps the figure under 200 KB). Plotly reads ``dx = 0`` as 1, so the
#: step is a negligible 1e-9 instead.
STEP = 1e-9
#: The temperature range of the zoomed output panel (around the critical temperature 2.269).
ZOOM = (2.0, 2.6)


def _spin_key() -> str:
    """The lattice panel's title: the two spin colours as coloured squares."""
    down, up = SPIN_COLOURS
    return f"<span style='color:{up}'>■</span> +1   <span style='color:{down}'>■</span> −1"


def ising_figure(frames: dict, name: str = "ising-temperature", default_temperature=None, marks=(),
                 unlabelled=None, zoom=ZOOM, finding: str = ""):
    """The interactive figure of :func:`ising_frames`' result: one temperature slider.

    Four panels, two by two, so that they keep a usable width on a narrow screen: the configuration (amber +1, navy
    -1, framed) and the mean |m| of every size against T on top; below, the network's mean output of every size
    against T, over the whole grid and zoomed to ``zoom`` = (low, high), where the curves cross and the dots at T
    change order. ``default_temperature`` picks the state shown first and drawn as the still (the grid temperature
    nearest to it; default the middle of the grid); ``marks`` are (temperature, text) pairs under the slider (e.g.
    the edges of the training windows); ``unlabelled`` = (low, high) shades that band of temperature in the curve
    panels; ``finding`` is a sentence or two added to the description (what the figure shows, not only its layout).
    """
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go
    from matplotlib.colors import ListedColormap

    from backprop.interactive import Slider, interactive_figure

    temps, sizes, L = frames["temperatures"], frames["sizes"], frames["L"]
    if L not in sizes:
        raise ValueError(f"the lattice's size L = {L} must be one of the sizes whose curves are drawn ({sizes}).")
    zoom = tuple(float(t) for t in zoom)
    if len(zoom) != 2 or not temps[0] <= zoom[0] < zoom[1] <= temps[-1]:
        raise ValueError(f"zoom must be (low, high) with low < high inside the temperature grid "
                         f"[{temps[0]}, {temps[-1]}]; got {zoom!r}.")
    k0 = len(temps) // 2 if default_temperature is None else int(np.argmin(np.abs(np.asarray(temps) -
                                                                                 default_temperature)))
    T0 = temps[k0]
    colours = {size: SIZE_COLOURS[i % len(SIZE_COLOURS)] for i, size in enumerate(sizes)}
    frame_line = dict(showline=True, mirror=True, linecolor="black", linewidth=1)

    base = go.Figure()
    base.add_trace(go.Heatmap(z=frames["lattices"][k0], zmin=0, zmax=1,
                              colorscale=[[0, SPIN_COLOURS[0]], [1, SPIN_COLOURS[1]]], showscale=False,
                              hoverinfo="skip", name=f"L = {L} configuration", xaxis="x", yaxis="y"))
    panels = (("abs_m", "x2", "y2"), ("output", "x3", "y3"))
    marker_traces = {}
    for key, xaxis, yaxis in panels:
        for size in sizes:
            base.add_trace(go.Scatter(x=temps, y=frames[key][size], mode="lines", name=f"L = {size}",
                                      line=dict(color=colours[size], width=2.5 if size == L and key == "abs_m"
                                                else 1.5),
                                      legendgroup=f"L{size}", showlegend=key == "output", xaxis=xaxis,
                                      yaxis=yaxis))
        marker_traces[key] = len(base.data)
        base.add_trace(go.Scatter(x0=T0, dx=STEP, y=[0, 1], mode="lines", line=dict(color="black", dash="dot", width=1),
                                  showlegend=False, hoverinfo="skip", xaxis=xaxis, yaxis=yaxis))
    # The shown configuration's |m| on the |m| panel (the output panel's dots are drawn on the zoom below).
    marker_traces["dot"] = len(base.data)
    base.add_trace(go.Scatter(x0=T0, dx=STEP, y=[frames["lattice_abs_m"][k0]], mode="markers", showlegend=False,
                              marker=dict(color="black", size=9), name="this configuration",
                              hovertemplate="%{y}<extra></extra>", xaxis="x2", yaxis="y2"))
    # The zoom: the output curves on the grid points inside it (evenly spaced: x0 and dx, not a list), then the
    # line at T and the dots (off the panel when T is outside the zoom).
    inside = [k for k, T in enumerate(temps) if zoom[0] - 1e-9 <= T <= zoom[1] + 1e-9]
    if len(inside) < 2:
        raise ValueError(f"zoom {zoom!r} must hold at least 2 grid temperatures; it holds {len(inside)}.")
    steps = np.diff([temps[k] for k in inside])
    even = len(inside) > 2 and np.allclose(steps, steps[0], rtol=1e-6, atol=0)
    for size in sizes:
        where = dict(x0=temps[inside[0]], dx=float(f"{steps[0]:.4g}")) if even else dict(x=[temps[k] for k in inside])
        base.add_trace(go.Scatter(**where, y=[frames["output"][size][k] for k in inside],
                                  mode="lines+markers", marker=dict(size=4), name=f"L = {size}",
                                  line=dict(color=colours[size], width=1.5), legendgroup=f"L{size}",
                                  showlegend=False, xaxis="x4", yaxis="y4"))
    marker_traces["zoom"] = len(base.data)
    base.add_trace(go.Scatter(x0=T0, dx=STEP, y=[0, 1], mode="lines", line=dict(color="black", dash="dot", width=1),
                              showlegend=False, hoverinfo="skip", xaxis="x4", yaxis="y4"))
    base.add_trace(go.Scatter(x0=T0, dx=STEP, y=[frames["output"][s][k0] for s in sizes], mode="markers",
                              showlegend=False, name="outputs at T",
                              marker=dict(color=[colours[s] for s in sizes], size=10,
                                          line=dict(color="black", width=1)),
                              hovertemplate="%{y}<extra></extra>", xaxis="x4", yaxis="y4"))
    shapes = []
    if unlabelled is not None:
        low, high = (float(t) for t in unlabelled)
        shapes = [dict(type="rect", xref=x, yref=f"{y} domain", x0=low, x1=high, y0=0, y1=1,
                       fillcolor="rgba(0,0,0,0.07)", line=dict(width=0), layer="below")
                  for x, y in (("x2", "y2"), ("x3", "y3"), ("x4", "y4"))]
    shapes.append(dict(type="rect", xref="x3", yref="y3 domain", x0=zoom[0], x1=zoom[1], y0=0, y1=1,
                       line=dict(color="black", width=1, dash="dash"), fillcolor="rgba(0,0,0,0)"))
    t_range = [temps[0] - 0.05, temps[-1] + 0.05]
    top, bottom = [0.58, 1.0], [0.0, 0.4]
    base.update_layout(
        xaxis=dict(domain=[0.0, 0.4], showticklabels=False, ticks="", showgrid=False, zeroline=False,
                   constrain="domain", **frame_line),
        yaxis=dict(domain=top, scaleanchor="x", autorange="reversed", showticklabels=False, ticks="",
                   showgrid=False, zeroline=False, constrain="domain", **frame_line),
        xaxis2=dict(domain=[0.58, 1.0], range=t_range, title=dict(text="T", standoff=2), anchor="y2",
                    zeroline=False),
        yaxis2=dict(domain=top, range=[0, 1.02], title=dict(text="mean |m|", standoff=4), anchor="x2",
                    zeroline=False),
        xaxis3=dict(domain=[0.0, 0.42], range=t_range, title=dict(text="T", standoff=2), anchor="y3",
                    zeroline=False),
        yaxis3=dict(domain=bottom, range=[0, 1.02], title=dict(text="network output", standoff=4), anchor="x3",
                    zeroline=False),
        xaxis4=dict(domain=[0.58, 1.0], range=list(zoom), title=dict(text=f"T (zoom: {zoom[0]:g} to {zoom[1]:g})",
                                                                    standoff=2), anchor="y4", zeroline=False),
        yaxis4=dict(domain=bottom, range=[0, 1.02], title=dict(text="network output", standoff=4), anchor="x4",
                    zeroline=False),
        annotations=[dict(text=f"L = {L}: {_spin_key()}", xref="x domain", yref="y domain", x=0.5, y=1.0,
                          xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=13))],
        legend=dict(orientation="h", x=0.0, y=-0.13, xanchor="left", yanchor="top"), shapes=shapes, height=580,
        margin=dict(l=50, r=15, t=30, b=40), plot_bgcolor="white")

    states = {}
    for k, T in enumerate(temps):
        outputs_at = [frames["output"][s][k] for s in sizes]
        # The lines at T and the dots are placed by x0 (their dx is STEP): one number per state, not a list.
        states[(k,)] = {0: {"z": frames["lattices"][k]},
                        marker_traces["abs_m"]: {"x0": T},
                        marker_traces["output"]: {"x0": T},
                        marker_traces["dot"]: {"x0": T, "y": [frames["lattice_abs_m"][k]]},
                        marker_traces["zoom"]: {"x0": T},
                        marker_traces["zoom"] + 1: {"x0": T, "y": outputs_at},
                        "readout": _readout(frames, k)}
    controls = [Slider("temperature T", values=temps, labels=[f"{T:.2f}" for T in temps], default=k0,
                       marks=tuple(marks),
                       hint=(f"From cold to hot, the lattice goes from one colour to an amber-and-navy mixture; "
                             f"between T = {zoom[0]:g} and {zoom[1]:g} (the zoomed panel) the network's outputs "
                             f"change order."))]

    still, axes = plt.subplots(2, 2, figsize=(10, 7.4))
    (ax_lattice, ax_m), (ax_out, ax_zoom) = axes
    ax_lattice.imshow(np.asarray(frames["lattices"][k0]), cmap=ListedColormap(SPIN_COLOURS), vmin=0, vmax=1,
                      interpolation="nearest")
    ax_lattice.set(xticks=[], yticks=[], title=f"L = {L}, T = {T0:.2f}: amber +1, navy −1")
    for ax, key, label in ((ax_m, "abs_m", "mean |m|"), (ax_out, "output", "network output, P(disordered)"),
                           (ax_zoom, "output", "network output (zoom)")):
        zoomed = ax is ax_zoom
        for size in sizes:
            ts = [temps[k] for k in inside] if zoomed else temps
            ax.plot(ts, [frames[key][size][k] for k in inside] if zoomed else frames[key][size],
                    "o-" if zoomed else "-", ms=3, color=colours[size],
                    lw=2.5 if size == L and key == "abs_m" else 1.5, label=f"L = {size}")
        ax.axvline(T0, color="k", ls=":", lw=1)
        if unlabelled is not None:
            ax.axvspan(*unlabelled, color="0.93", zorder=0)
        ax.set(xlabel="T", ylabel=label, ylim=(0, 1.02))
    ax_zoom.set_xlim(*zoom)
    ax_out.axvspan(*zoom, fill=False, ls="--", lw=1, ec="k")
    ax_m.plot([T0], [frames["lattice_abs_m"][k0]], "o", color="k", label="this configuration")
    ax_zoom.scatter([T0] * len(sizes), [frames["output"][s][k0] for s in sizes], c=[colours[s] for s in sizes],
                    edgecolors="k", zorder=3)
    ax_out.legend(fontsize=7, loc="lower right")
    ax_m.legend(fontsize=7, loc="upper right")
    still.tight_layout()

    alt = (f"Top left: one sampled configuration of the {L} x {L} Ising lattice at the chosen temperature, amber for "
           f"spin +1 and navy for -1. Top right: the mean |m| against the temperature T for the lattice sizes "
           f"{', '.join(str(s) for s in sizes)}, with the shown configuration's |m| as a black dot. Bottom: the "
           f"network's mean output, the probability of the disordered phase, against T for the same sizes, with the "
           f"values at the chosen T marked, over the whole range (left) and zoomed to T = {zoom[0]:g} to "
           f"{zoom[1]:g} (right). A slider chooses T from {temps[0]:.2f} to {temps[-1]:.2f}.")
    if finding:
        alt += " " + finding
    return interactive_figure(name=name, base=base, controls=controls, states=states, still=still, alt=alt)
