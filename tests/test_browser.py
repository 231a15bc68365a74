"""The sample appendices in a real browser with the network cut off, as a director opens an attachment."""

import os
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
    [(f"{SAMPLE_MONTH}/kent.html", 24), (f"{SAMPLE_MONTH}/west-kent.html", 24), ("2019-20-q2/west-kent.html", 24)],
)
def test_the_appendix_opens_offline_without_errors(
    browser: Browser, rendered: Path, appendix: str, charts_expected: int
) -> None:
    opened = open_offline(browser, rendered / appendix)
    page = opened.page
    assert opened.console_errors == []
    assert opened.blocked == [], "the page tried to fetch something from the network"
    assert page.locator(".lacperf-headline").is_visible()
    assert page.locator(".lacperf-headline").inner_text().startswith("Of the 24 KPIs")
    table = page.locator("table.lacperf-scorecard").first  # the KPI table, before the areas side by side
    assert table.locator("tbody tr").count() == 24
    assert table.is_visible()
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0  # no code on the page
    charts = page.locator("figure.lacperf-chart")
    assert charts.count() == charts_expected  # one per KPI
    assert page.locator("table.lacperf-rag-grid tbody tr").count() == 24  # the ratings month by month
    assert page.locator("table.lacperf-rag-grid").is_visible()
    for i in range(charts.count()):  # every chart drawn, with something in it
        box = charts.nth(i).locator("svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
        assert charts.nth(i).locator("svg path, svg rect").count() > 10
    page.close()


def test_ratings_read_as_words_and_colours(browser: Browser, rendered: Path) -> None:
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    colours = {"Green": "rgb(0, 112, 60)", "Amber": "rgb(255, 191, 71)", "Red": "rgb(212, 53, 28)",
               "Not shown": "rgb(243, 242, 241)"}  # fmt: skip
    cells = page.locator("#T_scorecard td.rag:not(.previous)")
    assert cells.count() == 24
    for i in range(cells.count()):
        word = cells.nth(i).inner_text().strip()
        background = cells.nth(i).evaluate("cell => getComputedStyle(cell).backgroundColor")
        assert background == colours[word]
    page.close()


def test_the_appendix_prints_to_pdf(browser: Browser, rendered: Path) -> None:
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    page.emulate_media(media="print")
    assert page.locator("#T_scorecard").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 2
    page.close()


# --- the board paper (issue 14): accessibility, print, first screen ---------------------------------------

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_FOUND: dict[str, int] = {}  # page -> violations, for the test summary
PRINTED: dict[str, int] = {}  # page -> A4 pages
SCREENS: dict[str, float] = {}  # page -> screens down the KPI table starts
SAMPLE_PAGES = [
    f"{SAMPLE_MONTH}/kent.html", f"{SAMPLE_MONTH}/west-kent.html", "2019-20-q2/west-kent.html",
    f"{SAMPLE_MONTH}/index.html", "index.html", f"../internal-not-for-publication/{SAMPLE_MONTH}/validation.html",
    f"../internal-not-for-publication/{SAMPLE_MONTH}/kent.html",
]  # fmt: skip


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: `make browser` installs axe-core (npm ci in tests/browser)")
        pytest.skip("axe-core is not installed: run `make browser`")
    return AXE


@pytest.mark.parametrize("appendix", SAMPLE_PAGES)
def test_every_sample_page_meets_wcag_2_2_aa_by_axe(browser: Browser, rendered: Path, axe: Path, appendix: str) -> None:
    page = open_offline(browser, rendered / appendix).page
    page.add_script_tag(path=str(axe))
    violations = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(r => r.violations.map(
            v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))""",
        WCAG_22_AA,
    )
    AXE_FOUND[appendix] = len(violations)
    page.close()
    assert violations == []


@pytest.mark.parametrize("appendix", ["kent", "west-kent"])
def test_the_board_paper_prints_on_at_most_ten_a4_pages(browser: Browser, rendered: Path, appendix: str) -> None:
    """Printed as `--pdf` prints it (A4 landscape, the page's print styles)."""
    import io

    import pypdf

    page = open_offline(browser, rendered / SAMPLE_MONTH / f"{appendix}.html").page
    page.emulate_media(media="print")
    pages = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True))).pages
    page.close()
    PRINTED[f"{SAMPLE_MONTH}/{appendix}.html"] = len(pages)
    assert len(pages) <= 10
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    first = pages[0].extract_text()
    assert "Overview" in first and "Of the 24 KPIs" in first  # the overview starts on page 1, not after it
    assert "Hover" not in "".join(p.extract_text() for p in pages)  # nothing on paper asks for a mouse
    assert all(p.extract_text().strip() for p in pages)  # no blank page


def test_the_kpi_table_starts_on_the_first_screen(browser: Browser, rendered: Path) -> None:
    for appendix in (f"{SAMPLE_MONTH}/kent.html", f"{SAMPLE_MONTH}/west-kent.html"):
        page = browser.new_page(viewport={"width": 1280, "height": 800})  # a laptop
        page.goto((rendered / appendix).as_uri(), wait_until="load")
        box = page.locator("#T_scorecard").bounding_box()
        assert box is not None
        SCREENS[appendix] = box["y"] / 800
        page.close()
        assert SCREENS[appendix] < 2  # the overview's table within the first two screens


def test_the_navigation_reaches_the_other_pages(browser: Browser, rendered: Path) -> None:
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    links = page.locator("nav.lacperf-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for anchor in ("#overview", "#areas", "#annex", "#trends", "#measures", "#data-quality"):
        assert anchor in links and page.locator(anchor).count() == 1
    for made in ("west-kent.html", "index.html", "../index.html"):  # pages this run made
        assert made in links and (rendered / SAMPLE_MONTH / made).resolve().is_file()
    assert "../2019-08/kent.html" in links and "../2019-20-q2/kent.html" in links
    assert page.locator("nav.lacperf-nav [aria-current=page]").inner_text() == "Kent"
    page.close()


def test_the_internal_edition_says_it_is_not_for_publication_on_screen_and_on_every_printed_page(
    browser: Browser, rendered_internal: Path
) -> None:
    import io

    import pypdf

    page = open_offline(browser, rendered_internal / SAMPLE_MONTH / "kent.html").page
    banner = page.locator(".lacperf-edition")
    assert banner.is_visible() and "Internal edition: not for publication." in banner.inner_text()
    box = banner.bounding_box()
    assert box is not None and box["y"] < 200  # the first thing a reader sees
    page.emulate_media(media="print")
    pages = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True))).pages
    page.close()
    assert len(pages) >= 2
    for number, printed in enumerate(pages, start=1):  # each printed page's header and footer
        text = printed.extract_text()
        assert text.count("Internal edition: not for publication") >= 2, number
