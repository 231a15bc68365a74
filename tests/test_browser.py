"""The sample appendices in a real browser with the network cut off, as a director opens an attachment."""

import itertools
import os
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


# one chart per KPI with a month shown: five of West Kent's KPIs have none in the public edition (every month
# counts 1-4 children, or is hidden to protect such a count), and a chart of no point says nothing: health
# histories, initial health assessments, dental checks (Annex A's: 1 to 4 of West Kent's 48-62 children in
# care 12 months or more without a check in every month, so every month is hidden), and return interviews
# (hidden in every month of the return's figures; in Annex A's months, hidden as the measures table hides the
# children missing in 12 months and offered an interview: shown there, the two files together gave 1-4 back),
# and going missing in the month (1-4 went missing, or the children looked after in the month, its denominator,
# less those looked after at the month end or the last were 1-4 who ceased or started: docs/disclosure-control.md,
# "Stocks and flows").
@pytest.mark.parametrize(
    ("appendix", "charts_expected"),
    [(f"{SAMPLE_MONTH}/kent.html", 24), (f"{SAMPLE_MONTH}/west-kent.html", 19), ("2019-20-q2/west-kent.html", 19)],
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
    assert charts.count() == charts_expected
    assert page.locator("table.lacperf-rag-grid tbody tr").count() == 24  # the ratings month by month
    assert page.locator("table.lacperf-rag-grid").is_visible()
    for i in range(charts.count()):  # every chart drawn, with something in it
        box = charts.nth(i).locator("svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
        # its bands, and lines and points (a KPI shown two months of the 24 has two points: 10 marks in all)
        assert charts.nth(i).locator("svg rect").count() >= 3
        assert charts.nth(i).locator("svg path, svg circle").count() >= 4
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
TYPE_SIZES: dict[str, dict[str, float]] = {}  # page -> the smallest printed type, in pt, in body text and tables
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


PAGES_TARGET = 12  # A4 pages: 10 at 6.4-8.3 pt; at 10 pt body and 9 pt tables the same paper needs 12


def printed(browser: Browser, path: Path) -> tuple[list[str], list[Any]]:
    """A page printed as `--pdf` prints it (A4 landscape, the page's print styles): each printed page's text
    (ligatures undone, white space collapsed), and the PDF's pages."""
    import io

    import pypdf

    page = open_offline(browser, path).page
    page.emulate_media(media="print")
    pages = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True))).pages
    page.close()
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in pages], list(pages)


@pytest.mark.parametrize("appendix", ["kent", "west-kent"])
def test_the_board_paper_prints_on_at_most_twelve_a4_pages(browser: Browser, rendered: Path, appendix: str) -> None:
    texts, pages = printed(browser, rendered / SAMPLE_MONTH / f"{appendix}.html")
    PRINTED[f"{SAMPLE_MONTH}/{appendix}.html"] = len(pages)
    assert len(pages) <= PAGES_TARGET
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert "Overview" in texts[0] and "Of the 24 KPIs" in texts[0]  # the overview starts on page 1, not after it
    assert "Hover" not in "".join(texts)  # nothing on paper asks for a mouse
    assert all(texts)  # no blank page


@pytest.mark.parametrize("edition", ["public", "internal"])
@pytest.mark.parametrize("appendix", ["kent", "west-kent"])
def test_every_kpi_s_rating_is_on_the_first_two_printed_pages(
    browser: Browser, rendered_editions: Path, edition: str, appendix: str
) -> None:
    folder = rendered_editions / ("public" if edition == "public" else "internal-not-for-publication")
    texts, _ = printed(browser, folder / SAMPLE_MONTH / f"{appendix}.html")
    first_two = " ".join(texts[:2])
    # each row of the KPI table ends its title with its note's number, [1] to [24]; a row never splits
    assert [n for n in range(1, 25) if f"[{n}]" not in first_two] == []
    assert "[1]" in texts[0]  # the table starts on page 1, under the headline


TEXT_SIZES = """() => {
  // the smallest type, in pt, of text outside tables and of text in tables (charts' SVG text apart)
  const smallest = {body: 99, table: 99};
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('svg') || !el.getClientRects().length) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const pt = parseFloat(getComputedStyle(el).fontSize) * 0.75;
    const kind = el.closest('table') ? 'table' : 'body';
    smallest[kind] = Math.min(smallest[kind], pt);
  }
  return smallest;
}"""


@pytest.mark.parametrize(
    "appendix", [f"{SAMPLE_MONTH}/kent.html", f"{SAMPLE_MONTH}/west-kent.html", "2019-20-q2/west-kent.html"]
)
def test_print_is_at_least_10_pt_and_9_pt_in_tables(browser: Browser, rendered: Path, appendix: str) -> None:
    page = open_offline(browser, rendered / appendix).page
    page.emulate_media(media="print")
    smallest = page.evaluate(TEXT_SIZES)
    page.close()
    TYPE_SIZES[appendix] = smallest
    assert smallest["body"] >= 10 - 0.01 and smallest["table"] >= 9 - 0.01, smallest


CAPTIONS = """() => [...document.querySelectorAll('table')]
  .filter(t => t.caption && t.tBodies.length && t.tBodies[0].rows.length && t.getClientRects().length)
  .map(t => [t.id, t.caption.innerText, t.tBodies[0].rows[0].cells[0].innerText])"""


@pytest.mark.parametrize("appendix", [f"{SAMPLE_MONTH}/kent.html", "2019-20-q2/west-kent.html"])
def test_a_printed_table_s_caption_is_on_the_page_of_its_first_row(
    browser: Browser, rendered: Path, appendix: str
) -> None:
    page = open_offline(browser, rendered / appendix).page
    page.emulate_media(media="print")
    tables = page.evaluate(CAPTIONS)
    page.close()
    texts, _ = printed(browser, rendered / appendix)
    assert len(tables) >= 2  # the month: 5 (KPIs, areas, England, rates, ratings); the quarter: 2
    for table_id, caption, first_row in tables:
        caption, first_row = (" ".join(unicodedata.normalize("NFKC", t).split())[:60] for t in (caption, first_row))
        on = [n for n, text in enumerate(texts) if caption in text]
        assert on, (table_id, caption)
        text = texts[on[0]]
        assert first_row[:30] in text[text.index(caption) :], (table_id, on[0] + 1)


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
    # every link leads to a page; the pages not made (August, Kent's quarter, the other areas) are named so
    assert all((rendered / SAMPLE_MONTH / href).resolve().is_file() for href in links if not href.startswith("#"))
    not_made = page.locator("nav.lacperf-nav .lacperf-not-made").all_inner_texts()
    assert "previous month, August 2019 (not made yet)" in not_made and "East Kent (not made yet)" in not_made
    assert "the quarter, Q2 2019/20 (not made yet)" in not_made
    assert page.locator("nav.lacperf-nav [aria-current=page]").inner_text() == "Kent"
    page.close()
    west = open_offline(browser, rendered / SAMPLE_MONTH / "west-kent.html").page  # its quarter was made after it
    assert "../2019-20-q2/west-kent.html" in west.locator("nav.lacperf-nav a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    west.close()


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


@pytest.mark.parametrize(("media", "apart"), [("screen", 15), ("print", 5)])
def test_sections_one_cell_shows_are_as_far_apart_as_cells(
    browser: Browser, rendered: Path, media: str, apart: int
) -> None:
    """A cell of the notebook shows a part of the page, a section to an output (each cell a page runs is a round
    trip to its kernel): its sections are as far apart as those of cells of their own, on screen and in print."""
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    page.emulate_media(media=media)
    outputs = page.locator("[data-mime-type='text/html']").evaluate_all(
        "found => found.map(o => [o.getBoundingClientRect(), o.closest('.jp-Cell').id])"
        ".map(([box, cell]) => [box.top, box.bottom, cell])"
    )
    page.close()
    assert len({cell for _, _, cell in outputs}) < len(outputs) - 4  # most cells show several sections
    gaps = {(one[2] == other[2], round(other[0] - one[1])) for one, other in itertools.pairwise(outputs)}
    assert gaps == {(True, apart), (False, apart)}


# --- the page's weight: only the JupyterLab style rules it uses ---------------------------------------------


@pytest.mark.parametrize(
    "appendix",
    [
        f"{SAMPLE_MONTH}/kent.html",
        "2019-20-q2/west-kent.html",
        f"../internal-not-for-publication/{SAMPLE_MONTH}/kent.html",
    ],
)
def test_a_page_looks_the_same_with_only_the_jupyterlab_rules_it_uses_on_screen_and_in_print(
    browser: Browser, rendered: Path, appendix: str, tmp_path: Path
) -> None:
    """The page as written (JupyterLab's styles cut to the rules it uses) against the same page with the whole
    of JupyterLab's stylesheet, as nbconvert inlines it: pixel for pixel, at two widths, on screen and in print."""
    from lacperf_helpers.run.render import USED_STYLES, lab_styles

    written = rendered / appendix
    html = written.read_text()
    start = html.index(USED_STYLES)
    end = html.index("</style>", start) + len("</style>")
    whole = tmp_path / written.name
    whole.write_text(html[:start] + lab_styles() + html[end:])
    assert len(html) < len(whole.read_text()) - 200_000  # the whole stylesheet is most of a page
    # each page opened once and shown in turn on screen and in print at each width (the same steps for both
    # pages), rather than opened afresh for each: a page of the whole stylesheet takes a while to lay out
    views = [(media, width) for media in ("screen", "print") for width in (1280, 800)]
    shots: dict[Path, list[bytes]] = {}
    for path in (written, whole):  # the same folder's neighbours do not matter: nothing is fetched
        page = open_offline(browser, path).page
        shots[path] = []
        for media, width in views:
            page.set_viewport_size({"width": width, "height": 900})
            page.emulate_media(media=media)
            shots[path].append(page.screenshot(full_page=True))
        page.close()
    for (media, width), ours, lab in zip(views, shots[written], shots[whole], strict=True):
        assert ours == lab, f"{appendix} looks different on {media} at {width} px"


@pytest.mark.parametrize("media", ["screen", "print"])
def test_each_row_reads_as_one_statement_on_screen_and_in_print(browser: Browser, rendered: Path, media: str) -> None:
    """Issue 29, as a reader sees it: a direction against an unusual run says 'but still' beside its icon; England's
    figure says its year; a hidden figure of the areas side by side reads 'not shown' alone."""
    page = open_offline(browser, rendered / SAMPLE_MONTH / "kent.html").page
    page.emulate_media(media=media)
    headers = page.locator("#T_scorecard thead th").all_inner_texts()
    direction, variation, england = (headers.index(h) for h in ("Direction", "Variation", "England"))
    rows = page.locator("#T_scorecard tbody tr")
    assert rows.count() == 24
    for i in range(rows.count()):
        cells = [c.strip() for c in rows.nth(i).locator("th, td").all_inner_texts()]
        said, verdict = cells[direction], cells[variation]
        assert rows.nth(i).locator("th, td").nth(direction).is_visible()
        if verdict.endswith("Unusual improvement") and said.startswith("▼"):
            assert "but still within an unusually good" in said or "but still an unusually good" in said
        if verdict.endswith("Unusual concern") and said.startswith("▲"):
            assert "but still within an unusually poor" in said or "but still an unusually poor" in said
        assert cells[england] == "–" or cells[england].startswith("2018/19: ")
    hidden = [c.strip() for c in page.locator("#T_areas td").all_inner_texts() if "not shown" in c]
    assert hidden and set(hidden) == {"not shown"}
    page.close()


def _two_charts(inline: Callable[[], None]) -> str:
    """Two of the explorer's charts' HTML, one after the other, as JupyterLab puts two outputs in one page."""
    import altair as alt

    from lacperf_helpers.config import paths
    from lacperf_helpers.present.explore import cohort_chart, cohort_table

    table = cohort_table(paths.SAMPLE_RETURNS, ["2019-08", "2019-09"], "cla_count", "all", "age_band", "Kent")
    before = alt.renderers.active
    inline()
    try:
        return "".join(
            alt.renderers.get()(cohort_chart(table, "cla_count", "Kent").to_dict())["text/html"] for _ in "ab"
        )
    finally:
        alt.renderers.enable(before)


def _drawn(browser: Browser, html: str) -> tuple[int, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route, request: route.continue_() if request.url.startswith(("data:", "about:")) else route.abort(),
    )
    page.set_content(html, wait_until="load")
    page.wait_for_timeout(1500)
    drawn = page.locator(".vega-embed canvas, .vega-embed svg.marks").count()
    page.close()
    return drawn, errors


def test_two_explorer_charts_on_one_page_both_draw(browser: Browser) -> None:
    import altair as alt

    from lacperf_helpers.present.explore import charts_inline

    drawn, errors = _drawn(browser, _two_charts(charts_inline))
    assert errors == [] and drawn == 2
    # altair's own inline HTML, as the explorer used it: the second chart fails (the fault this guards against)
    drawn, errors = _drawn(browser, _two_charts(lambda: alt.renderers.enable("html", template="inline")))
    assert drawn == 1 and any("already been declared" in error for error in errors)
