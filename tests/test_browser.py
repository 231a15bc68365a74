"""The sample appendices in a real browser with the network cut off, as a director opens an attachment."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import SAMPLE_MONTH

# Flags this machine needs: no sandbox as root, and no background calls to a network that is not there.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Opened:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console_errors: list[str] = []
        self.blocked: list[str] = []


def open_offline(browser: Browser, path: Path) -> Opened:
    """Open a file with every non-file request refused, noting console errors and what was refused."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    opened = Opened(page)
    page.on("console", lambda message: opened.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.console_errors.append(str(error)))

    def only_local(route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            opened.blocked.append(request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(path.as_uri(), wait_until="load")
    return opened


@pytest.mark.parametrize(
    ("appendix", "charts_expected"),
    [(f"{SAMPLE_MONTH}/kent.html", 27), (f"{SAMPLE_MONTH}/west-kent.html", 27), ("2019-20-q2/west-kent.html", 26)],
)
def test_the_appendix_opens_offline_without_errors(
    browser: Browser, rendered: Path, appendix: str, charts_expected: int
) -> None:
    opened = open_offline(browser, rendered / appendix)
    page = opened.page
    assert opened.console_errors == []
    assert opened.blocked == [], "the page tried to fetch something from the network"
    assert page.locator(".lacperf-headline").is_visible()
    assert page.locator(".lacperf-headline").inner_text().startswith("Of the 26 KPIs")
    assert page.locator("table.lacperf-scorecard tbody tr").count() == 26
    assert page.locator("table.lacperf-scorecard").is_visible()
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0  # no code on the page
    charts = page.locator("figure.lacperf-chart")
    assert charts.count() == charts_expected  # 26 KPIs and (monthly) the areas compared
    assert page.locator("table.lacperf-rag-grid tbody tr").count() == 26  # the ratings month by month
    assert page.locator("table.lacperf-rag-grid").is_visible()
    for i in range(charts.count()):  # every chart drawn, with something in it
        box = charts.nth(i).locator("svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
        assert charts.nth(i).locator("svg path, svg rect").count() > 10
    page.close()


def test_ratings_read_as_words_and_colours(browser: Browser, rendered: Path) -> None:
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    colours = {"Green": "rgb(0, 112, 60)", "Amber": "rgb(255, 191, 71)", "Red": "rgb(212, 53, 28)"}
    cells = page.locator("table.lacperf-scorecard td.rag:not(.previous)")
    assert cells.count() == 26
    for i in range(cells.count()):
        word = cells.nth(i).inner_text().strip()
        background = cells.nth(i).evaluate("cell => getComputedStyle(cell).backgroundColor")
        assert background == colours[word]
    page.close()


def test_the_appendix_prints_to_pdf(browser: Browser, rendered: Path) -> None:
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    page.emulate_media(media="print")
    assert page.locator("table.lacperf-scorecard").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 2
    page.close()
