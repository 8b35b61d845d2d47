"""A decision boundary as it forms during training (chapter 7): an epoch slider, a hidden-size choice.

The chapter trains the package's ``backprop.mlp.MLP`` with ``snapshot_epochs``, so each fitted network keeps copies
of its weights at those epochs (``snapshots_``). :func:`boundary_frames` turns them into what the page draws, one
frame per (hidden size, epoch): the probability of class 1 on a coarse grid over the data, in whole percent; the
training samples the network gets wrong; the training loss. :func:`boundary_figure` draws the frames with Plotly
(the boundary and the samples on the left, the loss curve with the current epoch marked on the right) and builds
the interactive figure, with a matplotlib still of the default frame.

Rounding. The probabilities are stored in whole percent and the loss to 4 significant digits: training at the
chapter's learning rate is stable (the loss falls at every epoch after the 100th), so the last bits that differ
from one CPU to another never reach those digits, and :func:`boundary_frames` reports the smallest |logit| of a
training sample so that the chapter can check that no sample sits so close to the boundary that rounding could move
it to the other side.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from backprop.activations import sigmoid
from backprop.checks import as_sample_matrix, as_targets, positive_int
from backprop.mlp import MLP, batch_loss, forward

#: The class colours of the chapter's figures (matplotlib's RdYlBu at 0 and 1), and the probability colour scale.
CLASS_COLOURS = ("#a50026", "#313695")
#: One colour per hidden size in the loss panel (matplotlib's tab10, as the chapter's figures).
LOSS_COLOURS = ("#9467bd", "#ff7f0e", "#1f77b4", "#2ca02c", "#d62728", "#8c564b")
PROBABILITY_SCALE = [[0.0, "#d73027"], [0.25, "#fc8d59"], [0.5, "#ffffbf"], [0.75, "#91bfdb"], [1.0, "#4575b4"]]


def probability_grid(X, n_points: int = 25, margin: float = 0.5):
    """The coarse grid the boundary is drawn on: ``(xs, ys)``, each of ``n_points`` values, rounded to 3 decimals,
    spanning the samples ``X`` (shape (n_samples, 2)) plus ``margin`` on every side."""
    X = as_sample_matrix(X, "X", 2)
    n_points = positive_int(n_points, "n_points")
    if n_points < 2:
        raise ValueError(f"n_points must be at least 2 (a grid needs two points a side); got {n_points}.")
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = (np.round(np.linspace(a, b, n_points), 3) for a, b in zip(low, high, strict=True))
    return xs, ys


def boundary_frames(models: Mapping, X, y, n_points: int = 25, margin: float = 0.5) -> dict:
    """What the figure shows for every (hidden size, epoch), from networks fitted with ``snapshot_epochs``.

    Parameters
    ----------
    models : {hidden size: fitted ``MLP``}, all with the same ``snapshot_epochs`` (one hidden layer each).
    X : array of shape (n_samples, 2), the training samples; y : their labels 0/1, shape (n_samples,).
    n_points, margin : the grid (see :func:`probability_grid`).

    Returns
    -------
    dict with ``"sizes"`` (list), ``"epochs"`` (list), ``"xs"``, ``"ys"`` (the grid), ``"loss_curves"``
    ({size: the training loss of every epoch, and the loss at the final weights last}), ``"min_abs_logit"`` (the
    smallest |logit| of a training sample over every frame) and ``"frames"``: {(size, epoch): {"percent": list of
    n_points rows of whole percents (row k at ys[k]), "wrong": indices of the misclassified samples, "right": how
    many are right, "loss": the training loss at that epoch}}.
    """
    if not isinstance(models, Mapping) or not models:
        raise ValueError(f"models must be a non-empty dict {{hidden size: fitted MLP}}; got {models!r}.")
    X = as_sample_matrix(X, "X", 2)
    y = as_targets(y, X.shape[0], "y", binary=True).ravel().astype(int)
    epochs = None
    for size, model in models.items():
        if not isinstance(model, MLP) or not hasattr(model, "snapshots_"):
            raise ValueError(f"models[{size!r}] must be an MLP fitted with snapshot_epochs; got "
                             f"{type(model).__name__}. Fit MLP(..., snapshot_epochs=[0, 100, ...]) first.")
        if len(model.hidden_sizes) != 1 or model.loss != "binary_cross_entropy":
            raise ValueError(f"models[{size!r}] must be a classifier with one hidden layer; got hidden_sizes "
                             f"{model.hidden_sizes!r} and loss {model.loss!r}.")
        these = sorted(model.snapshots_)
        if len(these) < 2:
            raise ValueError(f"models[{size!r}] kept {len(these)} snapshot(s); fit it with at least 2 "
                             f"snapshot_epochs (and check that it did not diverge).")
        if epochs is not None and these != epochs:
            raise ValueError(f"every model must keep the same snapshot epochs; models[{size!r}] kept {these}, "
                             f"another {epochs}.")
        epochs = these
    xs, ys = probability_grid(X, n_points, margin)
    grid_cols = np.array(np.meshgrid(xs, ys)).reshape(2, -1)  # (2, n_points**2), row k of the grid at ys[k]
    X_cols, Y_row = X.T, y[None, :].astype(float)
    frames, curves, smallest = {}, {}, np.inf
    for size, model in models.items():
        for epoch in epochs:
            weights, biases = model.snapshots_[epoch]
            logits = forward(weights, biases, X_cols, model.activation)[0][-1]
            loss = batch_loss(weights, logits, Y_row, model.loss, model.l2)
            grid_logits = forward(weights, biases, grid_cols, model.activation)[0][-1]
            percent = np.rint(100 * sigmoid(grid_logits)).astype(int).reshape(len(ys), len(xs))
            predicted = (logits[0] > 0).astype(int)
            smallest = min(smallest, float(np.min(np.abs(logits))))
            frames[size, epoch] = {"percent": percent.tolist(),
                                   "wrong": np.flatnonzero(predicted != y).tolist(),
                                   "right": int(np.sum(predicted == y)),
                                   "loss": float(f"{loss:.4g}")}
        final = frames[size, epochs[-1]]["loss"]
        curves[size] = [*model.loss_curve_, final] if epochs[-1] == len(model.loss_curve_) else list(model.loss_curve_)
    return {"sizes": list(models), "epochs": epochs, "xs": xs.tolist(), "ys": ys.tolist(), "loss_curves": curves,
            "min_abs_logit": smallest, "frames": frames}


def _epoch_label(epoch: int) -> str:
    return f"{epoch:,}"


def log_ticks(low: float, high: float) -> list[float]:
    """The 1-2-5 values between ``low`` and ``high`` (> 0): labelled ticks for a log axis whose range spans about
    one or two decades, where Plotly would label only the powers of ten and write bare digits in between."""
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        raise ValueError(f"log_ticks needs 0 < low < high, finite; got {low!r} and {high!r}.")
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    return [float(f"{m * 10.0 ** d:.3g}") for d in decades for m in (1, 2, 5) if low <= m * 10.0 ** d <= high]


def _tick_text(value: float) -> str:
    return f"{value:g}"


def _slider_hint(epochs) -> str:
    steps = np.diff(epochs)
    if np.all(steps == steps[0]):
        return f"One step is {_epoch_label(int(steps[0]))} epochs."
    return (f"The {len(epochs)} steps are uneven ({', '.join(_epoch_label(e) for e in epochs)} epochs): close "
            f"together early, where the boundary moves fastest; the diamond on the loss curve shows where the epoch "
            f"lies on an even scale.")


def boundary_figure(frames: dict, X, y, name: str = "decision-boundary", default_size=None, default_epoch=None,
                    curve_every: int = 50, finding: str = ""):
    """The interactive figure of :func:`boundary_frames`' result: an epoch slider and a hidden-size choice.

    ``default_size``/``default_epoch`` choose the state shown first and drawn as the still (defaults: the first
    size, the last epoch). The loss curves are drawn every ``curve_every`` epochs (the marker sits on the exact
    epoch); the loss axis is labelled at 1-2-5 values (:func:`log_ticks`). When the snapshot epochs are unevenly
    spaced, the hint beside the slider lists them. ``finding`` is a sentence or two added to the description: what
    the figure shows, not only its layout.
    """
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    from backprop.interactive import Choice, Slider, interactive_figure

    X = as_sample_matrix(X, "X", 2)
    y = as_targets(y, X.shape[0], "y", binary=True).ravel().astype(int)
    sizes, epochs = frames["sizes"], frames["epochs"]
    default_size = sizes[0] if default_size is None else default_size
    default_epoch = epochs[-1] if default_epoch is None else default_epoch
    if default_size not in sizes or default_epoch not in epochs:
        raise ValueError(f"default_size must be one of {sizes} and default_epoch one of {epochs}; got "
                         f"{default_size!r} and {default_epoch!r}.")
    curve_every = positive_int(curve_every, "curve_every")

    def curve(size):  # every curve_every-th epoch, drawn with x0 = 0 and dx = curve_every
        return np.asarray(frames["loss_curves"][size])[::curve_every]

    frames_of = frames["frames"]
    first = frames_of[default_size, default_epoch]
    base = go.Figure()
    base.add_trace(go.Contour(x=frames["xs"], y=frames["ys"], z=first["percent"], zmin=0, zmax=100,
                              colorscale=PROBABILITY_SCALE, contours=dict(start=50, end=50, size=1, coloring="heatmap"),
                              line=dict(color="black", width=2), opacity=0.75, name="P(class 1), %",
                              colorbar=dict(title=dict(text="P(class 1)", side="top"), ticksuffix="%", len=0.9,
                                            x=0.45, thickness=10, tickfont=dict(size=10)),
                              hovertemplate="feature 1 %{x}<br>feature 2 %{y}<br>P(class 1) %{z}%<extra></extra>",
                              xaxis="x", yaxis="y"))
    for label in (0, 1):
        base.add_trace(go.Scatter(x=X[y == label, 0], y=X[y == label, 1], mode="markers", name=f"class {label}",
                                  marker=dict(color=CLASS_COLOURS[label], size=6, line=dict(color="black", width=0.5)),
                                  xaxis="x", yaxis="y"))
    wrong = first["wrong"]
    # Every sample is on this trace; the misclassified ones are its selected points, the others are not drawn.
    base.add_trace(go.Scatter(x=X[:, 0], y=X[:, 1], mode="markers", name="misclassified", selectedpoints=wrong,
                              marker=dict(symbol="circle-open", size=13, color="black", line=dict(width=2)),
                              selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0)),
                              hoverinfo="skip", xaxis="x", yaxis="y"))
    n_fixed = 4  # the contour, the two classes and the misclassified samples; then one loss curve per size
    for s, size in enumerate(sizes):
        base.add_trace(go.Scatter(y=curve(size), x0=0, dx=curve_every, mode="lines", name=f"{size} hidden",
                                  line=dict(color=LOSS_COLOURS[s % len(LOSS_COLOURS)],
                                            width=3 if size == default_size else 1),
                                  opacity=1.0 if size == default_size else 0.35, xaxis="x2", yaxis="y2",
                                  legend="legend2", hovertemplate=f"{size} hidden, epoch %{{x}}: loss %{{y}}"
                                                                    "<extra></extra>"))
    base.add_trace(go.Scatter(x=[default_epoch], y=[first["loss"]], mode="markers", name="current epoch",
                              marker=dict(color="black", size=10, symbol="diamond"), xaxis="x2", yaxis="y2",
                              legend="legend2"))
    all_losses = np.concatenate([np.asarray(c) for c in frames["loss_curves"].values()])
    loss_low, loss_high = all_losses.min() * 0.8, all_losses.max() * 1.2
    ticks = log_ticks(loss_low, loss_high)
    base.update_layout(
        xaxis=dict(domain=[0.0, 0.43], title=dict(text="feature 1"), range=[frames["xs"][0], frames["xs"][-1]],
                   zeroline=False),
        yaxis=dict(title=dict(text="feature 2"), range=[frames["ys"][0], frames["ys"][-1]], zeroline=False),
        xaxis2=dict(domain=[0.64, 1.0], title=dict(text="epoch"), anchor="y2", range=[0, epochs[-1]],
                    zeroline=False),
        yaxis2=dict(type="log", title=dict(text="training loss (log scale)"), anchor="x2",
                    range=[float(np.log10(loss_low)), float(np.log10(loss_high))], tickmode="array",
                    tickvals=ticks, ticktext=[_tick_text(t) for t in ticks]),
        legend=dict(orientation="h", x=0.0, y=-0.22, xanchor="left"),
        legend2=dict(x=1.0, y=1.0, xanchor="right", yanchor="top", bgcolor="rgba(255,255,255,0.8)",
                     font=dict(size=11)),
        margin=dict(l=60, r=20, t=20, b=70), height=430, plot_bgcolor="white")

    states = {}
    for s, size in enumerate(sizes):
        for e, epoch in enumerate(epochs):
            frame = frames_of[size, epoch]
            state = {0: {"z": frame["percent"]}, 3: {"selectedpoints": frame["wrong"]},
                     n_fixed + len(sizes): {"x": [epoch], "y": [frame["loss"]]},
                     "readout": _readout(size, epoch, frame, len(y))}
            for k in range(len(sizes)):
                state[n_fixed + k] = {"line": {"width": 3 if k == s else 1}, "opacity": 1.0 if k == s else 0.35}
            states[e, s] = state
    controls = [Slider("training epoch", values=epochs, labels=[_epoch_label(e) for e in epochs],
                       default=epochs.index(default_epoch), hint=_slider_hint(epochs)),
                Choice("hidden units", options=[str(s) for s in sizes], default=sizes.index(default_size))]

    still, (ax_boundary, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    regions = ax_boundary.contourf(frames["xs"], frames["ys"], first["percent"], levels=np.linspace(0, 100, 11),
                                   cmap="RdYlBu", alpha=0.75)
    ax_boundary.contour(frames["xs"], frames["ys"], first["percent"], levels=[50], colors="k", linewidths=1.5)
    ax_boundary.scatter(X[:, 0], X[:, 1], c=y, cmap="RdYlBu", vmin=0, vmax=1, s=20, edgecolors="k", linewidths=0.5)
    ax_boundary.scatter(X[wrong, 0], X[wrong, 1], s=110, facecolors="none", edgecolors="k", linewidths=1.5,
                        label="misclassified")
    still.colorbar(regions, ax=ax_boundary, label="P(class 1), %")
    ax_boundary.set(xlabel="feature 1", ylabel="feature 2",
                    title=f"{default_size} hidden units, epoch {_epoch_label(default_epoch)}")
    ax_boundary.legend(loc="lower left", fontsize=8)
    for s, size in enumerate(sizes):
        ax_loss.semilogy(np.arange(0, len(frames["loss_curves"][size]), curve_every), curve(size),
                         color=LOSS_COLOURS[s % len(LOSS_COLOURS)], lw=2.5 if size == default_size else 1,
                         alpha=1.0 if size == default_size else 0.4, label=f"{size} hidden")
    ax_loss.plot([default_epoch], [first["loss"]], "D", color="k", label="current epoch")
    ax_loss.legend(fontsize=8)
    ax_loss.set(xlabel="epoch", ylabel="training loss (log scale)", title="training loss, current epoch marked",
                ylim=(loss_low, loss_high))
    ax_loss.set_yticks(ticks, [_tick_text(t) for t in ticks])
    ax_loss.minorticks_off()
    ax_loss.grid(True, alpha=0.3)
    still.tight_layout()

    alt = (f"Left: the probability of class 1 that a network with one hidden layer assigns over the plane, from red "
           f"(class 0) to blue (class 1), with the decision boundary at 50% as a black line, over the "
           f"{len(y)} training samples; misclassified samples are circled. Right: the training loss against the "
           f"epoch on a log scale, with the current epoch marked. A slider chooses the epoch (from "
           f"{_epoch_label(epochs[0])} to {_epoch_label(epochs[-1])}) and a menu the number of hidden units "
           f"({', '.join(str(s) for s in sizes)}).")
    if finding:
        alt += " " + finding
    return interactive_figure(name=name, base=base, controls=controls, states=states, still=still, alt=alt)


def _readout(size, epoch, frame, n_samples) -> str:
    return (f"{size} hidden unit{'s' if size != 1 else ''}, epoch {_epoch_label(epoch)}: training loss "
            f"{frame['loss']:.4f}, {frame['right']} of {n_samples} training samples right")

