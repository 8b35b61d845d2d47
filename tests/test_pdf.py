"""The whole-book PDF (`make pdf`): pages rendered to images and read back, so math and figures are proven present.

Uses the PDF at _build/pdf/backprop-by-hand.pdf (or $BOOK_PDF); when it is missing, builds it with
`scripts/build_pdf.py --build`. Pages are rendered with PDFium (the PyPI package pypdfium2; no poppler needed).
Checks: pages are not blank; no raw TeX (a delimiter such as `\\(` or `$$`, or a command such as `\\frac`) in the
text of the prose (the same characters inside code cells and their outputs are the book's code, not math left
untypeset); the math is drawn (MathJax's SVG glyphs become vector paths); a known figure's page carries its image,
with colour in it; every interactive figure of the chapters is there as its still, with its caption ending "The web
book has the interactive version of this figure.". Each detector is also shown to fire: on a PDF printed without
MathJax, on a blank page, on a figure the PDF lacks, and on pages whose interactive figure has no still or kept its
moving HTML.

Run alone with `python -m pytest tests/test_pdf.py -m pdf` (needs /usr/bin/chromium to build the PDF).
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pdfium = pytest.importorskip("pypdfium2", reason="the PDF test renders pages with pypdfium2 (pip install pypdfium2)")

pytestmark = pytest.mark.pdf

ROOT = Path(__file__).resolve().parents[1]
PDF = Path(os.environ.get("BOOK_PDF", ROOT / "_build" / "pdf" / "backprop-by-hand.pdf"))
SINGLEHTML = Path(os.environ.get("BOOK_SINGLEHTML_DIR", ROOT / "_build" / "singlehtml"))
sys.path.insert(0, str(ROOT / "scripts"))
import build_pdf  # noqa: E402 - the script lives outside the package, next to the Makefile's other tasks

from backprop.interactive.figure import FIGURE_CLASS, HTML_CLASS, STILL_NOTE  # noqa: E402

# What raw TeX looks like in a PDF whose math was never typeset: Sphinx's MathJax delimiters, $$ blocks, commands.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:frac|tfrac|dfrac|partial|sigma|alpha|hat|begin|end|sum|nabla)\b")
# A figure whose caption names it, and a page full of math, to look for.
FIGURE_CAPTION = "two-term error models"  # chapter 1, fig-derivatives-step-size
MATH_PAGE_TEXT = "five local derivatives"  # chapter 5, before the equations of two neurons in sequence
# The tests that print a PDF which must be rejected print this chapter only (seconds, not the whole book): it has the
# page above and display equations wider than A4 without the print rule that fits them to the column.
MATH_CHAPTER = "chapters/05_two_neurons"


@pytest.fixture(scope="module")
def book_pdf() -> Path:
    if not build_pdf.CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip(f"Chromium not found at {build_pdf.CHROMIUM}: `sudo apt-get install chromium` to print the PDF")
    if not PDF.exists():
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pdf.py"), "--build"], cwd=ROOT)
        assert result.returncode == 0, "`scripts/build_pdf.py --build` failed: see its message above"
    return PDF


@pytest.fixture(scope="module")
def document(book_pdf):
    doc = pdfium.PdfDocument(str(book_pdf))
    yield doc
    doc.close()


@pytest.fixture(scope="module")
def texts(document) -> list[str]:
    """The text of every page of the book's PDF, read once for all the tests (400 pages take seconds)."""
    return page_texts(document)


def page_text(page) -> str:
    return page.get_textpage().get_text_range()


def page_texts(document) -> list[str]:
    return [page_text(page) for page in document]


def ink_fraction(page, scale: float = 0.5) -> float:
    """Fraction of the rendered page's pixels that are not white."""
    pixels = page.render(scale=scale).to_numpy()[..., :3].astype(int)
    return float((pixels.min(axis=2) < 240).mean())


def colourful_fraction(pixels: np.ndarray) -> float:
    """Fraction of pixels that are clearly coloured (not white, grey or black): plotted lines, filled areas."""
    rgb = pixels[..., :3].astype(int)
    return float(((rgb.max(axis=2) - rgb.min(axis=2)) > 60).mean())


@functools.cache
def code_corpus() -> str:
    """Every code cell and text output of the book's notebooks, whitespace removed."""
    parts = []
    for notebook in sorted(ROOT.glob("*/*.ipynb")):
        if notebook.parts[-2] not in ("chapters", "exercises", "solutions"):
            continue
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            parts.append("".join(cell["source"]))
            for output in cell.get("outputs", []):
                parts.append("".join(output.get("text", "")))
                parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return re.sub(r"\s+", "", "".join(parts))


def raw_tex(texts: list[str], corpus: str) -> list[str]:
    """Raw TeX in the PDF's text (one string per page) that is not code: each as 'page N: …context…'."""
    found = []
    for number, text in enumerate(texts, start=1):
        for match in RAW_TEX.finditer(text):
            squeezed_before = re.sub(r"\s+", "", text[max(0, match.start() - 40) : match.start()])[-12:]
            squeezed_after = re.sub(r"\s+", "", text[match.start() : match.start() + 60])[:20]
            if squeezed_before + squeezed_after in corpus:
                continue  # the book's own code or output, printed as it is
            found.append(f"page {number}: …{text[max(0, match.start() - 30) : match.end() + 30]!r}…")
    return found


def math_paths(page) -> int:
    """Vector paths on the page: typeset math (MathJax SVG) is drawn as paths, raw TeX as text."""
    return sum(1 for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_PATH], max_depth=4))


def images_with_colour(page, min_points: float = 150.0) -> list[float]:
    """For each image on the page at least `min_points` wide: the fraction of its rendered pixels in colour."""
    scale = 1.0
    rendered = page.render(scale=scale).to_numpy()
    height = rendered.shape[0]
    fractions = []
    for image in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        left, bottom, right, top = image.get_bounds()
        if right - left < min_points:
            continue
        rows = slice(int(height - top * scale), int(height - bottom * scale))
        crop = rendered[rows, int(left * scale) : int(right * scale)]
        fractions.append(colourful_fraction(crop))
    return fractions


def find_page(texts: list[str], text: str) -> int:
    wanted = " ".join(text.lower().split())
    for index, page in enumerate(texts):
        if wanted in " ".join(page.lower().split()):
            return index
    raise AssertionError(f"no page of the PDF contains {text!r}")


def test_the_pdf_holds_the_whole_book(document, texts):
    assert len(document) >= 30, f"only {len(document)} pages: is the whole book in the PDF?"
    text = "".join(texts)
    for title in ("Derivatives", "Gradient descent", "Two neurons", "Notation", "Glossary", "Bibliography"):
        assert title in text, f"{title!r} is not in the PDF"


def test_pages_are_not_blank(document):
    sample = sorted({0, 1, len(document) // 3, len(document) // 2, 2 * len(document) // 3, len(document) - 1})
    blank = [index + 1 for index in sample if ink_fraction(document[index]) < 0.005]
    assert not blank, f"blank pages: {blank}"


def test_no_raw_tex_in_the_prose(texts):
    found = raw_tex(texts, code_corpus())
    assert not found, "math printed as raw TeX (MathJax had not typeset it):\n" + "\n".join(found[:10])


def test_math_is_drawn(document, texts):
    page = document[find_page(texts, MATH_PAGE_TEXT)]
    assert math_paths(page) >= 100, f"the page of {MATH_PAGE_TEXT!r} has only {math_paths(page)} vector paths"


def test_a_known_figure_is_on_its_page(document, texts):
    page = document[find_page(texts, FIGURE_CAPTION)]
    fractions = images_with_colour(page)
    assert fractions, f"no figure image on the page captioned {FIGURE_CAPTION!r}"
    assert max(fractions) > 0.005, f"the figure is there but shows no coloured lines: {fractions}"


@functools.cache
def interactive_captions() -> tuple[tuple[str, str], ...]:
    """(notebook, caption) of every interactive figure stored in the chapters (a text/html output of that class)."""
    found = []
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", []))
            if f'class="{HTML_CLASS}"' in html:
                found.append((notebook.name, cell["metadata"]["mystnb"]["figure"]["caption"]))
    return tuple(found)


def plain_words(caption: str, n_words: int = 8) -> str:
    """The first words of the caption's longest stretch without math (math is drawn as paths, so the PDF's text
    lacks it), few enough to stay on one page."""
    longest = max((part.strip(" ,.:;()") for part in re.split(r"\$[^$]*\$", caption)), key=len)
    return squeezed(" ".join(longest.split()[:n_words]))


def squeezed(text: str) -> str:
    """Whitespace collapsed and typographic quotes made plain (the HTML build curls the captions' quotes)."""
    return " ".join(text.translate(str.maketrans("‘’“”", "''\"\"")).split())


def still_problems(document, texts: list[str], captions: list[tuple[str, str]]) -> list[str]:
    """Each interactive figure must be in the PDF (its pages' `texts`) as a still (an image with colour) with the note
    in its caption."""
    texts = [squeezed(text) for text in texts]
    note = " ".join(STILL_NOTE.split())
    found = []
    if sum(text.count(note) for text in texts) != len(captions):
        found.append(f"{sum(text.count(note) for text in texts)} captions carry the note, for {len(captions)} "
                     "interactive figures")
    for notebook, caption in captions:
        words = plain_words(caption)
        pages = [i for i, text in enumerate(texts) if words in text]
        if not pages:
            found.append(f"{notebook}: no page carries the caption {words!r}")
            continue
        i = pages[0]
        if note not in texts[i] + (texts[i + 1] if i + 1 < len(texts) else ""):
            found.append(f"{notebook}: the caption on page {i + 1} lacks {STILL_NOTE!r}")
        if not [f for f in images_with_colour(document[i]) if f > 0.005]:
            found.append(f"{notebook}: no still (an image with colour) on page {i + 1}, the caption's")
    return found


def test_every_interactive_figure_is_a_captioned_still(document, texts):
    captions = interactive_captions()
    assert {notebook for notebook, _ in captions} >= {"02_gradient_descent.ipynb", "03_single_neuron.ipynb"}
    assert still_problems(document, texts, captions) == []


# ---- the detectors above can fail -------------------------------------------------------------------------------


def test_a_missing_or_unnoted_still_is_caught(document, texts):
    captions = interactive_captions()
    assert still_problems(document, texts, [*captions, ("99_none.ipynb", "A caption that is in no page of the book")])
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    assert len(still_problems(blank, page_texts(blank), captions)) > len(captions)


@pytest.fixture(scope="module")
def flawed_page_report(tmp_path_factory) -> dict:
    """The print report of a small page with two flaws the build must refuse, one for each of the two tests below (one
    Chromium start for both): a script from a CDN, and an interactive figure with no still whose moving HTML would
    reach the print."""
    folder = tmp_path_factory.mktemp("flawed-page")
    (folder / "intro.html").write_text(
        '<html><head><script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"></script></head>'
        f'<body><p>offline?</p><figure class="{FIGURE_CLASS}" id="fig-x"><div class="{HTML_CLASS}"></div>'
        "<figcaption><p>A caption.</p></figcaption></figure></body></html>"
    )
    return build_pdf.print_pdf(folder, folder / "out.pdf", wait_for_math=False)


def test_the_build_refuses_an_interactive_figure_without_its_still(flawed_page_report):
    """A figure of the interactive class with no image, or a moving figure's HTML in the print, fails the build."""
    report = flawed_page_report
    assert report["interactive_incomplete"] == ["fig-x"] and report["interactive_html"] == 1
    found = build_pdf.problems(report)
    assert any("without a still image" in p for p in found) and any("reached the print" in p for p in found)




def test_a_blank_page_is_caught():
    blank = pdfium.PdfDocument.new()
    page = blank.new_page(595, 842)
    assert ink_fraction(page) < 0.005
    assert math_paths(page) == 0
    assert images_with_colour(page) == []


def test_a_pdf_printed_before_mathjax_is_rejected(document, texts, tmp_path):
    """Print the same page with MathJax blocked and not waited for: the build and every math check must object."""
    if not (SINGLEHTML / "intro.html").exists():
        pytest.fail(f"no single-page build in {SINGLEHTML}: run `make pdf` first")
    bad = tmp_path / "no-mathjax.pdf"
    report = build_pdf.print_pdf(SINGLEHTML, bad, wait_for_math=False, block=("mathjax",), only=(MATH_CHAPTER,))
    assert any("MathJax" in problem for problem in build_pdf.problems(report))
    bad_document = pdfium.PdfDocument(str(bad))
    try:
        bad_texts = page_texts(bad_document)
        found = raw_tex(bad_texts, code_corpus())
        assert len(found) > 20, f"raw TeX should be everywhere in a PDF printed without MathJax; found {found}"
        page = bad_document[find_page(bad_texts, MATH_PAGE_TEXT)]
        good_paths = math_paths(document[find_page(texts, MATH_PAGE_TEXT)])
        assert math_paths(page) < good_paths / 2, "without MathJax the math page should have far fewer paths"
    finally:
        bad_document.close()


def test_a_page_without_a_figure_is_caught(document):
    assert images_with_colour(document[0]) == [], "the title page has no figure; the detector must say so"


def test_the_build_refuses_requests_that_leave_the_machine(book_pdf, flawed_page_report):
    """A page that asks for a CDN script must fail the PDF build, not print without it."""
    report = flawed_page_report
    assert report["outside_requests"] == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"]
    assert any("leave 127.0.0.1" in problem for problem in build_pdf.problems(report))


def test_an_equation_cut_at_the_margin_is_caught(book_pdf, tmp_path, monkeypatch):
    """Without the print stylesheet's rule that shrinks wide equations to the column, the build must object."""
    if not (SINGLEHTML / "intro.html").exists():
        pytest.fail(f"no single-page build in {SINGLEHTML}: run `make pdf` first")
    fit_rule = 'mjx-container[display="true"] > svg { max-width: 100% !important; height: auto !important; }'
    assert fit_rule in build_pdf.PRINT_CSS
    monkeypatch.setattr(build_pdf, "PRINT_CSS", build_pdf.PRINT_CSS.replace(fit_rule, ""))
    report = build_pdf.print_pdf(SINGLEHTML, tmp_path / "cut.pdf", only=(MATH_CHAPTER,))
    assert report["cut_equations"], f"{MATH_CHAPTER} has equations wider than A4: removing the rule should expose them"
    assert any("wider than the printed page" in problem for problem in build_pdf.problems(report))
