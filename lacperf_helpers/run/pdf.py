"""Print an appendix to PDF for board papers, through Playwright driving Debian's Chromium.

nbconvert's webpdf exporter downloads a browser of its own, which cannot be done here; Debian's
`chromium` package (installed by `make browser`) is used instead, with the network cut off.
"""

from __future__ import annotations

import os
from pathlib import Path

from lacperf_helpers.config.paths import write_atomically_bytes

CHROMIUM = Path(os.environ.get("LACPERF_CHROMIUM", "/usr/bin/chromium"))
# No sandbox (root in containers), and no background calls to a network that may not be there.
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
)  # fmt: skip


class PdfError(Exception):
    """The PDF could not be made: no browser, or no Playwright."""


def write_pdf(html: Path, pdf: Path | None = None) -> Path:
    """Print `html` (A4 landscape, as its print styles ask) to `pdf`, beside it by default."""
    target = pdf or html.with_suffix(".pdf")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError("PDF output needs Playwright: install lacperf[pdf]") from None
    if not CHROMIUM.exists():
        raise PdfError(f"PDF output needs Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            page.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
            )
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            write_atomically_bytes(target, page.pdf(prefer_css_page_size=True, print_background=True))
        finally:
            browser.close()
    return target
