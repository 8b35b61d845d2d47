"""Chapter 2's interactive figure: gradient descent on x² and on x² + 3y² as the learning rate moves.

``descent_figure()`` runs the package's ``gradient_descent`` once per learning rate of the slider and per function
(the chapter's start, x0 = 4 or (4, -4), its tolerance 0.01 and at most 30 steps), and stores each path: on the
parabola for x², over the contours for x² + 3y². The slider marks the boundaries the chapter derives, where the
factor 1 - αλ of a direction of curvature λ passes 0 and -1: α = 1/2 and 1 for x² (λ = 2), 1/6 and 1/3 for
x² + 3y² (λ = 2 and 6). The readout names the regime of the current α, the number of steps and why the run
stopped (the tolerance, tested on the gradient the last step used, or the 30-step limit).
"""

from __future__ import annotations

import numpy as np

from backprop.checks import positive_number
from backprop.gradient_descent import gradient_descent
from backprop.interactive.figure import Choice, Slider, interactive_figure

#: The slider's learning rates: 0.02 to 1.10 in steps of 0.02 (α = 1/2 and 1 are on the grid; 1/6 and 1/3 lie
#: between 0.16 and 0.18, and between 0.32 and 0.34).
LEARNING_RATES = np.round(np.arange(1, 56) * 0.02, 2)
#: The two functions: name, curvatures along x and y, start, the gradient.
FUNCTIONS = {
    "x²": {"curvatures": (2.0,), "x0": [4.0], "gradient": lambda p: 2 * p},
    "x² + 3y²": {"curvatures": (2.0, 6.0), "x0": [4.0, -4.0], "gradient": lambda p: np.array([2 * p[0], 6 * p[1]])},
}
MAX_STEPS = 30
TOLERANCE = 0.01
MARKS = [(1 / 6, "⅙"), (1 / 3, "⅓"), (0.5, "½"), (1.0, "1")]
HINT = ("Marks: on x², α below ½ converges monotonically, ½ to 1 oscillates and converges, above 1 diverges; "
        "on x² + 3y², below ⅙ monotone, ⅙ to ⅓ y oscillates, above ⅓ diverges.")


def regime(curvatures, learning_rate: float) -> str:
    """What gradient descent does on a quadratic bowl with these curvatures at this learning rate, in words.

    Along a direction of curvature λ one step multiplies the distance to the minimum by r = 1 - αλ. The most
    curved direction decides: |r| < 1 everywhere converges, r < 0 somewhere oscillates, |r| > 1 diverges.
    """
    alpha = positive_number(learning_rate, "learning_rate")
    factors = [1.0 - alpha * positive_number(c, "curvature") for c in curvatures]
    worst = max(abs(r) for r in factors)
    if worst > 1 + 1e-12:
        return "diverges: a factor 1 − αλ is beyond −1, every step overshoots further"
    if abs(worst - 1) <= 1e-12:
        return "bounces: a factor 1 − αλ is −1, the iterate jumps between ±x0 forever"
    if all(abs(r) <= 1e-12 for r in factors):
        return "the minimum in one step: every factor 1 − αλ is 0"
    if any(r < -1e-12 for r in factors):
        return "oscillates and converges: a factor 1 − αλ is negative, each step crosses the valley floor"
    return "converges monotonically: every factor 1 − αλ is between 0 and 1"


def descent_paths(learning_rates=LEARNING_RATES) -> dict:
    """{(function name, learning rate): DescentPath} from the chapter's start, tolerance and MAX_STEPS."""
    paths = {}
    for name, spec in FUNCTIONS.items():
        for rate in learning_rates:
            paths[name, float(rate)] = gradient_descent(spec["gradient"], x0=spec["x0"], learning_rate=float(rate),
                                                        max_iterations=MAX_STEPS, tolerance=TOLERANCE)
    return paths


def readout(name: str, rate: float, path) -> str:
    """The text under the figure: α, the regime, the number of steps, why the run stopped and the last iterate.

    The tolerance is tested after each step on the gradient that step used (as in the chapter), so a run it stops
    ends with a step from a point where the gradient was already small: the readout gives that gradient, and says so
    when it was 0 and the last step did not move (α = ½ on x²: the minimum after one step, then a step of length 0).
    """
    last = ", ".join(f"{v:.4g}" for v in path.final)
    point = f"x = {last}" if len(path.final) == 1 else f"(x, y) = ({last})"
    text = f"f = {name}, α = {rate:.2f}: {regime(FUNCTIONS[name]['curvatures'], rate)}. "
    if path.stopped_early:
        size = float(np.linalg.norm(path.gradients[-1]))
        nth = _ordinal(path.n_steps)
        if size == 0.0:
            text += (f"Stopped by the tolerance after {path.n_steps} steps: the {nth} step started at the minimum, "
                     f"where the gradient is 0, so it did not move. ")
        else:
            text += (f"Stopped by the tolerance after {path.n_steps} steps: the {nth} step started where the "
                     f"gradient's size, {size:.2g}, is below {TOLERANCE}. ")
    elif path.diverged:
        text += f"Stopped after {path.n_steps} steps: the iterate overflowed. "
    else:
        text += f"{path.n_steps} steps (the limit). "
    return text + f"Last iterate {point}."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _curve_xy(path):
    xs = path.points[:, 0]
    return xs, xs**2


def descent_figure(default_rate: float = 0.3, name: str = "descent"):
    """The interactive figure of chapter 2 (see the module docstring); ``default_rate`` must be on the slider."""
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    from backprop.plotting import plot_descent_path

    rates = [float(r) for r in LEARNING_RATES]
    matches = np.flatnonzero(np.isclose(rates, default_rate))
    if matches.size != 1:
        raise ValueError(f"default_rate must be one of the slider's rates (0.02 to 1.10 in steps of 0.02); "
                         f"got {default_rate!r}.")
    paths = descent_paths(rates)
    grid = np.linspace(-6.0, 6.0, 121)
    contour_grid = np.linspace(-7.0, 7.0, 57)
    gx, gy = np.meshgrid(contour_grid, contour_grid)
    names = list(FUNCTIONS)
    start = _curve_xy(paths[names[0], rates[matches[0]]])
    base = go.Figure([
        go.Scatter(x=grid, y=grid**2, mode="lines", line={"color": "black"}, name="f(x) = x²", hoverinfo="skip"),
        go.Contour(x=contour_grid, y=contour_grid, z=gx**2 + 3 * gy**2, visible=False, showscale=False,
                   contours={"coloring": "lines", "start": 2, "end": 150, "size": 8}, colorscale="Viridis",
                   name="contours of x² + 3y²", hoverinfo="skip"),
        go.Scatter(x=start[0], y=start[1], mode="lines+markers", name="iterates",
                   line={"color": "#d62728", "width": 1.5},
                   marker={"size": 7, "color": "#d62728"}),
    ])
    layout_1d = {"xaxis": {"range": [-6, 6], "title": {"text": "x"}},
                 "yaxis": {"range": [-2, 36], "title": {"text": "f(x)"}}}
    # Equal scales on the bowl: the plot shrinks to a square (constrain "domain") rather than widening its range.
    layout_2d = {"xaxis": {"range": [-7, 7], "title": {"text": "x"}, "constrain": "domain"},
                 "yaxis": {"range": [-7, 7], "title": {"text": "y"}, "scaleanchor": "x", "constrain": "domain"}}
    base.update_layout(height=440, margin={"l": 60, "r": 20, "t": 40, "b": 50}, showlegend=True,
                       legend={"orientation": "h", "y": -0.18}, plot_bgcolor="white",
                       title={"text": f"Gradient descent on {names[0]}, α = {rates[matches[0]]:.2f}"}, **layout_1d)
    base.update_xaxes(gridcolor="#ddd", zerolinecolor="#999")
    base.update_yaxes(gridcolor="#ddd", zerolinecolor="#999")
    states = {}
    for i, rate in enumerate(rates):
        for j, fname in enumerate(names):
            path = paths[fname, rate]
            xs, ys = _curve_xy(path) if j == 0 else (path.points[:, 0], path.points[:, 1])
            states[i, j] = {0: {"visible": j == 0}, 1: {"visible": j == 1}, 2: {"x": xs, "y": ys},
                            "layout": {**(layout_1d if j == 0 else layout_2d),
                                       "title": {"text": f"Gradient descent on {fname}, α = {rate:.2f}"}},
                            "readout": readout(fname, rate, path)}
    # The still: the default state, drawn as the chapter draws its paths.
    default_path = paths[names[0], rates[matches[0]]]
    still, (ax_curve, ax_bowl) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
    ax_curve.plot(grid, grid**2, color="black", label="f(x) = x²")
    cx, cy = _curve_xy(default_path)
    ax_curve.plot(cx, cy, "o-", color="tab:red", markersize=5, label=f"iterates, α = {rates[matches[0]]:.2f}")
    ax_curve.set(xlim=(-6, 6), ylim=(-2, 36), xlabel="x", ylabel="f(x)",
                 title=f"f = x², α = {rates[matches[0]]:.2f}: {default_path.n_steps} steps")
    ax_curve.legend()
    ax_curve.grid(True)
    bowl_path = paths[names[1], rates[matches[0]]]
    plot_descent_path(ax_bowl, lambda x, y: x**2 + 3 * y**2, bowl_path.points, levels=20, limits=(-7, 7),
                      label=f"iterates, α = {rates[matches[0]]:.2f}")
    ax_bowl.set_title(f"f = x² + 3y², α = {rates[matches[0]]:.2f}: {bowl_path.n_steps} steps")
    ax_bowl.legend()
    ax_bowl.grid(True)
    controls = [Slider("learning rate α", values=rates, labels=[f"{r:.2f}" for r in rates],
                       default=int(matches[0]), marks=MARKS, hint=HINT),
                Choice("function f", options=names, default=0)]
    alt = ("Gradient descent from x0 = 4 on the parabola f(x) = x², or from (4, −4) over the contours of "
           "f(x, y) = x² + 3y², with a slider for the learning rate α from 0.02 to 1.10 and a menu for the function; "
           "the iterates are red points joined in order. What it shows: on x² the iterates slide down one side of "
           "the parabola for α below ½, reach the minimum in one step at α = ½, cross from side to side and still "
           "converge between ½ and 1, bounce between 4 and −4 at α = 1 and climb out above 1. On x² + 3y² the "
           "same happens along y three times sooner, at ⅙ and ⅓, because the curvature along y is 6 instead of 2: "
           "from α = 0.18 to 0.32 the path zig-zags across the x-axis, and above ⅓ it diverges, although along x "
           "alone every α below 1 converges. The text under the figure gives α, the regime, the number of steps, why "
           "the run stopped and the last iterate.")
    return interactive_figure(name=name, base=base, controls=controls, states=states, still=still, alt=alt)
