/* The book's interactive figures (backprop.interactive.figure writes their HTML).
 *
 * Every figure is a <div class="bp-interactive"> holding a plot <div class="bp-plot">, native controls
 * (<input type="range"> and <select>, each with data-bp-control="k"), a readout and a
 * <script type="application/json" class="bp-data"> with {controls, base: {data, layout}, states, config}.
 * A state is keyed by the controls' indices joined by commas ("3,0"); it holds the trace properties that
 * change ({"traces": {"0": {"x": [...]}}}), optionally "layout" keys and a "readout" text. Moving a control
 * draws the stored state with Plotly.react: the page computes nothing. After each draw the figure's element
 * carries data-bp-state="3,0", which the browser tests read.
 */
(function () {
  "use strict";

  var STYLE = [
    ".bp-interactive { margin: 0.5em 0 1em; text-align: left; }",
    ".bp-interactive .bp-plot { width: 100%; min-height: 320px; }",
    /* Each slider has a row of its own (two 16em tracks with their values do not fit side by side in the book's
       column, and a row that mixes them with menus wraps unpredictably); the menus share the rows after them. */
    ".bp-interactive .bp-controls { display: flex; flex-wrap: wrap; gap: 0.4em 2em; margin: 0.4em 0; }",
    ".bp-interactive .bp-control { position: relative; padding-bottom: 1.2em; }",
    ".bp-interactive .bp-slider { flex: 1 1 100%; }",
    /* Room for the menu's arrow: Chromium sizes a select to its widest option and can draw the arrow over the
       end of text with superscripts such as "x² + 3y²". */
    ".bp-interactive select { padding: 0.15em 1.8em 0.15em 0.3em; font-size: 1em; min-width: 6em; }",
    ".bp-interactive .bp-control label { display: block; font-weight: 600; }",
    ".bp-interactive input[type=range] { width: 16em; vertical-align: middle; }",
    ".bp-interactive output { display: inline-block; min-width: 4em; font-variant-numeric: tabular-nums; }",
    ".bp-interactive .bp-marks { position: relative; height: 1.3em; font-size: 0.8em; color: #a40;",
    "  width: calc(16em / 0.8 - 16px); }",
    ".bp-interactive .bp-marks span { position: absolute; white-space: nowrap; border-left: 1px solid #a40;",
    "  padding-left: 2px; margin-left: 8px; }",  /* 8px: the centre of the range thumb at the track's ends */
    ".bp-interactive .bp-hint { font-size: 0.85em; margin: 0.2em 0 0; max-width: 40em; }",
    ".bp-interactive .bp-readout { margin: 0.3em 0; font-variant-numeric: tabular-nums; }",
    ".bp-interactive .bp-description { font-size: 0.85em; color: #555; }",
    ".bp-interactive.bp-ready .bp-fallback { display: none; }"
  ].join("\n");

  function addStyle() {
    if (document.getElementById("bp-interactive-style")) { return; }
    var style = document.createElement("style");
    style.id = "bp-interactive-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // A copy of `target` with `update` written over it; nested objects merge, arrays and numbers are replaced.
  function merged(target, update) {
    var out = Object.assign({}, target);
    Object.keys(update).forEach(function (key) {
      out[key] = isObject(update[key]) && isObject(out[key]) ? merged(out[key], update[key]) : update[key];
    });
    return out;
  }

  function init(root) {
    if (root.getAttribute("data-bp-ready") === "1" || typeof window.Plotly === "undefined") { return; }
    var data = JSON.parse(root.querySelector("script.bp-data").textContent);
    var plot = root.querySelector(".bp-plot");
    var readout = root.querySelector(".bp-readout");
    var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-bp-control]"));

    function key() {
      return inputs.map(function (input) { return String(parseInt(input.value, 10)); }).join(",");
    }

    function draw() {
      var k = key();
      var state = data.states[k];
      if (!state) { throw new Error("interactive figure " + data.name + ": no stored state " + k); }
      var traces = data.base.data.map(function (trace, i) {
        var update = state.traces[String(i)];
        return update ? merged(trace, update) : Object.assign({}, trace);
      });
      var layout = state.layout ? merged(data.base.layout, state.layout) : Object.assign({}, data.base.layout);
      inputs.forEach(function (input) {
        var control = data.controls[parseInt(input.getAttribute("data-bp-control"), 10)];
        if (control.kind === "slider") {
          var text = control.labels[parseInt(input.value, 10)];
          input.setAttribute("aria-valuetext", text);
          var output = root.querySelector("output[for='" + input.id + "']");
          if (output) { output.textContent = text; }
        }
      });
      if (readout) { readout.textContent = state.readout || ""; }
      return window.Plotly.react(plot, traces, layout, data.config).then(function () {
        root.setAttribute("data-bp-state", k);
      });
    }

    // In Jupyter Lab, arrow keys on a focused slider would otherwise go to the notebook's own shortcuts: Lumino
    // skips elements marked data-lm-suppress-shortcuts, and the notebook's own handler never sees the key.
    var controls = root.querySelector(".bp-controls");
    if (controls) { controls.setAttribute("data-lm-suppress-shortcuts", "true"); }
    inputs.forEach(function (input) {
      input.addEventListener("input", draw);
      input.addEventListener("change", draw);
      input.addEventListener("keydown", function (event) { event.stopPropagation(); });
    });
    root.setAttribute("data-bp-ready", "1");
    root.classList.add("bp-ready");
    draw();
  }

  function initAll() {
    addStyle();
    Array.prototype.forEach.call(document.querySelectorAll(".bp-interactive"), init);
  }

  window.backpropInteractive = { init: init, initAll: initAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
