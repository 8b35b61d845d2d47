"""What the PDF printer (scripts/build_pdf.py) and the browser test (tests/test_book_in_browser.py) share: the
system Chromium, its flags for a machine with no network beyond loopback, and a quiet local web server."""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = Path(os.environ.get("BACKPROP_CHROMIUM", "/usr/bin/chromium"))
# Headless Chromium with no network beyond loopback: without the background-networking flags, Chromium keeps
# trying to reach Google's services at start-up.
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


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the name is the base class's
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve `directory` on a free port of 127.0.0.1 in a background thread; return the server and its URL.

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def load_images_and_list_broken(page) -> list[str]:
    """Make lazy images load now (a printed page never scrolls to them), wait for them, and return the ``src`` of
    those that failed."""
    return page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            images.forEach(img => { img.loading = 'eager'; });
            await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
                img.addEventListener('load', done); img.addEventListener('error', done);
            })));
            return images.filter(img => img.naturalWidth === 0).map(img => img.getAttribute('src'));
        }"""
    )
