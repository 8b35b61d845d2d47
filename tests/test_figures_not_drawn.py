"""The portability stage's kernels show figures without drawing them (tests/kernel_startup/figures_not_drawn.py):
what nbval compares stays the same, and nothing is drawn."""

from base64 import b64decode
from pathlib import Path

import IPython.core.pylabtools as pylabtools
import pytest
from matplotlib.figure import Figure

STARTUP_FILE = Path(__file__).parent / "kernel_startup" / "figures_not_drawn.py"


@pytest.fixture
def startup_run(monkeypatch):
    """Run the startup file as IPython would (in the user's namespace); IPython's own function is put back after."""
    monkeypatch.setattr(pylabtools, "print_figure", pylabtools.print_figure)
    namespace = {}
    exec(compile(STARTUP_FILE.read_text(), str(STARTUP_FILE), "exec"), namespace)
    return namespace


def figure_counting_draws():
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    fig.draws = 0
    original_draw = fig.draw

    def counted_draw(renderer):
        fig.draws += 1
        return original_draw(renderer)

    fig.draw = counted_draw
    return fig


def test_without_the_startup_file_a_shown_figure_is_drawn():
    """The counter below sees a drawing: IPython's own function draws the figure into its PNG."""
    fig = figure_counting_draws()
    assert pylabtools.print_figure(fig, fmt="png").startswith(b"\x89PNG") and fig.draws >= 1


def test_the_startup_file_shows_figures_undrawn_and_leaves_the_namespace_clean(startup_run):
    assert [name for name in startup_run if name != "__builtins__"] == []
    fig = figure_counting_draws()
    png = pylabtools.print_figure(fig, fmt="png", base64=True)
    assert b64decode(png).startswith(b"\x89PNG") and fig.draws == 0
    assert pylabtools.print_figure(Figure()) is None  # an empty figure shows nothing, as in IPython
    with pytest.raises(ValueError, match="PNG figures only"):
        pylabtools.print_figure(fig, fmt="svg")


def test_the_inline_formatter_gives_the_same_text_line_and_an_undrawn_png(startup_run):
    """The path the inline backend takes: select_figure_formats registers the PNG formatter after the startup file
    ran; nbval compares the text line and skips the image."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    pylabtools.select_figure_formats(shell, {"png"})
    fig = figure_counting_draws()
    bundle, _ = shell.display_formatter.format(fig)
    assert bundle["text/plain"] == repr(fig) and bundle["text/plain"].startswith("<Figure size 300x200 with 1 Axes")
    assert b64decode(bundle["image/png"]).startswith(b"\x89PNG") and fig.draws == 0
