"""The rendered book, read in a real browser: Debian's Chromium driven by Playwright.

For every page of the table of contents: the math is typeset by the book's own MathJax, every image loaded and
has alt text, no display equation is cut at the column's edge, no request tried to leave 127.0.0.1, nothing the
page asked for failed, and no JavaScript error was raised; the reference pages (notation, glossary, bibliography)
show what they hold. Search finds each chapter by its title. Opened straight from disk (file://), the math still
renders. Every link between the book's pages, and to an anchor in one, resolves. Each notebook page offers its own
notebook to download (an exercise page the student notebook, never the solution) and launches it on Binder and
Colab.

How the browser is used, to spend as little CPU as the checks allow: each test module's worker reads its pages one
after another in one tab (``Tab``), and each visit records only its own requests and errors; a fresh browser
context per page cost about twice the CPU (a new renderer process parses and compiles MathJax and the theme's
scripts again). The searches share one search page. A page that holds interactive figures is read once, by the
figure test (tests/test_interactive_figures.py), which runs this file's ``page_problems`` in the same visit.
No request can leave the machine (Chromium's only proxy is a port that refuses connections; loopback goes direct),
and every request a page makes is seen: one not to 127.0.0.1 (not to file:// when read from disk) fails the test.

Needs the built book (`make book`) and /usr/bin/chromium (`apt-get install chromium`). Playwright drives the
system browser; it never downloads one. Screenshots (the first screenful of each page; the whole page with
BOOK_FULL_PAGE_SCREENSHOTS=1) go to test-artifacts/screenshots/ (git-ignored).
BOOK_HTML_DIR (default _build/html), BOOK_TOC (default _toc.yml) and BOOK_SOURCE_DIR (default: the repository)
point the test at another build.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from local_browser import CHROMIUM, CHROMIUM_ARGS, load_images_and_list_broken, serve  # noqa: E402 - shared with the PDF printer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(os.environ.get("BOOK_HTML_DIR", ROOT / "_build" / "html")).resolve()
TOC = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
SOURCE = Path(os.environ.get("BOOK_SOURCE_DIR", ROOT))  # where the book's notebooks are
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# JavaScript errors we accept, each with the reason. Empty: no page of the book may raise one.
BENIGN_JS_ERRORS: dict[str, str] = {}
MATHJAX_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1280, "height": 900}


def toc_pages() -> list[str]:
    """Every document of _toc.yml, root first, as paths without suffix (e.g. 'chapters/01_derivatives')."""
    toc = yaml.safe_load(TOC.read_text())
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return pages


PAGES = toc_pages()

FIGURE = re.compile(r'<div class="bp-interactive" id="bp-([a-z0-9-]+)"')


def book_figures() -> list[tuple[str, str]]:
    """(page path relative to the built book, figure name) for every interactive figure of _build/html."""
    if not BOOK.is_dir():
        return []
    found = []
    for page in sorted(BOOK.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        found += [(page.relative_to(BOOK).as_posix(), name) for name in FIGURE.findall(text)]
    return found


FIGURES = book_figures()
FIGURE_PAGES = sorted({page for page, _ in FIGURES})  # e.g. 'chapters/02_gradient_descent.html'
# The pages this file reads; those with figures are read by the figure test, in the visit that moves their figures.
PAGES_WITHOUT_FIGURES = [page for page in PAGES if f"{page}.html" not in FIGURE_PAGES]


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's browser with `sudo apt-get install chromium` "
            "(or set BACKPROP_CHROMIUM to its path) to run the browser test of the rendered book."
        )
        if os.environ.get("CI"):
            pytest.fail(message + " CI must install it (see .ci/run); the test is never skipped there.")
        pytest.skip(message)
    if not (BOOK / "index.html").exists():
        pytest.fail("The book is not built: run `make book` first (it writes _build/html).")
    from playwright.sync_api import sync_playwright

    # Nothing leaves the machine: Chromium sends every request that is not to the loopback to a proxy port that
    # refuses connections (bound, never listening), so it fails at once; the Visit that saw it fails the test.
    with socket.socket() as refusing, sync_playwright() as playwright:
        refusing.bind(("127.0.0.1", 0))
        proxy = f"--proxy-server=http://127.0.0.1:{refusing.getsockname()[1]}"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, proxy],
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    httpd, url = serve(BOOK)
    yield url
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tab(chromium):
    """The tab in which this module's worker reads its http pages, one after another."""
    tab = Tab(chromium, "http")
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def file_tab(chromium):
    """The tab in which this module's worker reads pages straight from disk (file://)."""
    tab = Tab(chromium, "file")
    yield tab
    tab.close()


def is_local(url: str, scheme: str) -> bool:
    """Whether a page read over ``scheme`` ("http" from 127.0.0.1, or "file") may request ``url``."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or (
        parts.scheme == scheme and (scheme == "file" or parts.hostname == "127.0.0.1")
    )


class Visit:
    """One page read in a tab, with everything that went wrong while it was the tab's page."""

    def __init__(self, page, scheme: str):
        self.page = page
        self.scheme = scheme
        self.requests: set = set()  # this visit's requests: a late failure of the previous page's is not ours
        self.outside_requests: list[str] = []
        self.failed_requests: list[str] = []
        self.js_errors: list[str] = []
        self.console: list[str] = []  # console errors

    def request(self, request):
        self.requests.add(request)
        if not is_local(request.url, self.scheme):
            self.outside_requests.append(request.url)

    def request_failed(self, request):
        if request in self.requests and request.url not in self.outside_requests:
            self.failed_requests.append(f"{request.url} ({request.failure})")

    def response(self, response):
        if response.request in self.requests and response.status >= 400:
            self.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def open(self, url: str):
        self.page.goto(url, wait_until="load")
        self.wait_for_math()

    def wait_for_math(self):
        # MathJax typesets after load; its startup promise resolves when the first typesetting pass is done.
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : null"
        )

    def math_report(self) -> dict:
        return self.page.evaluate(
            """() => {
                const maths = Array.from(document.querySelectorAll('.math'));
                return {
                    math: maths.length,
                    untypeset: maths.filter(el => !el.querySelector('mjx-container'))
                                    .map(el => el.textContent.trim().slice(0, 80)),
                    typeset: document.querySelectorAll('mjx-container').length,
                    errors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
                                .map(el => el.getAttribute('data-mjx-error') || el.textContent),
                    mathjaxLoaded: Boolean(window.MathJax && MathJax.version),
                };
            }"""
        )

    def broken_images(self) -> list[str]:
        return load_images_and_list_broken(self.page)

    def images_without_alt(self) -> list[str]:
        """Images whose alt text is missing, empty, or only a file name (Sphinx's fallback when none was given)."""
        return self.page.evaluate(
            """() => Array.from(document.images)
                .filter(img => {
                    const alt = (img.getAttribute('alt') || '').trim();
                    return !alt || /\\.(png|jpe?g|svg|gif|webp)$/i.test(alt) || alt === img.getAttribute('src');
                })
                .map(img => img.getAttribute('src'))"""
        )

    def cut_equations(self) -> list[str]:
        """Display equations wider than the column: the reader sees them cut at its edge (or must scroll)."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll('div.math, mjx-container[display="true"]'))
                .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 2)
                .map(el => `${el.scrollWidth}px in ${el.clientWidth}px: ` +
                           (el.closest('.math') || el).getAttribute('id') + ' ' +
                           (el.querySelector('mjx-assistive-mml') || el).textContent.trim().slice(0, 60))"""
        )


class Tab:
    """One browser tab that reads page after page; ``open`` starts a new Visit, which records what goes wrong.

    What the tests check is each page's own (its math, images, requests, errors), not isolation between pages; a
    fresh context per page would start a new renderer process each time, about twice the CPU of a visit.
    """

    def __init__(self, browser, scheme: str):
        self.scheme = scheme
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.visit: Visit | None = None
        self.context.on("request", lambda request: self.visit and self.visit.request(request))
        self.context.on("requestfailed", lambda request: self.visit and self.visit.request_failed(request))
        self.context.on("response", lambda response: self.visit and self.visit.response(response))
        self.page.on("pageerror", lambda error: self.visit and self.visit.js_errors.append(str(error)))
        self.page.on("console", lambda m: self.visit and m.type == "error" and self.visit.console.append(
            f"{m.type}: {m.text} {m.location.get('url', '')}"))

    def open(self, url: str) -> Visit:
        """Read ``url`` at the book's usual window size, once loaded and its math typeset."""
        self.visit = Visit(self.page, self.scheme)
        if self.page.viewport_size != VIEWPORT:
            self.page.set_viewport_size(VIEWPORT)
        self.visit.open(url)
        return self.visit

    def close(self):
        self.context.close()


def unexpected(errors: list[str]) -> list[str]:
    return [error for error in errors if not any(benign in error for benign in BENIGN_JS_ERRORS)]


REFERENCE_PAGES = {
    # page: (CSS selector of what it must show, how many at least)
    "notation": ("table", 3),
    "glossary": ("dl.glossary > dt", 20),
    "bibliography": ("div.citation", 15),
}
BIBLIOGRAPHY_AUTHORS = ("Rumelhart", "Goodfellow", "Bishop", "Onsager", "Wolff", "Carrasquilla", "Mehta")


def page_problems(visit: Visit, page_path: str) -> list[str]:
    """Everything wrong with the page ``visit`` has just opened (``page_path`` as in _toc.yml), its screenshot taken:
    requests, errors, images and their alt text, equations cut at the column's edge, math, and what a reference page
    must show."""
    math = visit.math_report()
    images = visit.broken_images()
    without_alt = visit.images_without_alt()
    cut = visit.cut_equations()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The visible part of the page: a full-page screenshot of every long chapter took about a third of this
    # stage's time. BOOK_FULL_PAGE_SCREENSHOTS=1 takes them whole, to look at a page from top to bottom.
    visit.page.screenshot(path=str(SCREENSHOTS / f"{page_path.replace('/', '__')}.png"),
                          full_page=os.environ.get("BOOK_FULL_PAGE_SCREENSHOTS") == "1")
    problems = []
    if visit.outside_requests:
        problems.append(f"requests tried to leave 127.0.0.1: {visit.outside_requests}")
    if visit.failed_requests:
        problems.append(f"resources failed to load: {visit.failed_requests}")
    if unexpected(visit.js_errors):
        problems.append(f"JavaScript errors: {visit.js_errors}")
    if images:
        problems.append(f"images that did not load: {images}")
    if without_alt:
        problems.append(
            f"images without alt text: {without_alt}. Give a figure cell alt text and a caption in its metadata: "
            '{"mystnb": {"figure": {"caption": "...", "name": "fig-..."}, "image": {"alt": "..."}}}'
        )
    if cut:
        problems.append(f"display equations wider than the column at 1280 px (split them over lines): {cut}")
    if math["math"]:
        if not math["mathjaxLoaded"]:
            problems.append("the page has math but MathJax did not load")
        if math["untypeset"]:
            problems.append(f"math left as raw TeX: {math['untypeset']}")
        if math["typeset"] < math["math"]:
            problems.append(f"{math['typeset']} typeset formulas for {math['math']} math elements")
    if math["errors"]:
        problems.append(f"MathJax errors: {math['errors']}")
    if page_path in REFERENCE_PAGES:
        selector, at_least = REFERENCE_PAGES[page_path]
        count = visit.page.locator(selector).count()
        if count < at_least:
            problems.append(f"{count} × {selector!r}, expected at least {at_least}")
        if page_path == "bibliography":
            text = visit.page.inner_text("main")
            problems += [f"the bibliography does not list {author}" for author in BIBLIOGRAPHY_AUTHORS
                         if author not in text]
    return problems


@pytest.mark.parametrize("page_path", PAGES_WITHOUT_FIGURES)
def test_page_reads_offline_with_math_and_images(tab, server, page_path):
    visit = tab.open(f"{server}/{page_path}.html")
    problems = page_problems(visit, page_path)
    assert not problems, f"{page_path}: " + "; ".join(problems)


def test_every_page_is_read():
    """Each page of the table of contents is read once: here, or (holding figures) by the figure test."""
    read_by_the_figure_test = [page for page in PAGES if f"{page}.html" in FIGURE_PAGES]
    assert sorted(PAGES_WITHOUT_FIGURES + read_by_the_figure_test) == sorted(PAGES)
    assert read_by_the_figure_test, "no page of the table of contents holds an interactive figure"


def test_chapters_have_math_to_check():
    """Guard for the test above: if no chapter had math, 'math is typeset' would be checked nowhere."""
    chapters = [page for page in PAGES if page.startswith("chapters/")]
    assert chapters, "_toc.yml lists no chapters"
    with_math = [page for page in chapters if 'class="math' in (BOOK / f"{page}.html").read_text()]
    assert with_math, "no chapter page contains math"


def page_title(page_path: str) -> str:
    html = (BOOK / f"{page_path}.html").read_text()
    return html.split("<title>", 1)[1].split("</title>", 1)[0].split("&#8212;")[0].strip()


@pytest.fixture(scope="module")
def search_tab(chromium):
    """The search page of this module's worker: one page load, then one search after another."""
    tab = Tab(chromium, "http")
    yield tab
    tab.close()


def search(tab: Tab, server: str, query: str) -> tuple[list[str], list[str]]:
    """Run the book's own search; return the links it lists and the search page's JavaScript errors so far.

    The first search opens search.html?q=..., as the search box does; the next ones, on the same page, clear the
    results and call the function that search.html runs with its ?q= (Sphinx's ``Search.performSearch``).
    """
    if tab.visit is None:
        tab.open(f"{server}/search.html?q={query}")
    else:
        tab.page.evaluate("""query => {
            document.querySelectorAll('input[name="q"]').forEach(input => { input.value = query; });
            document.getElementById('search-results').replaceChildren();
            Search.performSearch(query);
        }""", query)
    # The summary is empty (invisible) until the search has listed every result.
    tab.page.wait_for_selector("#search-results p.search-summary", timeout=15_000)
    hits = tab.page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    return hits, tab.visit.js_errors


@pytest.mark.parametrize("page_path", [page for page in PAGES if page.startswith("chapters/")])
def test_search_finds_each_chapter_by_its_title(search_tab, server, page_path):
    title = page_title(page_path).split(". ", 1)[-1]  # drop the chapter number ("1. Derivatives")
    hits, js_errors = search(search_tab, server, title)
    assert any(f"/{page_path}.html" in hit for hit in hits), f"searching {title!r} did not find {page_path}: {hits}"
    assert not unexpected(js_errors), f"JavaScript errors on the search page: {js_errors}"


def test_search_for_an_absent_word_finds_nothing(search_tab, server):
    """The search test above could pass on a search that lists every page; this one could not."""
    hits, _ = search(search_tab, server, "qwxzvbnotaword")
    assert hits == []


def test_book_opened_from_disk_renders_math(chromium):
    """A reader who opens _build/html/index.html from disk, with no server and no network, sees typeset math."""
    pages_with_math = [page for page in PAGES if 'class="math' in (BOOK / f"{page}.html").read_text()]
    tab = Tab(chromium, "file")
    try:
        visit = tab.visit = Visit(tab.page, "file")
        visit.page.goto((BOOK / "index.html").as_uri())  # index.html redirects to the front page
        visit.page.wait_for_url("**/intro.html", timeout=15_000)
        if "intro" in pages_with_math:  # the front page has math: read it where the redirect landed
            visit.wait_for_math()
        else:
            visit.open((BOOK / f"{pages_with_math[0]}.html").as_uri())
        math = visit.math_report()
        images = visit.broken_images()
    finally:
        tab.close()
    assert not visit.outside_requests, f"requests tried to leave the disk: {visit.outside_requests}"
    assert not visit.failed_requests, f"resources failed to load from disk: {visit.failed_requests}"
    assert math["mathjaxLoaded"] and math["math"] > 0
    assert not math["untypeset"], f"math left as raw TeX when opened from disk: {math['untypeset']}"
    assert not math["errors"], f"MathJax errors: {math['errors']}"
    assert not images, f"images that did not load from disk: {images}"


# ---- reference pages, links, downloads and launch buttons --------------------------------------------------------

def test_reference_pages_are_in_the_toc():
    """The reference pages are read (and what they show checked, ``REFERENCE_PAGES``) with every page above."""
    missing = [page for page in REFERENCE_PAGES if page not in PAGES]
    assert not missing, f"{missing} not in {TOC.name}: add them to the Reference part"


class Links(HTMLParser):
    """Every href of a page, and every id it defines."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])


@functools.cache
def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def broken_links(page_path: str) -> list[str]:
    """Links of a built page to the book's own files that 404, or point at an anchor that does not exist."""
    page_file = BOOK / f"{page_path}.html"
    base = "http://book.local/" + page_path + ".html"
    broken = []
    for href in sorted(set(parse(page_file).hrefs)):
        url = urlsplit(urljoin(base, href))
        if url.scheme != "http" or url.hostname != "book.local":
            continue  # mailto:, external sites (never fetched: the test is offline)
        target = BOOK / unquote(url.path.lstrip("/"))
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{href} (no file {target.relative_to(BOOK)})")
        elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in parse(target).ids:
            broken.append(f"{href} (no anchor #{url.fragment} in {target.relative_to(BOOK)})")
    return broken


@pytest.mark.parametrize("page_path", PAGES)
def test_links_to_the_book_resolve(page_path):
    """Cross-references, citations and glossary links land on a page that exists, at an anchor that exists."""
    broken = broken_links(page_path)
    assert not broken, f"{page_path}: broken links: {broken}"


def test_link_checker_catches_a_broken_link(tmp_path, monkeypatch):
    """The check above could pass by checking nothing; here it must find a missing page and a missing anchor."""
    (tmp_path / "a.html").write_text(
        '<p id="here"><a href="a.html#here">ok</a> <a href="missing.html">404</a> <a href="a.html#nowhere">x</a>'
        ' <a href="https://example.org/">external</a></p>'
    )
    monkeypatch.setattr(f"{__name__}.BOOK", tmp_path)
    parse.cache_clear()
    try:
        broken = broken_links("a")
    finally:
        parse.cache_clear()
    assert len(broken) == 2, broken
    assert any("missing.html" in link for link in broken) and any("#nowhere" in link for link in broken)


def header_links(page_path: str) -> list[str]:
    return [href for href in parse(BOOK / f"{page_path}.html").hrefs if "_sources/" in href or "://" in href]


NOTEBOOK_PAGES = [page for page in PAGES if (SOURCE / f"{page}.ipynb").exists()]


@pytest.mark.parametrize("page_path", NOTEBOOK_PAGES)
def test_notebook_page_downloads_and_launches_its_own_notebook(page_path):
    links = header_links(page_path)
    downloads = [href for href in links if "_sources/" in href and href.endswith(".ipynb")]
    assert downloads, f"{page_path}: no .ipynb download button"
    assert all(href.endswith(f"_sources/{page_path}.ipynb") for href in downloads), downloads
    served = BOOK / "_sources" / f"{page_path}.ipynb"
    assert served.read_bytes() == (SOURCE / f"{page_path}.ipynb").read_bytes(), f"{served} is not the page's notebook"
    binder = [href for href in links if href.startswith("https://mybinder.org/")]
    colab = [href for href in links if href.startswith("https://colab.research.google.com/")]
    assert binder and all(href.endswith(f"lab/tree/{page_path}.ipynb") for href in binder), binder
    assert colab and all(href.endswith(f"/{page_path}.ipynb") for href in colab), colab
    assert any(re.fullmatch(r"https://github\.com/[^/]+/[^/]+/?", href) for href in links), "no repository link"


@pytest.mark.parametrize("page_path", [page for page in NOTEBOOK_PAGES if page.startswith("exercises/")])
def test_exercise_page_downloads_the_student_notebook(page_path):
    """The notebook a student downloads or launches from an exercise page has no solution in it."""
    links = header_links(page_path)
    assert not [href for href in links if "solutions/" in href], f"{page_path} links to a solution: {links}"
    served = (BOOK / "_sources" / f"{page_path}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in served and "END SOLUTION" not in served
