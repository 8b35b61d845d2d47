"""Interactive figures for the web book: precomputed in Python, drawn by Plotly, moved with native HTML controls.

Read ``figure.py`` first (the machinery and its API), then one module per figure: ``descent.py`` (chapter 2,
gradient descent and the learning rate), ``graphs.py`` (chapter 3, a computation graph's values and gradients),
``training.py``, ``flow.py`` and ``ising.py`` (chapters 7, 8, 10-11).

``backprop.interactive`` is also a Sphinx extension (``setup``): it loads the served scripts on the pages that
hold an interactive figure.
"""

from backprop.interactive.figure import (
    DIGITS,
    STILL_NOTE,
    Choice,
    InteractiveFigure,
    Slider,
    interactive_figure,
    rounded,
    setup,
    state_key,
)

__all__ = ["DIGITS", "STILL_NOTE", "Choice", "InteractiveFigure", "Slider", "interactive_figure", "rounded",
           "setup", "state_key"]
