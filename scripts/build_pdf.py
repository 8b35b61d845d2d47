"""Print the whole book to one PDF with the system Chromium, offline: `make pdf`.

Jupyter Book's own `pdfhtml` builder downloads a browser and fails without internet. This script prints the
single-page HTML build instead (`jupyter-book build . --builder singlehtml`, which writes _build/singlehtml and
leaves the HTML site in _build/html alone), with Debian's Chromium driven by Playwright (never `playwright
install`):

1. serve the single-page build on 127.0.0.1 and open it; every request that is not to 127.0.0.1 (or data:/blob:)
   is aborted and recorded, and the build fails if there was any;
2. wait until MathJax has finished typesetting (its startup promise), then check that every piece of math was
   typeset without error and that every image loaded;
3. give every interactive figure's still (the single-page build shows the image/png of its mime bundle, see
   `nb_mime_priority_overrides` in _config.yml) the end of its caption: "The web book has the interactive version
   of this figure."; the build fails if such a figure has no still or no caption, or if a moving figure's HTML
   reached the print;
4. print to A4 with page numbers, each chapter starting on a new page.

Usage (from the book's root, with the virtual environment's Python)::

    python scripts/build_pdf.py --build          # build _build/singlehtml, then print it
    python scripts/build_pdf.py                  # print an existing _build/singlehtml
    python scripts/build_pdf.py --html-dir DIR --output FILE.pdf

Exit status 0 with the PDF written, or 1 with a message saying what went wrong and how to fix it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from local_browser import CHROMIUM, CHROMIUM_ARGS, load_images_and_list_broken, serve

from backprop.interactive.figure import FIGURE_CLASS, HTML_CLASS, STILL_NOTE

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HTML_DIR = ROOT / "_build" / "singlehtml"
DEFAULT_OUTPUT = ROOT / "_build" / "pdf" / "backprop-by-hand.pdf"
MATHJAX_TIMEOUT_MS = 120_000  # the single page holds every formula of the book
# A4 less the left and right margins, in CSS pixels (96 per inch): the width the printed column is laid out in.
PRINT_WIDTH_PX = round((210 - 15 - 15) / 25.4 * 96)

# Print layout: each document of the book (chapter, reference page) starts on a new page; the theme's print
# stylesheet already hides the navigation bars. Figures and equations are kept whole.
PRINT_CSS = """
span[id^="document-"] + section { break-before: page; }
figure, img, mjx-container[display="true"], .cell_output img { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
.cell_input, .cell_output, pre { break-inside: auto; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }  /* long code lines wrap instead of being cut */
div.highlight, .cell_output { overflow: visible !important; }
/* A display equation wider than the printed column is scaled down to fit, never cut at the margin. */
div.math, mjx-container[display="true"] { overflow: visible !important; max-width: 100%; }
mjx-container[display="true"] > svg { max-width: 100% !important; height: auto !important; }
"""


# Runs before the page's own scripts: every document of the single page (a span id="document-NAME" followed by its
# section) that is not kept is removed before typesetting. Not on DOMContentLoaded: MathJax is a deferred script, and
# deferred scripts run (MathJax typesetting the whole book) before that event; the document turns "interactive"
# before they run.
KEEP_ONLY_SCRIPT = """
document.addEventListener('readystatechange', () => {
    if (document.readyState !== 'interactive') return;
    const kept = KEPT;
    for (const marker of document.querySelectorAll('span[id^="document-"]')) {
        const name = marker.id.slice('document-'.length);
        const section = marker.nextElementSibling;
        if (name !== 'intro' && !kept.includes(name) && section && section.tagName === 'SECTION') section.remove();
    }
});
"""


# Runs before the page's own scripts: the print stylesheet, as the last of the page's style sheets (an adopted one needs
# no <head> yet).
PRINT_STYLE_SCRIPT = """
const printSheet = new CSSStyleSheet();
printSheet.replaceSync(PRINT_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, printSheet];
"""


# The `jupyter-book` command, less an import that costs 2 s of CPU and does nothing for the build
# (scripts/lean_imports.py says which and why).
JUPYTER_BOOK = f"""import sys
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
import lean_imports
from jupyter_book.cli.main import main
main(prog_name="jupyter-book")
"""


class PdfBuildError(RuntimeError):
    """The book could not be printed; the message says why and what to do."""


def build_singlehtml(source: Path = ROOT, path_output: Path | None = None, toc: Path | None = None,
                     config: Path | None = None) -> Path:
    """Run `jupyter-book build --builder singlehtml` (warnings are errors); return the output directory.

    By default it writes _build/singlehtml (sharing the notebook execution cache with `make book`) and never
    touches _build/html. `path_output`, `toc` and `config` are jupyter-book's options of the same names.
    """
    command = [sys.executable, "-c", JUPYTER_BOOK, "build", str(source), "--builder", "singlehtml", "-W",
               "--keep-going"]
    for option, value in (("--path-output", path_output), ("--toc", toc), ("--config", config)):
        if value is not None:
            command += [option, str(value)]
    print("$ jupyter-book " + " ".join(command[3:]), flush=True)
    if subprocess.call(command, cwd=source) != 0:
        raise PdfBuildError("the single-page HTML build failed (see its output above); fix it, then run `make pdf`.")
    return (path_output or source) / "_build" / "singlehtml"


def print_pdf(html_dir: Path, output: Path, *, wait_for_math: bool = True, block: tuple[str, ...] = (),
              only: tuple[str, ...] = ()) -> dict:
    """Print `html_dir`'s single page to `output`. Return a report of what was checked.

    `wait_for_math=False` and `block` (URL substrings to abort, e.g. the MathJax script) exist for the tests:
    they print a PDF that must be rejected, to prove the checks can fail. `only` (document names such as
    "chapters/05_two_neurons") prints just those documents of the book, removed from the page before MathJax
    typesets it: a test that needs one chapter then takes seconds instead of the whole book's half minute.
    """
    page_file = html_dir / "intro.html"
    if not page_file.exists():
        candidates = sorted(p.name for p in html_dir.glob("*.html") if p.name != "index.html")
        if not candidates:
            raise PdfBuildError(
                f"no single-page HTML build in {html_dir}: run `jupyter-book build . --builder singlehtml` "
                "(or `python scripts/build_pdf.py --build`) first."
            )
        page_file = html_dir / candidates[0]
    if not CHROMIUM.exists():
        raise PdfBuildError(
            f"Chromium not found at {CHROMIUM}: install Debian's browser with `sudo apt-get install chromium` "
            "(or set BACKPROP_CHROMIUM to its path). The PDF is printed with it."
        )
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    failed: list[str] = []
    js_errors: list[str] = []

    def route(route, request):
        parts = urlsplit(request.url)
        local = parts.scheme in ("data", "blob") or (parts.scheme == "http" and parts.hostname == "127.0.0.1")
        if local and parts.path.endswith("/searchindex.js") and not (html_dir / "searchindex.js").exists():
            # The single-page builder writes no search index but the theme still links one; a PDF has no search.
            route.fulfill(status=200, content_type="text/javascript", body="")
        elif local and not any(pattern in request.url for pattern in block):
            route.continue_()
        else:
            if not local:
                outside.append(request.url)
            route.abort()

    httpd, base = serve(html_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            try:
                # Laid out as it is printed from the first paint: at the printed column's width, in print media, with
                # the print stylesheet. Changing any of them after MathJax has typeset the book lays the whole single
                # page out again, which costs seconds of CPU each time.
                context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1200})
                context.route("**/*", route)
                page = context.new_page()
                page.emulate_media(media="print")
                page.add_init_script(PRINT_STYLE_SCRIPT.replace("PRINT_CSS", json.dumps(PRINT_CSS)))
                if only:
                    page.add_init_script(KEEP_ONLY_SCRIPT.replace("KEPT", repr(list(only))))
                page.on("pageerror", lambda error: js_errors.append(str(error)))
                page.on(
                    "response",
                    lambda response: failed.append(f"{response.url} (HTTP {response.status})")
                    if response.status >= 400
                    else None,
                )
                page.goto(f"{base}/{page_file.name}", wait_until="load", timeout=120_000)
                report = {"mathjax": False}
                if wait_for_math:
                    report = wait_for_mathjax(page)
                report["broken_images"] = load_images_and_list_broken(page)
                report.update(note_interactive_stills(page))
                report["cut_equations"] = cut_equations(page)
                output.parent.mkdir(parents=True, exist_ok=True)
                page.pdf(
                    path=str(output),
                    format="A4",
                    print_background=True,
                    margin={"top": "18mm", "bottom": "18mm", "left": "15mm", "right": "15mm"},
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=(
                        '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                        'Backprop by hand — <span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                    ),
                )
            finally:
                browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    report.update(outside_requests=outside, failed_requests=failed, js_errors=js_errors)
    return report


def note_interactive_stills(page) -> dict:
    """Append STILL_NOTE to the caption of every interactive figure's still; report what was found."""
    return page.evaluate(
        """([figureClass, htmlClass, note]) => {
            const figures = Array.from(document.querySelectorAll(`figure.${figureClass}`));
            const incomplete = [];
            for (const figure of figures) {
                const caption = figure.querySelector('figcaption');
                if (!figure.querySelector('img') || !caption) {
                    incomplete.push(figure.id || (caption ? caption.textContent.trim().slice(0, 60) : '(no caption)'));
                    continue;
                }
                const where = caption.querySelector('p:last-of-type') || caption;
                const span = document.createElement('span');
                span.className = 'bp-still-note';
                span.textContent = ' ' + note;
                where.appendChild(span);
            }
            return {interactive_stills: figures.length - incomplete.length, interactive_incomplete: incomplete,
                    interactive_html: document.querySelectorAll(`.${htmlClass}`).length};
        }""",
        [FIGURE_CLASS, HTML_CLASS, STILL_NOTE],
    )


def wait_for_mathjax(page) -> dict:
    """Wait for MathJax's first typesetting pass over the whole page; return what it typeset."""
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=MATHJAX_TIMEOUT_MS)
    page.evaluate("() => MathJax.startup.promise")
    return page.evaluate(
        """() => {
            const maths = Array.from(document.querySelectorAll('.math'));
            return {
                mathjax: true,
                math: maths.length,
                typeset: document.querySelectorAll('mjx-container').length,
                untypeset: maths.filter(el => !el.querySelector('mjx-container'))
                                .map(el => el.textContent.trim().slice(0, 80)),
                errors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
                            .map(el => el.getAttribute('data-mjx-error') || el.textContent),
            };
        }"""
    )


def cut_equations(page) -> list[str]:
    """Display equations wider than the printed column (they would be cut at the page's margin)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('mjx-container[display="true"]'))
            .filter(el => el.offsetParent !== null)
            .filter(el => {
                const box = el.getBoundingClientRect();
                const column = (el.closest('.math') || el.parentElement).getBoundingClientRect();
                const drawn = el.querySelector('svg').getBoundingClientRect();
                return drawn.left < column.left - 1 || drawn.right > column.right + 1 || box.width > column.width + 1;
            })
            .map(el => (el.querySelector('mjx-assistive-mml') || el).textContent.trim().slice(0, 60))"""
    )


def problems(report: dict) -> list[str]:
    """Everything in a print report that makes the PDF unfit to ship."""
    found = []
    if report["outside_requests"]:
        found.append(f"requests tried to leave 127.0.0.1 (the PDF must build offline): {report['outside_requests']}")
    if report["failed_requests"]:
        found.append(f"resources failed to load: {report['failed_requests']}")
    if report["js_errors"]:
        found.append(f"JavaScript errors: {report['js_errors']}")
    if report.get("cut_equations"):
        found.append(f"display equations wider than the printed page: {report['cut_equations'][:5]}")
    if report.get("interactive_incomplete"):
        found.append(f"interactive figures without a still image or a caption: {report['interactive_incomplete']}")
    if report.get("interactive_html"):
        found.append(f"{report['interactive_html']} moving figure(s) reached the print instead of their still: "
                     "check nb_mime_priority_overrides in _config.yml")
    if report["broken_images"]:
        found.append(f"images that did not load: {report['broken_images']}")
    if not report.get("mathjax"):
        found.append("MathJax was not waited for: the math would print as raw TeX")
    else:
        if report["untypeset"]:
            found.append(f"math left as raw TeX: {report['untypeset'][:5]}")
        if report["errors"]:
            found.append(f"MathJax errors: {report['errors'][:5]}")
        if report["math"] == 0:
            found.append("the book has no math at all: is this the right build?")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="build _build/singlehtml first (jupyter-book, -W)")
    parser.add_argument("--html-dir", type=Path, default=DEFAULT_HTML_DIR, help="the single-page HTML build")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the PDF")
    parser.add_argument("--path-output", type=Path, help="with --build: jupyter-book's output folder (default: .)")
    parser.add_argument("--toc", type=Path, help="with --build: another table of contents")
    parser.add_argument("--config", type=Path, help="with --build: another _config.yml")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.build:
            html_dir = build_singlehtml(ROOT, args.path_output, args.toc, args.config)
        else:
            html_dir = args.html_dir
        report = print_pdf(html_dir.resolve(), args.output)
        found = problems(report)
        if found:
            args.output.unlink(missing_ok=True)
            raise PdfBuildError("the PDF was not written:\n  - " + "\n  - ".join(found))
    except PdfBuildError as error:
        print(f"make pdf: {error}", file=sys.stderr)
        return 1
    try:  # pypdfium2 (a test dependency) counts the pages; the PDF does not need it
        import pypdfium2

        pages = f"{len(pypdfium2.PdfDocument(str(args.output)))} pages, "
    except ImportError:
        pages = ""
    print(
        f"Wrote {args.output} ({pages}{args.output.stat().st_size / 1e6:.1f} MB, {report['typeset']} formulas, "
        f"{report.get('interactive_stills', 0)} interactive figures as stills) "
        f"in {time.perf_counter() - start:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
