"""Print an appendix to PDF for board papers, through Playwright driving Debian's Chromium.

nbconvert's webpdf exporter downloads a browser of its own, which cannot be done here; Debian's
`chromium` package (installed by `make browser`) is used instead, with the network cut off.
"""

from __future__ import annotations

import os
import queue
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from lacperf_helpers.config.paths import write_atomically_bytes

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path(os.environ.get("LACPERF_CHROMIUM", "/usr/bin/chromium"))
# No sandbox (root in containers), and no background calls to a network that may not be there.
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
)  # fmt: skip


THREAD = "lacperf-pdf"  # the browser's thread (a daemon)
CLOSE_SECONDS = 30  # to close the browser and Playwright's driver: a second, as a rule
Pages = queue.Queue[tuple[Path, Path, "Future[Path]"] | None]  # html, pdf, the caller's result; None: close


class PdfError(Exception):
    """The PDF could not be made: no browser, or no Playwright."""


class Printer:
    """Chromium kept open for a run's pages: starting Playwright's driver and the browser is half of what a
    page's PDF costs (1.3 s a page printed on its own, 0.6 s in a kept browser).

    The browser lives in a thread of its own, and every page is handed to it: Playwright's sync API leaves
    its event loop marked as running in the thread that started it, and the notebook client, which runs the
    next page in the same thread, would then run on another loop. Used as a context manager, or closed
    with `close` (a worker's is closed when the worker ends); safe to call from any thread."""

    def __init__(self) -> None:
        self._pages: Pages = queue.Queue()  # the pages handed to the browser's thread, None to close it
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.launches = 0  # browsers started: one for a run's pages unless one goes away

    def print(self, html: Path, pdf: Path | None = None) -> Path:
        """Print `html` (A4 landscape, as its print styles ask) to `pdf`, beside it by default; PdfError without
        Playwright or Chromium."""
        try:
            import playwright.sync_api  # noqa: F401  # said here, in the caller's words, not in the browser's thread
        except ImportError:
            raise PdfError("PDF output needs Playwright: install lacperf[pdf]") from None
        if not CHROMIUM.exists():
            raise PdfError(f"PDF output needs Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
        printed: Future[Path] = Future()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._pages = queue.Queue()  # each thread its own: one that failed takes none of the next's
                self._thread = threading.Thread(target=self._serve, args=(self._pages,), name=THREAD, daemon=True)
                self._thread.start()
            self._pages.put((html, pdf or html.with_suffix(".pdf"), printed))
        return printed.result()

    def close(self) -> None:
        """Close the browser (if one was started) and wait for it."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._pages.put(None)
        if thread is not None:
            thread.join(CLOSE_SECONDS)  # a browser that will not close does not keep its process from ending

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self, pages: Pages) -> None:
        """The browser's thread: print each page handed to it until told to stop. A failure is the page's
        (its caller raises it); a browser that went away is started again for the next page."""
        from playwright.sync_api import sync_playwright

        item = pages.get()
        try:
            with sync_playwright() as playwright:
                browser: Browser | None = None
                while item is not None:
                    html, target, printed = item
                    try:
                        if browser is None or not browser.is_connected():
                            browser = playwright.chromium.launch(
                                executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
                            )
                            self.launches += 1
                        printed.set_result(_print_page(browser, html, target))
                    except Exception as exc:  # the page's failure, raised where it was asked for
                        printed.set_exception(exc)
                    item = pages.get()
                if browser is not None:
                    browser.close()
        except Exception as exc:  # Playwright itself would not start: this page and those waiting fail, and
            # the next page asked for starts it again
            with self._lock:
                for waiting in [item, *_drain(pages)]:
                    if waiting is not None and not waiting[2].done():
                        waiting[2].set_exception(exc)
                if self._thread is threading.current_thread():
                    self._thread = None


def _print_page(browser: Browser, html: Path, target: Path) -> Path:
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        write_atomically_bytes(target, page.pdf(prefer_css_page_size=True, print_background=True))
    finally:
        page.close()
    return target


def _drain(pages: Pages) -> list[tuple[Path, Path, Future[Path]] | None]:
    drained: list[tuple[Path, Path, Future[Path]] | None] = []
    while not pages.empty():
        drained.append(pages.get_nowait())
    return drained
