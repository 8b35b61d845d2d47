"""One interactive figure: precomputed states, native HTML controls, Plotly served by the book, a still fallback.

The API (``from backprop.interactive import Slider, Choice, interactive_figure``)::

    figure = interactive_figure(
        name="descent-1d",               # unique in the book: HTML ids and the browser test's handle
        base=plotly_figure,              # every trace and the layout, in the default state
        controls=[Slider("learning rate α", values=[0.1, 0.2], labels=["0.10", "0.20"], default=1,
                         marks=[(0.5, "½")], hint="monotone below ½"),
                  Choice("function", options=["x²", "x² + 3y²"], default=0)],
        states=states,                   # {(i_control_0, i_control_1, ...): {trace index: {"x": [...], ...},
                                         #                                    "readout": "text", "layout": {...}}}
        still=matplotlib_figure,         # the default state drawn with matplotlib: PDF, plain Jupyter
        alt="what the figure shows and what it finds: the description printed under it (it describes the "
            "figure's group for a screen reader; the plot itself has a short name) and the still's alt text",
    )
    figure                               # last line of a cell: displays it (``_repr_mimebundle_``)

- ``states`` holds one entry for every combination of control indices (the full product; a missing or extra key
  is a ``ValueError``). An entry maps a trace index of ``base`` to the properties that change (``x``, ``y``,
  ``text``, ``z``, ``marker.color`` as ``{"marker": {"color": [...]}}``...), and may hold ``"readout"`` (the text
  shown under the figure, e.g. "α = 0.40: 12 steps, last x = 0.0019") and ``"layout"`` (top-level layout keys
  that change, such as ``annotations``, ``shapes``, ``title``). The page replaces those properties; it computes
  nothing.
- Every number stored (states and base) is rounded by :func:`rounded` to ``DIGITS`` significant digits, and
  numpy's float bits never reach the page: the stored HTML is the same on every machine, so nbval compares it.
- The layout's template is dropped (Plotly's default template alone is 7 KB per figure); style the figure through
  its layout.

What a displayed figure stores (its mime bundle): ``text/html`` (the figure, the controls, the states as JSON in a
``<script type="application/json">``; it loads no library itself), ``image/png`` (the still) and ``text/plain``
(one line). The book's HTML pages show ``text/html``; the PDF (single-page build) shows the still, captioned by the
cell's ``mystnb.figure.caption`` plus "The web book has the interactive version of this figure.", which
``scripts/build_pdf.py`` adds to every figure of class ``bp-interactive-figure``. So a cell that displays one has
the metadata ``{"mystnb": {"figure": {"caption": ..., "name": ..., "classes": "bp-interactive-figure"},
"image": {"alt": ...}}}`` (``tests/test_interactive.py`` checks it).

Scripts: ``book_assets/interactive/interactive.js`` (ours) finds every ``.bp-interactive`` on the page and draws
the state of the current control values with ``Plotly.react``; Plotly is ``plotly-cartesian.min.js`` from the npm
package ``plotly.js-cartesian-dist-min`` (pinned in package.json, copied by the Makefile). The Sphinx extension
below (``setup``: ``backprop.interactive`` in ``_config.yml``'s extensions) loads both only on pages that hold an
interactive figure. In Jupyter Lab started at the book's root (``make lab``), once the cell has run (Jupyter trusts
the output of a cell it ran), a small loader inside the HTML fetches the same two files through Jupyter's file server
and the figure moves there too. A stored notebook opened without running (its output untrusted, so sanitised)
shows the controls inert, the readout of the default state and the description, and says where the figure moves.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Significant digits of every number stored in a figure.
DIGITS = 4
#: The CSS class of a figure's root element, and of the figure wrapping a displayed one in the book.
HTML_CLASS = "bp-interactive"
FIGURE_CLASS = "bp-interactive-figure"
#: What the PDF adds to the caption of every still.
STILL_NOTE = "The web book has the interactive version of this figure."
#: The served scripts, relative to the book's static folder (book_assets/ → _static/).
PLOTLY_JS = "interactive/plotly-cartesian.min.js"
INTERACTIVE_JS = "interactive/interactive.js"
#: The plot's accessible name: short, since the description under the figure (which describes the whole group) and
#: the readout (the current values) say what it shows.
PLOT_LABEL = "plot for the current values of the controls, described by the text below them"
#: Plotly's options for every figure: no mode bar (its buttons are not keyboard-labelled), resizes with the page.
PLOTLY_CONFIG = {"displayModeBar": False, "responsive": True}
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,48}$")


def rounded(value, digits: int = DIGITS):
    """Return ``value`` with every float rounded to ``digits`` significant digits, as plain Python objects.

    Accepts numbers, strings, None, lists/tuples, numpy arrays, dicts and Plotly's typed arrays
    (``{"dtype": "f8", "bdata": ...}``); returns lists, dicts and Python floats. NaN and ±inf become None (a gap in a
    Plotly trace; JSON has no NaN). Integers and booleans are kept as they are.
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= 15:
        raise ValueError(f"digits must be an integer from 1 to 15; got {digits!r}.")
    return _round(value, digits)


def _round(value, digits):
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return float(f"{value:.{digits}g}") if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return _round(value.tolist(), digits)
    if isinstance(value, Mapping):
        if "bdata" in value and "dtype" in value:  # Plotly's typed array: numpy's bytes, base64-encoded
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                shape = value["shape"]
                array = array.reshape([int(s) for s in shape.split(",")] if isinstance(shape, str) else shape)
            return _round(array, digits)
        return {str(k): _round(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    raise ValueError(f"cannot store a {type(value).__name__} in an interactive figure ({value!r}); use numbers, "
                     f"strings, lists, numpy arrays or dicts of them.")


@dataclass(frozen=True)
class Slider:
    """A range input over ``values`` (indices 0..n-1), its current value shown by ``labels`` (default: DIGITS
    significant digits). ``marks`` are (value, text) pairs drawn under the track (e.g. regime boundaries);
    ``hint`` is a sentence beside the slider (read by screen readers with it)."""

    label: str
    values: Sequence[float]
    labels: Sequence[str] | None = None
    default: int = 0
    marks: Sequence[tuple[float, str]] = field(default_factory=tuple)
    hint: str = ""

    def __post_init__(self):
        _check_label(self.label, "Slider")
        values = np.asarray(self.values, dtype=float)
        if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
            raise ValueError(f"Slider {self.label!r}: values must be a 1-D list of at least 2 finite numbers; "
                             f"got {self.values!r}.")
        if not (np.all(np.diff(values) > 0) or np.all(np.diff(values) < 0)):
            raise ValueError(f"Slider {self.label!r}: values must be strictly increasing or decreasing.")
        object.__setattr__(self, "values", tuple(_round(values.tolist(), DIGITS)))
        labels = self.labels if self.labels is not None else [f"{v:.{DIGITS}g}" for v in self.values]
        if len(labels) != len(self.values) or not all(isinstance(t, str) for t in labels):
            raise ValueError(f"Slider {self.label!r}: labels must be {len(self.values)} strings, one per value; "
                             f"got {labels!r}.")
        object.__setattr__(self, "labels", tuple(labels))
        _check_default(self.default, len(self.values), f"Slider {self.label!r}")
        marks = tuple((float(v), str(t)) for v, t in self.marks)
        low, high = min(self.values), max(self.values)
        for v, _ in marks:
            if not low <= v <= high:
                raise ValueError(f"Slider {self.label!r}: mark {v} lies outside its values [{low}, {high}].")
        object.__setattr__(self, "marks", marks)
        if not isinstance(self.hint, str):
            raise ValueError(f"Slider {self.label!r}: hint must be a string; got {self.hint!r}.")

    @property
    def size(self) -> int:
        return len(self.values)

    def mark_position(self, value: float) -> float:
        """Where ``value`` sits along the track, from 0 (first value) to 1 (last), interpolating between values."""
        values = np.asarray(self.values)
        order = np.argsort(values)
        index = np.interp(value, values[order], np.arange(values.size)[order])
        return float(index) / (values.size - 1)


@dataclass(frozen=True)
class Choice:
    """A select box over ``options`` (indices 0..n-1)."""

    label: str
    options: Sequence[str]
    default: int = 0

    def __post_init__(self):
        _check_label(self.label, "Choice")
        if len(self.options) < 2 or not all(isinstance(o, str) and o for o in self.options):
            raise ValueError(f"Choice {self.label!r}: options must be at least 2 non-empty strings; "
                             f"got {self.options!r}.")
        object.__setattr__(self, "options", tuple(self.options))
        _check_default(self.default, len(self.options), f"Choice {self.label!r}")

    @property
    def size(self) -> int:
        return len(self.options)


def _check_label(label, kind):
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{kind}: label must be a non-empty string (it is the control's visible label); "
                         f"got {label!r}.")


def _check_default(default, size, what):
    if not isinstance(default, int) or isinstance(default, bool) or not 0 <= default < size:
        raise ValueError(f"{what}: default must be an index from 0 to {size - 1}; got {default!r}.")


@dataclass(frozen=True)
class InteractiveFigure:
    """A figure made by :func:`interactive_figure`; display it as a cell's last line."""

    name: str
    controls: tuple
    payload: dict
    still_png: bytes
    alt: str

    @property
    def default_key(self) -> tuple:
        return tuple(c.default for c in self.controls)

    def state(self, *indices) -> dict:
        """The stored (rounded) state for these control indices."""
        return self.payload["states"][state_key(indices)]

    def html(self) -> str:
        return render_html(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        summary = ", ".join(f"{c.label} ({c.size} {'values' if isinstance(c, Slider) else 'options'})"
                            for c in self.controls)
        return {"text/html": self.html(),
                "image/png": base64.b64encode(self.still_png).decode("ascii"),
                "text/plain": f"<interactive figure {self.name!r}: {summary}; {len(self.payload['states'])} states>"}


def state_key(indices) -> str:
    """The key of a state in the page's JSON: control indices joined by commas, e.g. "3,0"."""
    return ",".join(str(int(i)) for i in indices)


def interactive_figure(name: str, base, controls: Sequence, states: Mapping, still, alt: str) -> InteractiveFigure:
    """Build an interactive figure (see the module docstring); the still figure is closed once stored."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name must be lower-case letters, digits and '-', starting with a letter, at most 49 "
                         f"characters (it becomes HTML ids); got {name!r}.")
    if not isinstance(alt, str) or len(alt.strip()) < 20:
        raise ValueError(f"alt must say in a sentence what the figure shows (a screen reader reads it); got {alt!r}.")
    controls = tuple(controls)
    if not controls or not all(isinstance(c, (Slider, Choice)) for c in controls):
        raise ValueError(f"controls must be a non-empty list of Slider and Choice; got {controls!r}.")
    base_json = _base_json(base)
    n_traces = len(base_json["data"])
    expected = set(itertools.product(*(range(c.size) for c in controls)))
    if not isinstance(states, Mapping):
        raise ValueError(f"states must be a dict {{tuple of control indices: state}}; got {type(states).__name__}.")
    keys = {tuple(int(i) for i in (k if isinstance(k, tuple) else (k,))) for k in states}
    if keys != expected:
        missing, extra = sorted(expected - keys)[:3], sorted(keys - expected)[:3]
        missing = f", missing e.g. {missing}" if missing else ""
        extra = f", unexpected e.g. {extra}" if extra else ""
        raise ValueError(f"states must have one entry for every combination of control indices "
                         f"({len(expected)} = {' x '.join(str(c.size) for c in controls)}); got {len(keys)}"
                         f"{missing}{extra}.")
    stored = {}
    for key, state in states.items():
        indices = key if isinstance(key, tuple) else (key,)
        stored[state_key(indices)] = _checked_state(state, n_traces, indices)
    payload = {"name": name, "controls": [_control_json(c) for c in controls], "base": base_json,
               "states": dict(sorted(stored.items(), key=lambda kv: [int(i) for i in kv[0].split(",")])),
               "config": PLOTLY_CONFIG}
    return InteractiveFigure(name=name, controls=controls, payload=payload, still_png=_png(still), alt=alt.strip())


def _base_json(base) -> dict:
    if hasattr(base, "to_plotly_json"):
        base = base.to_plotly_json()
    if not isinstance(base, Mapping) or "data" not in base:
        raise ValueError(f"base must be a plotly.graph_objects.Figure (or its dict with 'data' and 'layout'); "
                         f"got {type(base).__name__}.")
    layout = dict(base.get("layout") or {})
    layout.pop("template", None)
    data = rounded(list(base["data"]))
    if not data:
        raise ValueError("base has no traces: add every trace the figure draws, in its default state.")
    return {"data": data, "layout": rounded(layout)}


def _checked_state(state, n_traces, indices) -> dict:
    if not isinstance(state, Mapping):
        raise ValueError(f"state {indices} must be a dict {{trace index: {{property: values}}, 'readout': text}}; "
                         f"got {type(state).__name__}.")
    traces, out = {}, {}
    for key, value in state.items():
        if key == "readout":
            if not isinstance(value, str):
                raise ValueError(f"state {indices}: readout must be a string; got {value!r}.")
            out["readout"] = value
        elif key == "layout":
            if not isinstance(value, Mapping):
                raise ValueError(f"state {indices}: layout must be a dict of layout keys; got {value!r}.")
            out["layout"] = rounded(dict(value))
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key < n_traces:
            if not isinstance(value, Mapping) or not value:
                raise ValueError(f"state {indices}, trace {key}: give a non-empty dict of the properties that "
                                 f"change, e.g. {{'x': [...], 'y': [...]}}; got {value!r}.")
            traces[str(int(key))] = rounded(dict(value))
        else:
            raise ValueError(f"state {indices}: key {key!r} is neither a trace index of base (0 to {n_traces - 1}) "
                             f"nor 'readout' or 'layout'.")
    out["traces"] = traces
    return out


def _control_json(control) -> dict:
    if isinstance(control, Slider):
        return {"kind": "slider", "label": control.label, "values": list(control.values),
                "labels": list(control.labels), "default": control.default}
    return {"kind": "choice", "label": control.label, "options": list(control.options), "default": control.default}


def _png(still) -> bytes:
    if not hasattr(still, "savefig"):
        raise ValueError(f"still must be a matplotlib Figure (the default state, for the PDF and plain Jupyter); "
                         f"got {type(still).__name__}.")
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    still.savefig(buffer, format="png", bbox_inches="tight", dpi=100)  # as matplotlib's inline backend stores it
    plt.close(still)  # stored: the inline backend must not show it a second time
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- the HTML it stores
_LOADER = """(function () {
  if (window.backpropInteractive) { window.backpropInteractive.initAll(); return; }
  var config = document.getElementById("jupyter-config-data");  /* only in Jupyter: load the book's own copies */
  if (!config || window.backpropInteractiveLoading) { return; }
  window.backpropInteractiveLoading = true;
  var base = (JSON.parse(config.textContent).baseUrl || "/") + "files/book_assets/";
  function load(path, then) {
    var script = document.createElement("script");
    script.src = base + path; script.onload = then;
    document.head.appendChild(script);
  }
  load("PLOTLY_JS", function () { load("INTERACTIVE_JS", function () { window.backpropInteractive.initAll(); }); });
})();""".replace("PLOTLY_JS", PLOTLY_JS).replace("INTERACTIVE_JS", INTERACTIVE_JS)


def render_html(figure: InteractiveFigure) -> str:
    """The figure's ``text/html``: deterministic (ids from its name, rounded numbers)."""
    fid = f"bp-{figure.name}"
    esc = html.escape
    # Named once each: the group is "interactive figure", described by the description paragraph; the plot has a
    # short name of its own (its finding is the description's, its numbers the readout's), so nothing is read twice.
    parts = [f'<div class="{HTML_CLASS}" id="{fid}" data-bp-figure="{esc(figure.name)}" role="group" '
             f'aria-label="interactive figure" aria-describedby="{fid}-desc">',
             '<p class="bp-fallback">An interactive figure: its controls move it in the web book '
             '(<code>make book</code>) and in Jupyter Lab started with <code>make lab</code>. What it shows is '
             'described below it.</p>',
             f'<div class="bp-plot" id="{fid}-plot" role="img" aria-label="{PLOT_LABEL}"></div>',
             '<div class="bp-controls">']
    for k, control in enumerate(figure.controls):
        cid = f"{fid}-c{k}"
        if isinstance(control, Slider):
            hint = f' aria-describedby="{cid}-hint"' if control.hint else ""
            parts.append(f'<div class="bp-control bp-slider"><label for="{cid}">{esc(control.label)}</label> '
                         f'<input type="range" id="{cid}" data-bp-control="{k}" min="0" max="{control.size - 1}" '
                         f'step="1" value="{control.default}" '
                         f'aria-valuetext="{esc(control.labels[control.default])}"{hint}> '
                         f'<output for="{cid}" id="{cid}-value">{esc(control.labels[control.default])}</output>')
            if control.marks:
                parts.append('<div class="bp-marks" aria-hidden="true">' + "".join(
                    f'<span style="left: {100 * control.mark_position(v):.1f}%">{esc(t)}</span>'
                    for v, t in control.marks) + "</div>")
            if control.hint:
                parts.append(f'<p class="bp-hint" id="{cid}-hint">{esc(control.hint)}</p>')
            parts.append("</div>")
        else:
            options = "".join(f'<option value="{i}"{" selected" if i == control.default else ""}>{esc(o)}</option>'
                              for i, o in enumerate(control.options))
            parts.append(f'<div class="bp-control bp-choice"><label for="{cid}">{esc(control.label)}</label> '
                         f'<select id="{cid}" data-bp-control="{k}">{options}</select></div>')
    readout = figure.payload["states"][state_key(figure.default_key)].get("readout", "")
    data = json.dumps(figure.payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = data.replace("<", "\\u003c")  # nothing inside can close the script element
    parts += ["</div>",
              f'<p class="bp-readout" id="{fid}-readout" aria-live="polite">{esc(readout)}</p>',
              f'<p class="bp-description" id="{fid}-desc">{esc(figure.alt)}</p>',
              f'<script type="application/json" class="bp-data">{data}</script>',
              f"<script>{_LOADER}</script>",
              "</div>"]
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------ the Sphinx extension
def _add_scripts(app, pagename, templatename, context, doctree):
    """Load Plotly and our script only on the pages that hold an interactive figure."""
    if f'class="{HTML_CLASS}"' in (context.get("body") or ""):
        app.add_js_file(PLOTLY_JS)
        app.add_js_file(INTERACTIVE_JS)


def setup(app):
    """Sphinx extension (``backprop.interactive`` in ``_config.yml``'s extensions)."""
    app.connect("html-page-context", _add_scripts)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
