"""Unit tests of backprop.interactive (figure.py, descent.py, graphs.py): rounding, the states' shape, bad input,
the mime bundle and its determinism, the frames against the chapters' numbers, and the notebooks' figure cells.

The browser side (the page draws what is stored) is tests/test_interactive_figures.py.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import pytest  # noqa: E402

from backprop.interactive import Choice, Slider, interactive_figure, rounded, state_key  # noqa: E402
from backprop.interactive.descent import LEARNING_RATES, descent_figure, descent_paths, regime  # noqa: E402
from backprop.interactive.figure import FIGURE_CLASS, HTML_CLASS, PLOT_LABEL, render_html  # noqa: E402
from backprop.interactive.graphs import neuron_graph_figure, neuron_graph_values  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def small_figure(**overrides):
    base = go.Figure([go.Scatter(x=np.arange(3.0), y=np.zeros(3))])
    states = {(i, j): {0: {"y": np.arange(3.0) * i / 3 + j}, "readout": f"i = {i}, j = {j}"}
              for i in range(3) for j in range(2)}
    still, _ = plt.subplots()
    arguments = {"name": "small", "base": base, "controls": [Slider("rate", [0.1, 0.2, 0.3]), Choice("f", ["a", "b"])],
                 "states": states, "still": still, "alt": "A small figure for the unit tests of the machinery."}
    arguments.update(overrides)
    return interactive_figure(**arguments)


# ------------------------------------------------------------------------------------------------- rounding
def test_rounded_keeps_four_significant_digits_and_plain_types():
    value = {"a": np.array([1 / 3, 2e-9, -123456.0]), "b": [np.float32(0.1), 7, True, None, "t"],
             "c": float("nan"), "d": np.inf}
    out = rounded(value)
    assert out == {"a": [0.3333, 2e-09, -123500.0], "b": [0.1, 7, True, None, "t"], "c": None, "d": None}
    assert json.dumps(out)  # plain JSON, no numpy types


def test_rounded_decodes_plotlys_typed_arrays():
    trace = go.Figure([go.Scatter(x=np.array([1 / 3, 2 / 3]), y=np.arange(4).reshape(2, 2) / 7)]).to_plotly_json()
    trace = trace["data"][0]
    assert isinstance(trace["x"], dict) and "bdata" in trace["x"]  # how Plotly stores numpy arrays
    out = rounded(trace)
    assert out["x"] == [0.3333, 0.6667]
    assert out["y"] == [[0.0, 0.1429], [0.2857, 0.4286]]


def test_rounding_hides_the_last_bits():
    a, b = 0.1 + 0.2, 0.3  # differ in the last bit
    assert a != b and rounded(a) == rounded(b)


def test_rounded_refuses_what_json_cannot_hold():
    with pytest.raises(ValueError, match="cannot store a object"):
        rounded({"a": object()})
    with pytest.raises(ValueError, match="digits must be an integer from 1 to 15"):
        rounded(1.0, digits=0)


# ------------------------------------------------------------------------------------------------- controls
def test_slider_labels_marks_and_positions():
    slider = Slider("α", values=[0.0, 0.5, 1.0], marks=[(0.25, "¼")], default=2)
    assert slider.labels == ("0", "0.5", "1") and slider.size == 3
    assert slider.mark_position(0.25) == pytest.approx(0.25)
    assert Slider("β", values=[1.0, 0.0]).mark_position(0.25) == pytest.approx(0.75)


@pytest.mark.parametrize("kwargs,message", [
    ({"label": "", "values": [1, 2]}, "label must be a non-empty string"),
    ({"label": "a", "values": [1]}, "at least 2 finite numbers"),
    ({"label": "a", "values": [1, np.nan]}, "at least 2 finite numbers"),
    ({"label": "a", "values": [1, 3, 2]}, "strictly increasing or decreasing"),
    ({"label": "a", "values": [1, 2], "labels": ["x"]}, "labels must be 2 strings"),
    ({"label": "a", "values": [1, 2], "default": 2}, "default must be an index from 0 to 1"),
    ({"label": "a", "values": [1, 2], "marks": [(5, "x")]}, "mark 5.0 lies outside"),
])
def test_slider_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Slider(**kwargs)


def test_choice_refuses_bad_input():
    with pytest.raises(ValueError, match="at least 2 non-empty strings"):
        Choice("f", ["only"])
    with pytest.raises(ValueError, match="default must be an index from 0 to 1"):
        Choice("f", ["a", "b"], default=-1)


# ------------------------------------------------------------------------------------------------- the figure
def test_states_are_stored_by_key_rounded_and_complete():
    figure = small_figure()
    assert list(figure.payload["states"]) == ["0,0", "0,1", "1,0", "1,1", "2,0", "2,1"]
    assert figure.state(1, 0) == {"readout": "i = 1, j = 0", "traces": {"0": {"y": [0.0, 0.3333, 0.6667]}}}
    assert figure.default_key == (0, 0) and state_key((2, 1)) == "2,1"
    assert "template" not in figure.payload["base"]["layout"]


@pytest.mark.parametrize("change,message", [
    ({"name": "Has Caps"}, "name must be lower-case"),
    ({"alt": "short"}, "alt must say in a sentence"),
    ({"controls": []}, "controls must be a non-empty list"),
    ({"base": {"layout": {}}}, "base must be a plotly.graph_objects.Figure"),
    ({"still": "a picture"}, "still must be a matplotlib Figure"),
    ({"states": {(0, 0): {0: {"y": [1]}}}}, "one entry for every combination of control indices (6 = 3 x 2); got 1"),
    ({"states": {(i, j): {3: {"y": [1]}} for i in range(3) for j in range(2)}}, "key 3 is neither a trace index"),
    ({"states": {(i, j): {0: {}} for i in range(3) for j in range(2)}}, "give a non-empty dict of the properties"),
    ({"states": {(i, j): {"readout": 3} for i in range(3) for j in range(2)}}, "readout must be a string"),
])
def test_interactive_figure_refuses_bad_input(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        small_figure(**change)


def test_extra_states_are_refused():
    states = {(i, j): {0: {"y": [i]}} for i in range(4) for j in range(2)}
    with pytest.raises(ValueError, match=r"unexpected e\.g\. \[\(3, 0\)"):
        small_figure(states=states)


def test_mime_bundle_html_png_and_text():
    figure = small_figure()
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["text/plain"] == "<interactive figure 'small': rate (3 values), f (2 options); 6 states>"
    html = bundle["text/html"]
    assert f'<div class="{HTML_CLASS}" id="bp-small"' in html
    assert '<label for="bp-small-c0">rate</label>' in html and 'type="range"' in html
    assert '<label for="bp-small-c1">f</label>' in html and "<select" in html
    # the description is read once: it describes the group, and the plot has a short name of its own
    assert '>A small figure for the unit tests of the machinery.</p>' in html
    assert html.count("A small figure for the unit tests") == 1
    assert 'role="group" aria-label="interactive figure" aria-describedby="bp-small-desc"' in html
    assert f'role="img" aria-label="{PLOT_LABEL}"' in html
    assert "plotly" not in html.split('class="bp-data"')[0].lower()  # no library inline, only the served scripts
    payload = json.loads(re.search(r'<script type="application/json" class="bp-data">(.*?)</script>', html, re.S)[1])
    assert payload["states"]["2,1"]["traces"]["0"]["y"] == [1.0, 1.667, 2.333]


def test_html_is_deterministic_and_cannot_close_its_script():
    a = small_figure(states={(i, j): {0: {"y": [i + 0.1 + 0.2]}, "readout": "</script><b>"}
                             for i in range(3) for j in range(2)})
    b = small_figure(states={(i, j): {0: {"y": [i + 0.3]}, "readout": "</script><b>"}
                             for i in range(3) for j in range(2)})
    assert render_html(a) == render_html(b)  # last-bit differences are rounded away
    data = render_html(a).split('class="bp-data">')[1].split("</script>")[0]
    assert "</" not in data and "<b>" not in data


def test_the_still_is_closed_once_stored():
    still, _ = plt.subplots()
    small_figure(still=still)
    assert still.number not in plt.get_fignums()


# --------------------------------------------------------------------------------------- chapter 2: descent
def test_regimes_match_the_chapter():
    x2, bowl = (2.0,), (2.0, 6.0)
    assert regime(x2, 0.2).startswith("converges monotonically")
    assert regime(x2, 0.5).startswith("the minimum in one step")
    assert regime(x2, 0.9).startswith("oscillates")
    assert regime(x2, 1.0).startswith("bounces")
    assert regime(x2, 1.05).startswith("diverges")
    assert regime(bowl, 0.16).startswith("converges monotonically")
    assert regime(bowl, 0.18).startswith("oscillates")
    assert regime(bowl, 0.32).startswith("oscillates")
    assert regime(bowl, 0.34).startswith("diverges")
    with pytest.raises(ValueError):
        regime(x2, -0.1)


def test_descent_paths_are_the_chapters():
    paths = descent_paths([0.2, 0.34])
    assert paths["x²", 0.2].n_steps == 15 and round(paths["x²", 0.2].final[0], 4) == 0.0019
    np.testing.assert_allclose(paths["x² + 3y²", 0.34].points[12, 1], -6.404, rtol=1e-4)
    assert 0.5 in LEARNING_RATES and 1.0 in LEARNING_RATES


def test_descent_figure_states_and_size():
    figure = descent_figure(default_rate=0.3)
    assert len(figure.payload["states"]) == len(LEARNING_RATES) * 2
    rates = list(figure.controls[0].values)
    state = figure.state(rates.index(0.2), 0)
    assert len(state["traces"]["2"]["x"]) == 16 and state["traces"]["2"]["x"][:2] == [4.0, 2.4]
    assert state["traces"]["2"]["y"][:2] == [16.0, 5.76]  # on the parabola
    assert ("Stopped by the tolerance after 15 steps: the 15th step started where the gradient's size, 0.0063, is "
            "below 0.01. Last iterate x = 0.001881.") in state["readout"]
    # α = ½: the minimum after one step, then a step of length 0 that the readout owns up to
    half = figure.state(rates.index(0.5), 0)
    assert half["traces"]["2"]["x"] == [4.0, 0.0, 0.0]
    assert "after 2 steps: the 2nd step started at the minimum, where the gradient is 0, so it did not move" in \
        half["readout"]
    assert "30 steps (the limit)" in figure.state(rates.index(0.3), 1)["readout"]
    assert figure.state(rates.index(0.34), 1)["layout"]["yaxis"]["scaleanchor"] == "x"
    assert len(figure.html()) < 200_000
    with pytest.raises(ValueError, match="default_rate must be one of the slider's rates"):
        descent_figure(default_rate=0.25)


# ---------------------------------------------------------------------------------- chapter 3: the neuron graph
def test_neuron_graph_values_are_the_chapters():
    values, gradients = neuron_graph_values("identity_neuron", 0.5, 1.0, 2.0, 5.0)
    assert values == {"w": 0.5, "x": 2.0, "b": 1.0, "z": 2.0, "y_hat": 2.0, "y": 5.0, "L": 4.5}
    assert gradients == {"w": -6.0, "b": -3.0, "z": -3.0, "y_hat": -3.0}
    values, gradients = neuron_graph_values("sigmoid_neuron", 0.3, 0.1, 0.5, 1.0)
    np.testing.assert_allclose([gradients["y_hat"], gradients["z"], gradients["w"]], [-0.4378, -0.1078, -0.0539],
                               atol=5e-5)


def test_neuron_graph_figure_states_and_size():
    figure = neuron_graph_figure()
    assert len(figure.payload["states"]) == 16 * 10 * 2 * 2
    weights, biases = list(figure.controls[0].values), list(figure.controls[1].values)
    # both of the chapter's drawn settings are on the sliders: the second graph is w = 0.3, b = 0.1, sigmoid, (0.5, 1)
    second = figure.state(weights.index(0.3), biases.index(0.1), 1, 1)
    assert second["traces"]["2"]["text"] == ["-0.0539", "-0.1078", "-0.1078", "-0.4378"]
    assert (weights[0], weights[-1], biases[0], biases[-1]) == (-0.9, 2.1, -0.5, 2.2)
    default = figure.state(*figure.default_key)
    assert default["traces"]["2"]["text"] == ["-6.0000", "-3.0000", "-3.0000", "-3.0000"]
    assert "slope ∂ŷ/∂z = 1.0000" in default["readout"]
    sigmoid = figure.state(*figure.default_key[:2], 1, 0)
    assert sigmoid["traces"]["1"]["text"][4] == "0.8808"  # σ(2)
    assert len(figure.html()) < 200_000
    with pytest.raises(ValueError, match=r"default_w must be on the slider \(-0\.9 to 2\.1 in steps of 0\.2\)"):
        neuron_graph_figure(default_w=0.25)


def test_neuron_graph_red_numbers_sit_beside_their_own_arrows():
    """w's number above its arrow, b's below its arrow (never between x's arrow and b's), the others above theirs."""
    from backprop.graph_drawing import LAYOUTS

    figure = neuron_graph_figure()
    trace = figure.payload["base"]["data"][2]
    where = dict(zip(["w", "b", "z", "y_hat"], zip(trace["x"], trace["y"], strict=True), strict=True))
    layout = LAYOUTS["neuron"]

    def side(source, target, point):  # > 0: left of the arrow source -> target (above a level one)
        (x0, y0), (x1, y1) = layout[source][:2], layout[target][:2]
        return (x1 - x0) * (point[1] - y0) - (y1 - y0) * (point[0] - x0)

    assert side("w", "z", where["w"]) > 0 and side("x", "z", where["w"]) > 0  # above w's arrow, so above x's
    assert side("b", "z", where["b"]) < 0 and side("x", "z", where["b"]) < 0  # below b's arrow, so below x's
    assert where["b"][1] < layout["b"][1] + 0.6 * (layout["z"][1] - layout["b"][1])  # nearer b's arrow than x's
    for source, target in (("z", "y_hat"), ("y_hat", "L")):
        assert side(source, target, where[source]) > 0


# ------------------------------------------------------------------------------- every chapter's figure cells
def interactive_cells():
    """(notebook, cell) for every cell whose stored output is an interactive figure, in the whole book."""
    found = []
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            for output in cell.get("outputs", []):
                if f'class="{HTML_CLASS}"' in "".join(output.get("data", {}).get("text/html", "")):
                    found.append((notebook.name, cell))
    return found


def test_every_interactive_figure_cell_has_caption_class_alt_and_a_still():
    cells = interactive_cells()
    assert {name for name, _ in cells} >= {"02_gradient_descent.ipynb", "03_single_neuron.ipynb"}
    names = []
    for notebook, cell in cells:
        meta = cell["metadata"].get("mystnb", {})
        figure = meta.get("figure", {})
        assert figure.get("caption"), f"{notebook}: an interactive figure without a caption"
        assert figure.get("name", "").startswith("fig-"), f"{notebook}: give the figure a name (a label)"
        assert FIGURE_CLASS in str(figure.get("classes", "")).split(), f"{notebook}: figure classes lack {FIGURE_CLASS}"
        assert len(meta.get("image", {}).get("alt", "")) > 40, f"{notebook}: the still needs its alt text"
        outputs = [o for o in cell["outputs"] if "text/html" in o.get("data", {})]
        assert len(outputs) == 1 and "image/png" in outputs[0]["data"], f"{notebook}: one output with its still"
        names += re.findall(r'data-bp-figure="([a-z0-9-]+)"', "".join(outputs[0]["data"]["text/html"]))
    assert len(names) == len(set(names)), f"figure names must be unique in the book: {names}"
