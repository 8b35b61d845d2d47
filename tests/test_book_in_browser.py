"""The rendered book, read in a real browser: Debian's Chromium driven by Playwright.

For every page of the table of contents: the math is typeset by the book's own MathJax, every image loaded,
no request tried to leave 127.0.0.1, nothing the page asked for failed, and no JavaScript error was raised.
Search finds each chapter by its title. Opened straight from disk (file://), the math still renders.

Needs the built book (`make book`) and /usr/bin/chromium (`apt-get install chromium`). Playwright drives the
system browser; it never downloads one. Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("BACKPROP_CHROMIUM", "/usr/bin/chromium"))
# Flags for a headless browser on a machine with no network beyond loopback: without the background-networking
# ones, Chromium keeps trying to reach Google's services at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# JavaScript errors we accept, each with the reason. Empty: no page of the book may raise one.
BENIGN_JS_ERRORS: dict[str, str] = {}
MATHJAX_TIMEOUT_MS = 30_000


def toc_pages() -> list[str]:
    """Every document of _toc.yml, root first, as paths without suffix (e.g. 'chapters/01_derivatives')."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
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

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(QuietHandler, directory=str(BOOK))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name is the base class's
        pass


class Visit:
    """One page in a fresh browser context, with everything that went wrong recorded."""

    def __init__(self, browser, allowed_scheme: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.outside_requests: list[str] = []
        self.failed_requests: list[str] = []
        self.js_errors: list[str] = []
        self.context.route("**/*", functools.partial(self._route, allowed_scheme))
        self.page.on("pageerror", lambda error: self.js_errors.append(str(error)))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _route(self, allowed_scheme, route, request):
        parts = urlsplit(request.url)
        local = parts.scheme in ("data", "blob") or (
            parts.scheme == allowed_scheme and (allowed_scheme == "file" or parts.hostname == "127.0.0.1")
        )
        if local:
            route.continue_()
        else:
            self.outside_requests.append(request.url)
            route.abort()

    def _request_failed(self, request):
        if request.url not in self.outside_requests:
            self.failed_requests.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def open(self, url: str):
        self.page.goto(url, wait_until="load")
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
        return self.page.evaluate(
            """async () => {
                const images = Array.from(document.images);
                images.forEach(img => { img.loading = 'eager'; });
                await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
                    img.addEventListener('load', done); img.addEventListener('error', done);
                })));
                return images.filter(img => img.naturalWidth === 0).map(img => img.getAttribute('src'));
            }"""
        )

    def close(self):
        self.context.close()


def unexpected(errors: list[str]) -> list[str]:
    return [error for error in errors if not any(benign in error for benign in BENIGN_JS_ERRORS)]


@pytest.mark.parametrize("page_path", PAGES)
def test_page_reads_offline_with_math_and_images(chromium, server, page_path):
    visit = Visit(chromium, "http")
    try:
        visit.open(f"{server}/{page_path}.html")
        math = visit.math_report()
        images = visit.broken_images()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=str(SCREENSHOTS / f"{page_path.replace('/', '__')}.png"), full_page=True)
    finally:
        visit.close()
    assert not visit.outside_requests, f"requests tried to leave 127.0.0.1: {visit.outside_requests}"
    assert not visit.failed_requests, f"resources failed to load: {visit.failed_requests}"
    assert not unexpected(visit.js_errors), f"JavaScript errors: {visit.js_errors}"
    assert not images, f"images that did not load: {images}"
    if math["math"]:
        assert math["mathjaxLoaded"], "the page has math but MathJax did not load"
        assert not math["untypeset"], f"math left as raw TeX: {math['untypeset']}"
        assert math["typeset"] >= math["math"]
    assert not math["errors"], f"MathJax errors: {math['errors']}"


def test_chapters_have_math_to_check():
    """Guard for the test above: if no chapter had math, 'math is typeset' would be checked nowhere."""
    chapters = [page for page in PAGES if page.startswith("chapters/")]
    assert chapters, "_toc.yml lists no chapters"
    with_math = [page for page in chapters if 'class="math' in (BOOK / f"{page}.html").read_text()]
    assert with_math, "no chapter page contains math"


def page_title(page_path: str) -> str:
    html = (BOOK / f"{page_path}.html").read_text()
    return html.split("<title>", 1)[1].split("</title>", 1)[0].split("&#8212;")[0].strip()


def search(chromium, server, query: str) -> tuple[list[str], list[str]]:
    """Run the book's own search page; return the links it lists and any JavaScript errors."""
    visit = Visit(chromium, "http")
    try:
        visit.open(f"{server}/search.html?q={query}")
        visit.page.wait_for_selector("#search-results p.search-summary", timeout=15_000)
        hits = visit.page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    finally:
        visit.close()
    return hits, visit.js_errors


@pytest.mark.parametrize("page_path", [page for page in PAGES if page.startswith("chapters/")])
def test_search_finds_each_chapter_by_its_title(chromium, server, page_path):
    title = page_title(page_path).split(". ", 1)[-1]  # drop the chapter number ("1. Derivatives")
    hits, js_errors = search(chromium, server, title)
    assert any(f"/{page_path}.html" in hit for hit in hits), f"searching {title!r} did not find {page_path}: {hits}"
    assert not unexpected(js_errors), f"JavaScript errors on the search page: {js_errors}"


def test_search_for_an_absent_word_finds_nothing(chromium, server):
    """The search test above could pass on a search that lists every page; this one could not."""
    hits, _ = search(chromium, server, "qwxzvbnotaword")
    assert hits == []


def test_book_opened_from_disk_renders_math(chromium):
    """A reader who opens _build/html/index.html from disk, with no server and no network, sees typeset math."""
    pages_with_math = [page for page in PAGES if 'class="math' in (BOOK / f"{page}.html").read_text()]
    visit = Visit(chromium, "file")
    try:
        visit.page.goto((BOOK / "index.html").as_uri())  # index.html redirects to the front page
        visit.page.wait_for_url("**/intro.html", timeout=15_000)
        visit.open((BOOK / f"{pages_with_math[0]}.html").as_uri())
        math = visit.math_report()
        images = visit.broken_images()
    finally:
        visit.close()
    assert not visit.outside_requests, f"requests tried to leave the disk: {visit.outside_requests}"
    assert not visit.failed_requests, f"resources failed to load from disk: {visit.failed_requests}"
    assert math["mathjaxLoaded"] and math["math"] > 0
    assert not math["untypeset"], f"math left as raw TeX when opened from disk: {math['untypeset']}"
    assert not math["errors"], f"MathJax errors: {math['errors']}"
    assert not images, f"images that did not load from disk: {images}"
