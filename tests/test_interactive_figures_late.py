"""The interactive figures of chapters 7, 8 and 11 in a real browser: what each must show, read from what it plotted.

The generic checks (every control draws its stored state, no errors, no request off 127.0.0.1, file://) are in
test_interactive_figures.py; these are the figure-specific checks, plain functions ``(page, name, payload)`` listed in
``FIGURE_CHECKS``, which test_interactive_figures.py runs as named steps of its one http visit of each figure's page,
each from the figure's default state:

- **decision boundary** (chapter 7): the drawn boundary (the probability grid, interpolated at each sample) puts on
  the wrong side exactly the circled samples, and the readout counts the rest; at the default state, 4 hidden units
  at epoch 10,000, that is 136 of 140, the chapter's printed training accuracy 0.971; the loss marker sits at the
  slider's epoch. Moved with the keyboard to epoch 2,000 (122 right) and, with 1 hidden unit, to epoch 10,000
  (116 right, the table's 116/140). The log loss axis is labelled with numbers at 1-2-5 values (0.05, 0.1, ...).
- **gradient flow** (chapter 8): the factor per layer fitted to the plotted backward errors is the one the readout
  prints, and the plotted norm of layer 1 is the one the readout prints; for the sigmoid with Xavier's scale the
  factor is 0.23 and ||dL/dW[1]|| = 2.2e-07, for ReLU with weights of std 1.0 the factor is 3.92 (the chapter's
  tables). Where the readout calls the weight gradient flat, the plotted one is (factor 0.9 to 1.1 from layer 2 to
  10), and where it says it has vanished in every layer, every plotted norm is below 1e-6 (ReLU with σ_w = 0.01).
- **Ising** (chapter 11): the black dot is the |m| of the lattice drawn, the coloured dots sit on the output curves
  (whole range and zoom) at the slider's temperature; at T = 1.50 the lattice is mostly one sign, at T = 3.50 mixed.
  On a 420 px wide screen (the same visit's window narrowed) the four panels keep a usable width and the lattice's
  title stays inside the figure.

Each check reads the stored payload and the plotted traces through plain functions (``boundary_problems``,
``flow_problems``, ``ising_problems``); the tests below feed those the states stored in the chapters' notebooks,
deliberately broken, and show that each one fails (no browser needed).

Needs the built book (`make book`; BOOK_HTML_DIR points at another build) and /usr/bin/chromium.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
from test_interactive_figures import (
    expected_traces,
    move,
    plotted,
    press,
)

from backprop.gradient_flow import decay_factor

ROOT = Path(__file__).resolve().parents[1]
DATA = re.compile(r'<script type="application/json" class="bp-data">(.*?)</script>', re.S)


def readout(page, name: str) -> str:
    return page.text_content(f"#bp-{name}-readout")


# ------------------------------------------------------------------------------ chapter 7: the decision boundary
def interpolate(xs, ys, z, px, py) -> float:
    """The drawn probability (bilinear between the grid points, as the contour is drawn) at (px, py)."""
    xs, ys, z = np.asarray(xs, float), np.asarray(ys, float), np.asarray(z, float)
    i = int(np.clip(np.searchsorted(xs, px) - 1, 0, xs.size - 2))
    j = int(np.clip(np.searchsorted(ys, py) - 1, 0, ys.size - 2))
    tx, ty = (px - xs[i]) / (xs[i + 1] - xs[i]), (py - ys[j]) / (ys[j + 1] - ys[j])
    return float(z[j, i] * (1 - tx) * (1 - ty) + z[j, i + 1] * tx * (1 - ty) + z[j + 1, i] * (1 - tx) * ty
                 + z[j + 1, i + 1] * tx * ty)


def boundary_problems(payload: dict, key: str, traces: list[dict], text: str, tolerance: int = 0) -> list[str]:
    """The drawn boundary against the circled samples, the readout's count and the loss marker, at state ``key``.

    ``tolerance``: how many samples may sit on the other side of the drawn (coarse-grid) boundary than their
    circle says; the chapter's default state must have none.
    """
    problems = []
    contour, class_0, class_1, circled = traces[0], traces[1], traces[2], traces[3]
    label = {(x, y): 0 for x, y in zip(class_0["x"], class_0["y"], strict=True)}
    label |= {(x, y): 1 for x, y in zip(class_1["x"], class_1["y"], strict=True)}
    samples = list(zip(circled["x"], circled["y"], strict=True))
    drawn_wrong = {k for k, (x, y) in enumerate(samples)
                   if (interpolate(contour["x"], contour["y"], contour["z"], x, y) > 50) != label[x, y]}
    selected = set(circled.get("selectedpoints") or [])
    if len(drawn_wrong ^ selected) > tolerance:
        problems.append(f"the drawn boundary puts {sorted(drawn_wrong)} on the wrong side, the circles mark "
                        f"{sorted(selected)}")
    match = re.search(r"epoch ([\d,]+): training loss ([\d.]+), (\d+) of (\d+) training samples right", text)
    if not match:
        return problems + [f"unreadable readout {text!r}"]
    epoch, loss, right, total = int(match[1].replace(",", "")), float(match[2]), int(match[3]), int(match[4])
    if total != len(samples) or right != total - len(selected):
        problems.append(f"the readout counts {right} of {total} right, the figure circles {len(selected)} of "
                        f"{len(samples)}")
    marker = traces[-1]
    if marker["x"] != [epoch] or abs(marker["y"][0] - loss) > 5e-5:
        problems.append(f"the loss marker is at {marker['x']}, {marker['y']}, the readout says epoch {epoch}, "
                        f"loss {loss}")
    epoch_index = int(key.split(",")[0])
    if payload["controls"][0]["values"][epoch_index] != epoch:
        problems.append(f"the readout's epoch {epoch} is not the slider's")
    return problems


def decision_boundary_shows_the_chapters_accuracy(page, name: str, payload: dict):
    epochs = payload["controls"][0]["values"]
    sizes = payload["controls"][1]["options"]
    key = ",".join(str(c["default"]) for c in payload["controls"])
    assert epochs[int(key.split(",")[0])] == 10_000 and sizes[int(key.split(",")[1])] == "4"
    assert boundary_problems(payload, key, plotted(page, name), readout(page, name)) == []
    assert "136 of 140 training samples right" in readout(page, name)  # the chapter: train 0.971 = 136/140
    labels = page.eval_on_selector_all(f"#bp-{name}-plot .y2tick text", "ts => ts.map(t => t.textContent)")
    assert {"0.05", "0.1", "0.2"} <= set(labels) and all(re.fullmatch(r"[\d.]+", t) for t in labels), labels
    press(page, name, 0, "Home", 1)
    key = press(page, name, 0, "ArrowRight", epochs.index(2000))
    assert key == f"{epochs.index(2000)},{sizes.index('4')}"
    assert boundary_problems(payload, key, plotted(page, name), readout(page, name), tolerance=1) == []
    assert "epoch 2,000" in readout(page, name) and "122 of 140" in readout(page, name)
    move(page, name, 1, sizes.index("1"))
    key = move(page, name, 0, "End")
    assert boundary_problems(payload, key, plotted(page, name), readout(page, name)) == []
    assert "1 hidden unit, epoch 10,000" in readout(page, name) and "116 of 140" in readout(page, name)


# ------------------------------------------------------------------------------------ chapter 8: gradient flow
def flow_problems(traces: list[dict], text: str) -> list[str]:
    """The plotted norms against the readout: the fitted factor per layer, the first and last layers' norms, and
    what the readout says of a flat weight gradient."""
    problems = []
    weight, error = traces[0]["y"], traces[1]["y"]
    match = re.search(r"backward error (shrinks|grows) by a factor ([\d.]+) per layer .*\|\|dL/dW\[1\]\|\| = (\S+), "
                      r"\|\|dL/dW\[(\d+)\]\|\| = (\S+)$", text)
    if not match:
        return [f"unreadable readout {text!r}"]
    factor = decay_factor(error[:10])
    if abs(factor - float(match[2])) > 0.006 or (factor < 1) != (match[1] == "shrinks"):  # printed to 2 decimals
        problems.append(f"the plotted errors shrink by {factor:.3f} per layer, the readout says {match[1]} by "
                        f"{match[2]}")
    if f"{weight[0]:.2g}" != match[3] or f"{weight[-1]:.2g}" != match[5] or int(match[4]) != len(weight):
        problems.append(f"the plotted layer-1 and last-layer norms {weight[0]:.2g}, {weight[-1]:.2g} are not the "
                        f"readout's {match[3]}, {match[5]}")
    weight_factor = decay_factor(weight[1:10])
    if ("is flat" in text) != (0.9 <= round(weight_factor, 2) <= 1.1 and not 0.9 <= round(factor, 2) <= 1.1):
        problems.append(f"the plotted weight gradient changes by {weight_factor:.2f} per layer (the error by "
                        f"{factor:.2f}); the readout {'calls' if 'is flat' in text else 'does not call'} it flat")
    if "has vanished in every layer" in text and max(weight) >= 1e-6:
        problems.append(f"the readout says the weight gradient has vanished in every layer; the plotted one reaches "
                        f"{max(weight):.2g}")
    return problems


def gradient_flow_plots_the_chapters_norms(page, name: str, payload: dict):
    activations, inits = payload["controls"][0]["options"], payload["controls"][1]["options"]
    traces = plotted(page, name)
    assert flow_problems(traces, readout(page, name)) == []
    assert readout(page, name).startswith("sigmoid, Xavier: towards the input the backward error shrinks by "
                                          "a factor 0.23 per layer")  # the chapter's table
    assert traces[0]["y"][0] == payload["states"]["0,1"]["traces"]["0"]["y"][0] == 2.23e-07
    move(page, name, 0, activations.index("ReLU"))
    key = move(page, name, 1, inits.index("normal σ_w = 1.0"))
    traces = plotted(page, name)
    assert flow_problems(traces, readout(page, name)) == []
    assert "grows by a factor 3.92 per layer" in readout(page, name)  # the chapter: 3.92 with weights of std 1
    assert traces[0]["y"][0] == payload["states"][key]["traces"]["0"]["y"][0]
    key = move(page, name, 0, activations.index("tanh"))
    assert flow_problems(plotted(page, name), readout(page, name)) == []
    assert "grows by a factor 1.94 per layer" in readout(page, name)
    move(page, name, 0, activations.index("ReLU"))
    move(page, name, 1, inits.index("normal σ_w = 0.01"))
    assert flow_problems(plotted(page, name), readout(page, name)) == []
    assert "shrinks by a factor 0.04 per layer" in readout(page, name)  # the chapter's variance table
    assert "is flat, but it has vanished in every layer" in readout(page, name)


# -------------------------------------------------------------------------------------- chapter 11: the Ising model
def ising_traces(traces: list[dict]) -> dict:
    """The traces by role: the lattice; per size an |m| curve, an output curve and a zoomed output curve; the lines
    at T of the three curve panels; the |m| dot and the output dots (on the zoom)."""
    n = (len(traces) - 6) // 3
    return {"lattice": traces[0], "abs_m": traces[1:1 + n], "abs_m_line": traces[1 + n],
            "output": traces[2 + n:2 + 2 * n], "output_line": traces[2 + 2 * n], "dot": traces[3 + 2 * n],
            "zoom": traces[4 + 2 * n:4 + 3 * n], "zoom_line": traces[4 + 3 * n], "dots": traces[5 + 3 * n]}


def ising_problems(payload: dict, key: str, traces: list[dict]) -> list[str]:
    """The lattice, the |m| dot and the output dots at state ``key``, against each other and the slider."""
    problems = []
    k = int(key)
    T = payload["controls"][0]["values"][k]
    role = ising_traces(traces)
    spins = 2 * np.asarray(role["lattice"]["z"]) - 1
    at_T = [role[r].get("x0") for r in ("abs_m_line", "output_line", "zoom_line", "dot", "dots")]
    if at_T != [T] * 5 or any(role[r].get("dx", 1) > 1e-6 for r in ("abs_m_line", "output_line", "dot", "dots")):
        problems.append(f"the current-temperature marks are at {at_T}, not at the slider's T = {T}")
    if abs(abs(spins.mean()) - role["dot"]["y"][0]) > 5e-4:
        problems.append(f"the |m| dot reads {role['dot']['y'][0]}, the lattice drawn has |m| = {abs(spins.mean()):.3f}")
    curves = [curve["y"][k] for curve in role["output"]]
    if role["dots"]["y"] != curves:
        problems.append(f"the output dots {role['dots']['y']} are not on the output curves at T = {T}: {curves}")
    for zoomed, curve in zip(role["zoom"], role["output"], strict=True):  # the zoom draws the same outputs
        xs = (np.asarray(zoomed["x"]) if "x" in zoomed
              else zoomed["x0"] + zoomed["dx"] * np.arange(len(zoomed["y"])))
        for x, y in zip(xs, zoomed["y"], strict=True):
            if y != curve["y"][int(np.argmin(np.abs(np.asarray(curve["x"]) - x)))]:
                problems.append(f"the zoom's {zoomed['name']} reads {y} at T = {x:.2f}, the whole-range curve not")
                break
    return problems


def mostly_one_sign(traces: list[dict]) -> float:
    """The share of the lattice's spins that have the majority's sign."""
    up = float(np.mean(traces[0]["z"]))
    return max(up, 1 - up)


def ising_lattice_orders_and_melts(page, name: str, payload: dict):
    temperatures = payload["controls"][0]["values"]
    key = str(payload["controls"][0]["default"])
    assert ising_problems(payload, key, plotted(page, name)) == []
    press(page, name, 0, "Home", 1)
    key = press(page, name, 0, "ArrowRight", temperatures.index(1.5))
    traces = plotted(page, name)
    assert ising_problems(payload, key, traces) == [] and readout(page, name).startswith("T = 1.50")
    assert mostly_one_sign(traces) > 0.95, "at T = 1.5 the lattice is mostly one sign"
    key = move(page, name, 0, "End")
    traces = plotted(page, name)
    assert ising_problems(payload, key, traces) == [] and readout(page, name).startswith("T = 3.50")
    assert mostly_one_sign(traces) < 0.6, "at T = 3.5 the lattice is mixed"
    assert min(traces[-1]["y"]) > 0.85, "at T = 3.5 every size's output says disordered"


def ising_panels_hold_on_a_narrow_screen(page, name: str, payload: dict):
    """At 420 px (a phone), each of the four panels keeps at least 120 px of width, and the lattice's title (the
    spins' colour key) lies inside the figure. The window narrows in the same visit: Plotly lays the responsive plot
    out again for its new width, the same layout it draws when a page opens at 420 px (checked: the same widths)."""
    page.set_viewport_size({"width": 420, "height": 900})
    page.wait_for_function("name => { const plot = document.getElementById(`bp-${name}-plot`); "
                           "return Number(plot.querySelector('.main-svg').getAttribute('width')) === plot.clientWidth "
                           "&& plot.clientWidth < 420; }", arg=name, timeout=10_000)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    widths = page.eval_on_selector_all(f"#bp-{name}-plot .draglayer .nsewdrag",
                                       "rects => rects.map(r => r.getBoundingClientRect().width)")
    assert len(widths) == 4 and min(widths) >= 120, widths
    plot = page.eval_on_selector(f"#bp-{name}-plot", "e => e.getBoundingClientRect().toJSON()")
    title = page.eval_on_selector(f"#bp-{name}-plot .annotation", "e => e.getBoundingClientRect().toJSON()")
    assert plot["left"] <= title["left"] and title["right"] <= plot["right"] and plot["top"] <= title["top"]


# The checks test_interactive_figures.py runs on each figure, in the visit of its page, each from the default state.
FIGURE_CHECKS = {
    "decision-boundary": [decision_boundary_shows_the_chapters_accuracy],
    "gradient-flow": [gradient_flow_plots_the_chapters_norms],
    "ising-temperature": [ising_lattice_orders_and_melts, ising_panels_hold_on_a_narrow_screen],
}


# --------------------------------------------------- the checks fail on wrong states (no browser, no built book)
def stored_payload(notebook: str, name: str) -> dict:
    """The figure's JSON as the chapter's notebook stores it (its text/html output)."""
    cells = json.loads((ROOT / "chapters" / notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/html", []))
            if f'id="bp-{name}"' in text:
                return json.loads(DATA.search(text)[1])
    raise AssertionError(f"{notebook} stores no figure {name!r}")


def test_boundary_check_fails_on_wrong_states():
    payload = stored_payload("07_classifier_from_scratch.ipynb", "decision-boundary")
    epochs, sizes = payload["controls"][0]["values"], payload["controls"][1]["options"]
    key = f"{epochs.index(10_000)},{sizes.index('4')}"
    right, text = expected_traces(payload, key), payload["states"][key]["readout"]
    assert boundary_problems(payload, key, right, text) == []
    earlier = expected_traces(payload, f"{epochs.index(1000)},{sizes.index('4')}")
    wrong = copy.deepcopy(right)
    wrong[0]["z"] = earlier[0]["z"]  # the boundary of another epoch
    assert boundary_problems(payload, key, wrong, text)
    wrong = copy.deepcopy(right)
    wrong[3]["selectedpoints"] = wrong[3]["selectedpoints"][1:]  # a misclassified sample not circled
    assert boundary_problems(payload, key, wrong, text)
    assert boundary_problems(payload, key, right, text.replace("136 of 140", "137 of 140"))
    wrong = copy.deepcopy(right)
    wrong[-1]["x"] = [7000]
    assert boundary_problems(payload, key, wrong, text)


def test_flow_check_fails_on_wrong_states():
    payload = stored_payload("08_vanishing_exploding_gradients.ipynb", "gradient-flow")
    for key in payload["states"]:
        right, text = expected_traces(payload, key), payload["states"][key]["readout"]
        assert flow_problems(right, text) == [], key
        wrong = copy.deepcopy(right)
        wrong[1]["y"] = [v * 4.0 ** i for i, v in enumerate(wrong[1]["y"])]  # a different slope
        assert flow_problems(wrong, text), key
        wrong = copy.deepcopy(right)
        wrong[0]["y"][0] *= 2
        assert flow_problems(wrong, text), key
    other = expected_traces(payload, "2,3")
    assert flow_problems(other, payload["states"]["0,1"]["readout"]), "another choice's norms must not pass"
    # ReLU with sigma_w = 0.01: the readout calls the weight gradient flat and vanished; a sloped or larger one fails
    assert "is flat, but it has vanished" in payload["states"]["2,0"]["readout"]
    right, text = expected_traces(payload, "2,0"), payload["states"]["2,0"]["readout"]
    wrong = copy.deepcopy(right)
    wrong[0]["y"] = [v * 3.0 ** i for i, v in enumerate(wrong[0]["y"])]
    wrong[0]["y"] = [v * right[0]["y"][-1] / wrong[0]["y"][-1] for v in wrong[0]["y"]]
    wrong[0]["y"][0] = right[0]["y"][0]  # the printed first and last norms still match: only the slope is wrong
    assert flow_problems(wrong, text)
    wrong = copy.deepcopy(right)
    wrong[0]["y"][5] = 1e-3
    assert flow_problems(wrong, text)


def test_ising_check_fails_on_wrong_states():
    payload = stored_payload("11_ising_phases.ipynb", "ising-temperature")
    temperatures = payload["controls"][0]["values"]
    cold, hot = str(temperatures.index(1.5)), str(temperatures.index(3.5))
    for key in (cold, hot, str(payload["controls"][0]["default"])):
        assert ising_problems(payload, key, expected_traces(payload, key)) == [], key
    right = expected_traces(payload, cold)
    assert mostly_one_sign(right) > 0.95 and mostly_one_sign(expected_traces(payload, hot)) < 0.6
    wrong = copy.deepcopy(right)
    wrong[0]["z"] = expected_traces(payload, hot)[0]["z"]  # the hot lattice shown at T = 1.5
    assert ising_problems(payload, cold, wrong) and mostly_one_sign(wrong) < 0.6
    wrong = copy.deepcopy(right)
    wrong[-1]["y"] = wrong[-1]["y"][::-1]
    assert ising_problems(payload, cold, wrong)
    wrong = copy.deepcopy(right)
    wrong[-1]["x0"] = temperatures[0]  # the dots at another temperature
    assert ising_problems(payload, cold, wrong)
    wrong = copy.deepcopy(right)
    wrong[-3]["y"] = wrong[-3]["y"][::-1]  # a zoomed curve that is not the whole-range one
    assert ising_problems(payload, cold, wrong)
    assert ising_problems(payload, hot, right), "the state of another temperature must not pass"
