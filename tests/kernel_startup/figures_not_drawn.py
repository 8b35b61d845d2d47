# IPython startup file for the portability stage's kernels: figures are shown without being drawn into a PNG.
#
# nbval never compares images (it skips ``image/png`` unless run with nbdime), so in the two extra numeric environments
# drawing and compressing each of the book's 47 inline figures costs CPU and proves nothing: what nbval compares
# there, the printed numbers and each figure's text line ("<Figure size 1100x400 with 2 Axes>"), is computed without
# drawing. The ``notebooks`` stage, in the default environment, still draws every figure, so a figure that fails to
# draw still fails the tests. tests/numeric_environments.py puts this file in each kernel's IPython profile; nothing
# else loads it.
#
# It replaces IPython's ``print_figure``, which the inline backend's PNG formatter calls, before the backend is set up
# (the formatter looks the function up when pyplot is first imported). The PNG it returns is a fixed 1x1 image.
# IPython runs startup files in the notebook's own namespace, so this file is comments and one function, which deletes
# itself: not even a docstring is left behind in the notebook (it would be its __doc__).


def _show_figures_without_drawing():
    from base64 import b64decode, b64encode

    import IPython.core.pylabtools as pylabtools

    one_pixel_png = b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

    def figure_not_drawn(fig, fmt="png", bbox_inches="tight", base64=False, **kwargs):  # IPython's signature
        if not fig.axes and not fig.lines:  # as IPython does: an empty figure shows nothing
            return None
        if fmt != "png":
            raise ValueError(f"figures_not_drawn stands in for PNG figures only; this kernel asked for {fmt!r}")
        return b64encode(one_pixel_png).decode("ascii") if base64 else one_pixel_png

    pylabtools.print_figure = figure_not_drawn


_show_figures_without_drawing()
del _show_figures_without_drawing
