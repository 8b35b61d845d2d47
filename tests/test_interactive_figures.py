"""The interactive figures of the built book, moved in a real browser (Debian's Chromium driven by Playwright).

Each page that holds figures (``div.bp-interactive`` in any page of _build/html, so every chapter's figures are
covered) is read once over http and once from disk. The http visit (``test_figure_page_reads_and_its_figures_work``)
runs named steps, each figure's from its default state, and a failure names the page and the step:

- the page: every check test_book_in_browser.py makes of a page (``page_problems``: math, images, alt text,
  requests, errors, screenshot);
- for every figure, every control: the figure draws its stored default state; each control, moved with the keyboard
  (focus and an arrow key) or by picking another option of a select, draws the stored state of the new control
  values, which differs from the default, and updates its ``<output>``, ``aria-valuetext`` and the readout; every
  control has a label;
- the figure's own checks (``figure_checks``): chapters 2 and 3 below, chapters 7-11 in
  test_interactive_figures_late.py;
- the whole visit: no JavaScript error or console error, no request leaves 127.0.0.1, nothing fails to load.

The file:// visit moves each figure's first control and requires the stored state and a clean visit.

Figure-specific (chapters 2 and 3): the descent path at α = 0.6 oscillates and stops after 6 steps, at α = 1.10
diverges, and on x² + 3y² at α = 0.34 reaches y = -4 (1 - 6α)^12 after 12 steps, and at α = 0.5 reaches 0 in one
step, then says its 2nd step did not move; the neuron graph at w = 0.9 reads z = 2.8, L = 2.42, dL/dw = -4.4, and
every red number of the sigmoid neuron is the next one times its local derivative.

The checks are plain functions of what the page plotted (``state_mismatches``, ``descent_path_problems``,
``graph_chain_problems``); the tests without the ``browser`` marker at the end feed them deliberately wrong states
and show that each one fails. Helpers for the figure checks: ``figure_payload``, ``plotted``, ``move``, ``press``,
``wait_for_state``.

Needs the built book (`make book`) and /usr/bin/chromium.
"""

from __future__ import annotations

import copy
import math

import pytest
from test_book_in_browser import (  # noqa: F401 - chromium, server, tab, file_tab: the shared fixtures
    BOOK,
    FIGURE_PAGES,
    FIGURES,
    PAGES,
    VIEWPORT,
    chromium,
    file_tab,
    page_problems,
    server,
    tab,
)

# Console messages that are not ours, each with the reason.
BENIGN_CONSOLE = {
    "Got invalid theme mode": "sphinx-book-theme's own message on every page of the book, figure or not",
    "favicon.ico": "Chromium asks for /favicon.ico; the book has none (its 404 is also logged as a console error)",
}


# ---------------------------------------------------------------------------------------- what the checks compare
def merged(target: dict, update: dict) -> dict:
    """``update`` written over a copy of ``target``, nested dicts merged: what interactive.js draws."""
    out = dict(target)
    for key, value in update.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def expected_traces(payload: dict, key: str) -> list[dict]:
    """The traces the state ``key`` ("3,0") must draw: the base traces with the state's updates."""
    state = payload["states"][key]
    return [merged(trace, state["traces"].get(str(i), {})) for i, trace in enumerate(payload["base"]["data"])]


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return all(k in b and _same(v, b[k]) for k, v in a.items())
    return a == b


def state_mismatches(payload: dict, key: str, plotted_traces: list[dict]) -> list[str]:
    """What the plot shows that the stored state ``key`` does not: every property a state sets, in every trace."""
    problems = []
    expected = expected_traces(payload, key)
    if len(plotted_traces) != len(expected):
        return [f"{len(plotted_traces)} traces plotted, {len(expected)} stored"]
    changing = {str(i) for state in payload["states"].values() for i in state["traces"]}
    for i, (want, got) in enumerate(zip(expected, plotted_traces, strict=True)):
        if str(i) not in changing:
            continue
        props = {p for state in payload["states"].values() for p in state["traces"].get(str(i), {})}
        for prop in sorted(props):
            if not _same(want.get(prop), got.get(prop)):
                problems.append(f"trace {i} {prop}: plotted {str(got.get(prop))[:120]}, stored "
                                f"{str(want.get(prop))[:120]}")
    return problems


def states_differ(payload: dict, key_a: str, key_b: str) -> bool:
    return not _same(expected_traces(payload, key_a), expected_traces(payload, key_b)) or \
        payload["states"][key_a].get("layout") != payload["states"][key_b].get("layout")


# ---------------------------------------------------------------------------------------------- the page helpers
def figure_payload(page, name: str) -> dict:
    """The figure's stored JSON (controls, base, states), as the page holds it."""
    return page.evaluate("name => JSON.parse(document.querySelector(`#bp-${name} script.bp-data`).textContent)", name)


def plotted(page, name: str) -> list[dict]:
    """The traces Plotly has drawn in the figure (its plot element's ``data``)."""
    return page.evaluate("name => JSON.parse(JSON.stringify(document.getElementById(`bp-${name}-plot`).data))", name)


def wait_for_state(page, name: str, key: str):
    page.wait_for_function("([name, key]) => document.getElementById(`bp-${name}`)"
                           ".getAttribute('data-bp-state') === key", arg=[name, key], timeout=10_000)


def control_indices(page, name: str) -> list[int]:
    return page.evaluate("name => Array.from(document.querySelectorAll(`#bp-${name} [data-bp-control]`))"
                         ".map(c => parseInt(c.value, 10))", name)


def move(page, name: str, control: int, how) -> str:
    """Move control ``control``: a key name ("ArrowRight", "End"...) pressed on the focused slider, or an option
    index picked in a select. Return the new state key once drawn."""
    selector = f"#bp-{name}-c{control}"
    if isinstance(how, int):
        page.select_option(selector, index=how)
    else:
        page.focus(selector)
        page.keyboard.press(how)
    key = ",".join(str(i) for i in control_indices(page, name))
    wait_for_state(page, name, key)
    return key


def press(page, name: str, control: int, key: str, times: int) -> str:
    state = None
    for _ in range(times):
        state = move(page, name, control, key)
    return state


def default_key(payload: dict) -> str:
    return ",".join(str(c["default"]) for c in payload["controls"])


def drawn_default(page, name: str) -> dict:
    """The payload of figure ``name`` once the page has drawn its default state."""
    payload = figure_payload(page, name)
    wait_for_state(page, name, default_key(payload))
    return payload


def back_to_default(page, name: str, payload: dict):
    """Set every control of the figure to its default, as a fresh page has it, and wait for the drawing (a setup
    step between checks, not a check: the checks move the controls with the keyboard and the menus)."""
    page.evaluate("""([name, defaults]) => {
        const inputs = Array.from(document.querySelectorAll(`#bp-${name} [data-bp-control]`));
        if (inputs.every((input, k) => parseInt(input.value, 10) === defaults[k])) { return; }
        inputs.forEach((input, k) => { input.value = String(defaults[k]); });
        inputs[inputs.length - 1].dispatchEvent(new Event('change'));
    }""", [name, [c["default"] for c in payload["controls"]]])
    wait_for_state(page, name, default_key(payload))


def console_errors(visit) -> list[str]:
    return [m for m in visit.console if not any(b in m for b in BENIGN_CONSOLE)]


def assert_clean(visit):
    assert not visit.outside_requests, f"requests tried to leave 127.0.0.1: {visit.outside_requests}"
    failed = [r for r in visit.failed_requests if "favicon.ico" not in r]
    assert not failed, f"requests failed: {failed}"
    assert not visit.js_errors, f"JavaScript errors: {visit.js_errors}"
    assert not console_errors(visit), f"console errors: {console_errors(visit)}"


def figure_checks() -> dict[str, list]:
    """Each figure's own checks, by figure name: functions ``(page, name, payload)`` that start from the default
    state. Chapters 2 and 3 here, chapters 7-11 in test_interactive_figures_late.py."""
    import test_interactive_figures_late as late  # here, not at the top: it imports this module's helpers

    return {"descent": [descent_figure_shows_the_regimes], "neuron-graph": [neuron_graph_follows_the_chain_rule],
            **late.FIGURE_CHECKS}


def step_name(check) -> str:
    return check.__name__.replace("_", " ")


# ---------------------------------------------------------------------------------------------- generic tests
@pytest.mark.browser
def test_the_book_has_interactive_figures():
    assert (BOOK / "index.html").exists(), "The book is not built: run `make book` first."
    names = [name for _, name in FIGURES]
    assert {"descent", "neuron-graph"} <= set(names), f"figures found: {FIGURES}"
    assert len(names) == len(set(names)), f"a figure name is used twice: {names}"
    missing = set(figure_checks()) - set(names)
    assert not missing, f"figures with checks of their own that the built book does not hold: {sorted(missing)}"


def every_control_moves_the_figure_to_its_stored_state(page, name: str, payload: dict):
    default = default_key(payload)
    assert state_mismatches(payload, default, plotted(page, name)) == []
    assert page.text_content(f"#bp-{name}-readout") == payload["states"][default].get("readout", "")
    for k, control in enumerate(payload["controls"]):
        label = page.evaluate("id => { const l = document.querySelector(`label[for='${id}']`); "
                              "return l ? l.textContent : null; }", f"bp-{name}-c{k}")
        assert label == control["label"], f"control {k} has no label naming it"
        if control["kind"] == "slider":
            at_end = control["default"] == len(control["values"]) - 1
            key = move(page, name, k, "ArrowLeft" if at_end else "ArrowRight")
            index = control["default"] + (-1 if at_end else 1)
            text = control["labels"][index]
            assert page.text_content(f"#bp-{name}-c{k}-value") == text
            assert page.get_attribute(f"#bp-{name}-c{k}", "aria-valuetext") == text
        else:
            index = 1 if control["default"] == 0 else 0
            key = move(page, name, k, index)
        assert key != default
        assert state_mismatches(payload, key, plotted(page, name)) == [], f"control {k} ({control['label']})"
        assert states_differ(payload, key, default), f"moving {control['label']!r} changes nothing"
        assert page.text_content(f"#bp-{name}-readout") == payload["states"][key].get("readout", "")
        back = move(page, name, k, ("ArrowRight" if at_end else "ArrowLeft") if control["kind"] == "slider"
                    else control["default"])
        assert back == default
        assert state_mismatches(payload, default, plotted(page, name)) == []


@pytest.mark.browser
@pytest.mark.parametrize("page_path", FIGURE_PAGES)
def test_figure_page_reads_and_its_figures_work(tab, server, page_path):  # noqa: F811
    """One visit: the page's checks, then for each figure every control and the figure's own checks, then the whole
    visit's requests and errors. Every step runs (from the figure's default state); the failure lists those that
    failed, by page and step."""
    failures = []  # (step, message)

    def step(label, check, *args):
        try:
            check(*args)
        except AssertionError as error:
            failures.append((label, str(error)))
        except Exception as error:
            error.add_note(f"in {page_path}, step {label!r}")
            raise

    def no_page_problems(visit):
        problems = page_problems(visit, page_path.removesuffix(".html"))
        assert not problems, "; ".join(problems)

    visit = tab.open(f"{server}/{page_path}")
    if page_path.removesuffix(".html") in PAGES:
        step("the page (as test_page_reads_offline_with_math_and_images)", no_page_problems, visit)
    checks = figure_checks()
    for name in [name for page, name in FIGURES if page == page_path]:
        payload = drawn_default(visit.page, name)
        for check in [every_control_moves_the_figure_to_its_stored_state, *checks.get(name, [])]:
            if visit.page.viewport_size != VIEWPORT:
                visit.page.set_viewport_size(VIEWPORT)
            back_to_default(visit.page, name, payload)
            step(f"{name}: {step_name(check)}", check, visit.page, name, payload)
    step("the whole visit", assert_clean, visit)
    if failures:
        pytest.fail(f"{page_path}: {len(failures)} step(s) failed: {'; '.join(label for label, _ in failures)}"
                    + "".join(f"\n\n{label}: {message}" for label, message in failures), pytrace=False)


@pytest.mark.browser
@pytest.mark.parametrize("page_path", FIGURE_PAGES)
def test_figures_work_from_disk(file_tab, page_path):  # noqa: F811
    visit = file_tab.open((BOOK / page_path).as_uri())
    for name in [name for page, name in FIGURES if page == page_path]:
        payload = drawn_default(visit.page, name)
        key = move(visit.page, name, 0, "End")
        assert state_mismatches(payload, key, plotted(visit.page, name)) == [], name
    assert_clean(visit)


@pytest.mark.browser
def test_pages_without_figures_load_no_plotly():
    pages = [p for p in BOOK.glob("chapters/*.html") if p.relative_to(BOOK).as_posix() not in FIGURE_PAGES]
    assert pages
    for page in pages:
        assert "plotly-cartesian.min.js" not in page.read_text(encoding="utf-8"), page


# --------------------------------------------------------------------------------- chapter 2: gradient descent
def descent_path_problems(payload: dict, key: str, plotted_traces: list[dict]) -> list[str]:
    """What the descent figure must show at state ``key`` ("i,j"), from the chapter's analysis x_k = (1 - αλ)^k x_0."""
    i, j = (int(v) for v in key.split(","))
    rate = payload["controls"][0]["values"][i]
    path = plotted_traces[2]
    xs, ys = path["x"], path["y"]
    problems = []
    if j == 0:
        for k, x in enumerate(xs):
            want = 4 * (1 - 2 * rate) ** k
            if not math.isclose(x, want, rel_tol=2e-3, abs_tol=1e-12):
                problems.append(f"x_{k} = {x}, expected 4 (1 - 2α)^k = {want:.4g}")
            if not math.isclose(ys[k], x * x, rel_tol=2e-3, abs_tol=1e-12):
                problems.append(f"point {k} is not on the parabola: ({x}, {ys[k]})")
    else:
        for k, y in enumerate(ys):
            want = -4 * (1 - 6 * rate) ** k
            if not math.isclose(y, want, rel_tol=2e-3, abs_tol=1e-12):
                problems.append(f"y_{k} = {y}, expected -4 (1 - 6α)^k = {want:.4g}")
    return problems


def descent_figure_shows_the_regimes(page, name: str, payload: dict):
    rates = payload["controls"][0]["values"]
    start = payload["controls"][0]["default"]
    key = press(page, name, 0, "ArrowRight", rates.index(0.6) - start)  # 0.30 -> 0.60 with the keyboard
    assert key == f"{rates.index(0.6)},0"
    traces = plotted(page, name)
    assert descent_path_problems(payload, key, traces) == []
    xs = traces[2]["x"]
    assert len(xs) == 7, "at α = 0.6 the tolerance stops after 6 steps (|x_5| = 4 · 0.2^5 < 0.005)"
    assert all(a * b < 0 for a, b in zip(xs, xs[1:], strict=False)), "at α = 0.6 the iterates alternate in sign"
    assert "oscillates" in page.text_content(f"#bp-{name}-readout")
    key = press(page, name, 0, "ArrowLeft", 5)  # α = 0.50: the minimum in one step, then a step of length 0
    assert plotted(page, name)[2]["x"] == [4, 0, 0]
    assert "the 2nd step started at the minimum, where the gradient is 0, so it did not move" in \
        page.text_content(f"#bp-{name}-readout")
    key = move(page, name, 0, "End")  # α = 1.10: diverges
    assert abs(plotted(page, name)[2]["x"][-1]) > 4 and "diverges" in page.text_content(f"#bp-{name}-readout")
    press(page, name, 0, "Home", 1)
    key = press(page, name, 0, "ArrowRight", rates.index(0.34))
    key = move(page, name, 1, 1)  # x² + 3y²
    traces = plotted(page, name)
    assert descent_path_problems(payload, key, traces) == []
    assert math.isclose(traces[2]["y"][12], -6.404, rel_tol=1e-3), "the chapter's y after 12 steps at α = 0.34"


# ------------------------------------------------------------------------------ chapter 3: the neuron's graph
NODES = ["w", "x", "b", "z", "y_hat", "y", "L"]  # graph_drawing.LAYOUTS["neuron"], in order
EDGES = ["w", "b", "z", "y_hat"]                  # the edges that carry a gradient, by the node they leave


def graph_chain_problems(node_texts: list[str], edge_texts: list[str], sigmoid: bool) -> list[str]:
    """Check the drawn numbers against the forward pass and the chain rule, read back from the drawing alone."""
    v = dict(zip(NODES, (float(t) for t in node_texts), strict=True))
    g = dict(zip(EDGES, (float(t) for t in edge_texts), strict=True))
    z = v["w"] * v["x"] + v["b"]
    y_hat = 1 / (1 + math.exp(-z)) if sigmoid else z
    slope = y_hat * (1 - y_hat) if sigmoid else 1.0
    checks = [("z = w x + b", v["z"], z), ("ŷ", v["y_hat"], y_hat),
              ("L = (ŷ - y)²/2", v["L"], 0.5 * (y_hat - v["y"]) ** 2),
              ("∂L/∂ŷ = ŷ - y", g["y_hat"], y_hat - v["y"]), ("∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z", g["z"], g["y_hat"] * slope),
              ("∂L/∂w = ∂L/∂z · x", g["w"], g["z"] * v["x"]), ("∂L/∂b = ∂L/∂z", g["b"], g["z"])]
    return [f"{what}: drawn {drawn}, expected {want:.4f}" for what, drawn, want in checks
            if abs(drawn - want) > 3e-4]  # the drawn numbers have 4 decimals


def neuron_graph_follows_the_chain_rule(page, name: str, payload: dict):
    press(page, name, 0, "ArrowRight", 2)  # w = 0.5 -> 0.9
    traces = plotted(page, name)
    nodes, edges = traces[1]["text"], traces[2]["text"]
    drawn_nodes, drawn_edges = dict(zip(NODES, nodes, strict=True)), dict(zip(EDGES, edges, strict=True))
    assert drawn_nodes["z"] == "2.8000" and drawn_nodes["L"] == "2.4200"
    assert drawn_edges["w"] == "-4.4000", "dL/dw = (ŷ - y) x = (2.8 - 5) 2"
    assert graph_chain_problems(nodes, edges, sigmoid=False) == []
    move(page, name, 2, 1)  # the sigmoid neuron
    for key, times in (("ArrowRight", 3), ("ArrowLeft", 6)):
        press(page, name, 1, key, times)  # b moves: every state read from the page obeys the chain rule
        traces = plotted(page, name)
        assert graph_chain_problems(traces[1]["text"], traces[2]["text"], sigmoid=True) == []
    move(page, name, 3, 1)  # the sigmoid example's data point (0.5, 1)
    traces = plotted(page, name)
    assert graph_chain_problems(traces[1]["text"], traces[2]["text"], sigmoid=True) == []


# --------------------------------------------------- the checks fail on wrong states (no browser, no built book)
def _payload():
    from backprop.interactive.descent import descent_figure

    return descent_figure().payload


def test_state_check_fails_on_a_wrong_stored_state():
    payload = _payload()
    key = "5,1"
    right = expected_traces(payload, key)
    assert state_mismatches(payload, key, right) == []
    wrong = copy.deepcopy(right)
    wrong[2]["y"][3] += 0.01
    assert any("trace 2 y" in p for p in state_mismatches(payload, key, wrong))
    assert state_mismatches(payload, "5,0", right), "the state of another function must not pass"
    assert states_differ(payload, "5,1", "6,1") and not states_differ(payload, key, key)


def test_descent_check_fails_on_a_wrong_path():
    payload = _payload()
    rates = payload["controls"][0]["values"]
    for j in (0, 1):
        key = f"{rates.index(0.6)},{j}"
        right = expected_traces(payload, key)
        assert descent_path_problems(payload, key, right) == []
        wrong = copy.deepcopy(right)
        wrong[2]["x" if j == 0 else "y"][2] *= -1
        assert descent_path_problems(payload, key, wrong)
        other = expected_traces(payload, f"{rates.index(0.62)},{j}")  # the path of a neighbouring α
        assert descent_path_problems(payload, key, other)


def test_graph_check_fails_on_wrong_numbers():
    from backprop.interactive.graphs import neuron_graph_figure

    figure = neuron_graph_figure()
    for key, sigmoid in (("6,4,0,0", False), ("8,9,1,0", True), ("2,3,1,1", True)):
        traces = figure.payload["states"][key]["traces"]
        nodes, edges = traces["1"]["text"], traces["2"]["text"]
        assert graph_chain_problems(nodes, edges, sigmoid) == []
        assert graph_chain_problems(nodes, edges, not sigmoid), "the other neuron's numbers must not pass"
        for i in range(len(edges)):
            wrong = list(edges)
            wrong[i] = f"{float(wrong[i]) + 0.01:.4f}"
            assert graph_chain_problems(nodes, wrong, sigmoid), f"a wrong gradient on edge {EDGES[i]} passed"
        wrong_nodes = list(nodes)
        wrong_nodes[3] = f"{float(nodes[3]) + 0.01:.4f}"
        assert graph_chain_problems(wrong_nodes, edges, sigmoid)
