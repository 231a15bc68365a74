"""The two editions: the public one worked out from the figures it shows, the internal one with every figure and
marked not for publication. Each leak the review found on the one edition lacperf made has a test here, worked by
hand (docs/disclosure-control.md)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue, load_kpis, load_trend_settings
from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.disclose.publishing import publish_figures
from lacperf_helpers.disclose.solver import disclosure_log, hidden_keys
from lacperf_helpers.month.data import month_data
from lacperf_helpers.month.edition import area_history, area_series
from tests.conftest import SAMPLE_MONTH, SAMPLE_QUARTER, write_return

RULE = DisclosureRule(smallest_shown=5)
KEYS = ["month", "area", "kpi_id", "cohort", "breakdown", "group"]


def _figures(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    """(month, area, KPI, numerator, denominator): headline figures of all children."""
    frame = pd.DataFrame(rows, columns=["month", "area", "kpi_id", "numerator", "denominator"])
    return frame.assign(cohort="all", breakdown="total", group="all", value=np.nan)


def _keys(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Hidden keys (month, area, KPI) of headline figures, as the month's decision gives them."""
    return pd.DataFrame([(*r, "all", "total", "all", "c") for r in rows], columns=[*KEYS, "shown"])


# --- the public edition is worked out from the figures it shows -----------------------------------------


MONTHS = ["2019-04", "2019-05", "2019-06", "2019-07", "2019-08", "2019-09"]


def _series(numerators: list[int], hidden: pd.DataFrame, catalogue: KpiCatalogue) -> dict[str, object]:
    figures = _figures([(m, "A", "reviews_on_time", n, 20) for m, n in zip(MONTHS, numerators, strict=True)])
    history = area_history(publish_figures(figures, hidden, Edition.PUBLIC), "A", "all", catalogue)
    analysis = area_series(history, catalogue, load_trend_settings(paths.TREND_FILE), "2019-09")["reviews_on_time"]
    return {"row": analysis.row.columns(), "points": analysis.points}


def test_an_areas_history_is_its_own_whichever_areas_are_rated_with_it(catalogue: KpiCatalogue) -> None:
    """A worker rates every area's months at once and each page takes its area's rows: the same rows as rating
    the area alone, another area's hidden month hidden in its own history only."""
    a = [(m, "A", "reviews_on_time", n, 20) for m, n in zip(MONTHS, [18, 19, 16, 20, 15, 17], strict=True)]
    b = [(m, "B", "reviews_on_time", n, 30) for m, n in zip(MONTHS, [27, 3, 29, 28, 30, 26], strict=True)]
    hidden = _keys(("2019-05", "B", "reviews_on_time"))
    both = publish_figures(_figures(a + b), hidden, Edition.PUBLIC)
    alone = publish_figures(_figures(a), hidden, Edition.PUBLIC)
    with_b = area_history(both, "A", "all", catalogue).frame
    pd.testing.assert_frame_equal(with_b, area_history(alone, "A", "all", catalogue).frame)
    assert with_b["value"].tolist() == [90.0, 95.0, 80.0, 100.0, 75.0, 85.0]  # 18 of 20 ... 17 of 20
    of_b = area_history(both, "B", "all", catalogue).frame.set_index("month")
    assert of_b.loc["2019-05", "rag"] == "Not shown" and of_b.loc["2019-06", "value"] == pytest.approx(29 / 30 * 100)


def test_each_kpis_series_is_its_own_whichever_kpis_are_analysed_with_it(catalogue: KpiCatalogue) -> None:
    """A page analyses its area's KPIs from one frame, each by the positions of its rows: the same trend, SPC and
    chart as the KPI analysed alone, another KPI's hidden month a gap on that KPI's chart only; a KPI with every
    charted month hidden is charted as gaps alone, with no SPC and no verdict."""
    reviews = [(m, "A", "reviews_on_time", n, 20) for m, n in zip(MONTHS, [18, 19, 16, 20, 15, 17], strict=True)]
    moves = [(m, "A", "moves_3plus", n, 30) for m, n in zip(MONTHS, [6, 7, 5, 8, 6, 9], strict=True)]
    hidden = _keys(("2019-06", "A", "reviews_on_time"), *((m, "A", "moves_3plus") for m in MONTHS))
    settings = load_trend_settings(paths.TREND_FILE)

    def series(rows: list[tuple[str, str, str, float, float]]) -> dict[str, object]:
        history = area_history(publish_figures(_figures(rows), hidden, Edition.PUBLIC), "A", "all", catalogue)
        return area_series(history, catalogue, settings, "2019-09")

    together = series([row for pair in zip(moves, reviews, strict=True) for row in pair])  # rows interleaved
    for kpi_id, rows in (("reviews_on_time", reviews), ("moves_3plus", moves)):
        alone = series(rows)[kpi_id]
        row, its_own = (pd.Series(s.row.columns(), dtype=object) for s in (together[kpi_id], alone))  # type: ignore[attr-defined]
        assert row.equals(its_own)  # NaN where NaN: a KPI with every month hidden has no slope
        pd.testing.assert_frame_equal(together[kpi_id].points, alone.points)  # type: ignore[attr-defined]
    points = together["reviews_on_time"].points  # type: ignore[attr-defined]
    assert points["month"].tolist() == MONTHS and points["suppressed"].tolist() == [False] * 2 + [True] + [False] * 3
    assert points["special_cause"].isna().tolist() == [False] * 2 + [True] + [False] * 3  # June a gap: no SPC
    gaps = together["moves_3plus"]
    assert gaps.points["month"].tolist() == MONTHS and gaps.points["value"].isna().all()  # type: ignore[attr-defined]
    assert "special_cause" not in gaps.points and gaps.row.variation is None  # type: ignore[attr-defined]


def test_the_trend_is_fitted_through_the_months_shown_only(catalogue: KpiCatalogue) -> None:
    # 50%, 55%, [June: 3 of 20, hidden], 65%, 70%, 75%: the months shown lie on 50% + 5 points a month (June
    # would be 60%); fitted through June's true 15% the slope would give June back (7 of the review's leaks)
    found = _series([10, 11, 3, 13, 14, 15], _keys(("2019-06", "A", "reviews_on_time")), catalogue)
    row, points = found["row"], found["points"]
    assert isinstance(row, dict) and isinstance(points, pd.DataFrame)
    assert row["points"] == 5
    assert row["slope_per_month"] == pytest.approx(5.0)
    assert row["theil_sen_slope"] == pytest.approx(5.0)
    # the run is told from July, the first month after the gap: "since June" would order June below July
    assert (row["run_since"], row["run_length"]) == ("2019-07", 2)
    # June is on the chart as a gap: no figure, no rating, no special cause
    june = points.loc[points["month"] == "2019-06"].iloc[0]
    assert pd.isna(june["value"]) and june["rag"] == "Not shown" and june["withheld"] == "c"
    assert pd.isna(june.get("special_cause"))
    if not pd.isna(row["mean"]):  # SPC's mean, where drawn, is of the months shown: (50+55+65+70+75)/5
        assert row["mean"] == pytest.approx(63.0)


def test_no_verdict_is_given_of_a_month_not_shown(catalogue: KpiCatalogue) -> None:
    # September hidden: the chart's latest point is August; its variation and assurance are not September's
    found = _series([10, 11, 12, 13, 14, 3], _keys(("2019-09", "A", "reviews_on_time")), catalogue)
    row = found["row"]
    assert isinstance(row, dict)
    assert row["variation"] is None and row["assurance"] is None and pd.isna(row["latest_value"])
    assert row["run_length"] == 0  # no month-on-month run reaches a month not shown


def test_figures_that_count_the_same_children_are_hidden_together(catalogue: KpiCatalogue) -> None:
    # reviews_on_time's numerator stands for the children looked after, moves_3plus's denominator the same
    # children (as SSDA903's cla_count and placement_stability_short). Kent = A + B + C.
    # reviews: A 3 of 10 (hidden), B 27 of 40 (hidden with it, the area with the fewest children);
    # moves: A 0 of 3 (hidden), C 9 of 30 (hidden with it, the fewest moves). Shown alone, moves B's 27 children
    # would be reviews B's numerator, and reviews A = 60 - 27 - 30 = 3.
    # Together: a figure hidden for the count it shares hides its twin. Reviews A (3 children) hides moves A; B,
    # hidden to protect A's children, hides moves B. Moves C, hidden for its moves (9: moves A's 0 stood alone),
    # shows its 30 children through reviews C, so moves hides B for A's children too: moves A, B, C.
    # Reviews C (30 of 50) is shown: it protects no count it shares, and its 30 children are moves C's anyway.
    figures = _figures([
        ("2019-09", "Kent", "reviews_on_time", 60, 100), ("2019-09", "A", "reviews_on_time", 3, 10),
        ("2019-09", "B", "reviews_on_time", 27, 40), ("2019-09", "C", "reviews_on_time", 30, 50),
        ("2019-09", "Kent", "moves_3plus", 24, 60), ("2019-09", "A", "moves_3plus", 0, 3),
        ("2019-09", "B", "moves_3plus", 15, 27), ("2019-09", "C", "moves_3plus", 9, 30),
    ])  # fmt: skip
    apart = hidden_keys(figures, catalogue, RULE, "Kent")
    assert sorted(zip(apart["kpi_id"], apart["area"], strict=True)) == [
        ("moves_3plus", "A"), ("moves_3plus", "C"), ("reviews_on_time", "A"), ("reviews_on_time", "B"),
    ]  # fmt: skip
    twins = ((("reviews_on_time", "numerator"), ("moves_3plus", "denominator")),)
    together = hidden_keys(figures, catalogue, RULE, "Kent", same_children=twins)
    by_kpi = together.groupby("kpi_id")["area"].apply(sorted).to_dict()
    assert by_kpi == {"moves_3plus": ["A", "B", "C"], "reviews_on_time": ["A", "B"]}


def test_a_figure_hidden_for_a_count_it_does_not_share_leaves_its_twin_shown() -> None:
    # moves: 37 of 40 leaves out 3 children (hidden). Its 40 children are reviews' 30 of 40: shown, a reader
    # knows moves' denominator, but not its numerator, so not the 3 either. Nothing else need be hidden.
    figures = _figures([("2019-09", "Kent", "reviews_on_time", 30, 40), ("2019-09", "Kent", "moves_3plus", 37, 40)])
    twins = ((("reviews_on_time", "numerator"), ("moves_3plus", "denominator")),)
    hidden = hidden_keys(figures, None, RULE, "Kent", same_children=twins)
    assert hidden["kpi_id"].tolist() == ["moves_3plus"]


def test_children_left_out_are_not_given_away_by_twins_of_both_counts() -> None:
    # The missing children (20 of the 100 looked after) are the return interviews' denominator; those offered
    # one (17 of 20: 3 left out, hidden) are the accepted ones' denominator (10 of 17). With missing and
    # accepted shown, the offered ones' 17 of 20 would be read off them: the accepted ones are hidden too.
    figures = _figures([("2019-09", "Kent", "missing", 20, 100), ("2019-09", "Kent", "offered", 17, 20),
                        ("2019-09", "Kent", "accepted", 10, 17)])  # fmt: skip
    twins = ((("missing", "numerator"), ("offered", "denominator")),
             (("offered", "numerator"), ("accepted", "denominator")))  # fmt: skip
    hidden = hidden_keys(figures, None, RULE, "Kent", same_children=twins)
    assert sorted(hidden["kpi_id"]) == ["accepted", "offered"]


def test_a_number_kpi_given_only_as_its_value_counts_children(tmp_path: Path) -> None:
    (tmp_path / "kpis.yaml").write_text(
        "kpis:\n  - {id: in_care, title: Children in care, polarity: L, unit: number, target: 50, floor: 60, "
        "source: return}\n"
    )
    catalogue = load_kpis(tmp_path / "kpis.yaml")
    figures = _figures([("2019-09", "Kent", "in_care", np.nan, np.nan), ("2019-09", "A", "in_care", np.nan, np.nan),
                        ("2019-09", "B", "in_care", np.nan, np.nan)])  # fmt: skip
    figures["value"] = [50.0, 3.0, 47.0]  # "3 children in care" in A, given as the figure itself
    hidden = hidden_keys(figures, catalogue, RULE, "Kent")
    assert sorted(hidden["area"]) == ["A", "B"]


def test_the_log_gives_a_reason_for_every_hidden_figure(catalogue: KpiCatalogue) -> None:
    figures = _figures([
        ("2019-09", "Kent", "reviews_on_time", 30, 60), ("2019-09", "A", "reviews_on_time", 3, 20),
        ("2019-09", "B", "reviews_on_time", 12, 25), ("2019-09", "C", "reviews_on_time", 15, 15),
    ])  # fmt: skip
    log = disclosure_log(figures, catalogue, RULE, "Kent").set_index("area")
    assert list(log.index) == ["A", "B"]
    assert log.loc["A", "reason"] == "primary: numerator of 1-4"
    assert log.loc["B", "reason"] == "secondary"
    assert log.loc["B", "protects"] == "2019-09 / A / reviews_on_time / all / total / all"
    assert log.loc["B", "sum"] == "total 2019-09 / Kent / reviews_on_time / all / total / all"
    assert (log.loc["A", "numerator"], log.loc["A", "denominator"]) == (3, 20)  # exact: the log is internal


def test_a_corrected_month_hides_again_what_a_published_version_hid(catalogue: KpiCatalogue) -> None:
    # published: A 3 of 20 hidden with B. Corrected, A is 5 of 20: on its own nothing would be hidden, and the two
    # versions together (A "c" then 5; B "c" then 12) would give the first A back from Kent's total
    corrected = _figures([
        ("2019-09", "Kent", "reviews_on_time", 32, 60), ("2019-09", "A", "reviews_on_time", 5, 20),
        ("2019-09", "B", "reviews_on_time", 12, 25), ("2019-09", "C", "reviews_on_time", 15, 15),
    ])  # fmt: skip
    assert hidden_keys(corrected, catalogue, RULE, "Kent").empty
    first = _keys(("2019-09", "A", "reviews_on_time"), ("2019-09", "B", "reviews_on_time"))
    again = hidden_keys(corrected, catalogue, RULE, "Kent", already_hidden=first)
    assert sorted(again["area"]) == ["A", "B"]


# --- the authority is required ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "where", "said"),
    [
        # not named, and neither area is the other's sum (30 of 60 is not 3 of 20): the return cannot say which
        ("small_cohort_denominator: 50\n", "returns/2019-09/kpi_return.csv, column 'area'",
         "cannot tell which area is the authority as a whole: no area's figures are the sum of the others'"),
        ("authority: kent\n", "settings.yaml, column 'authority'", "the authority 'kent' is not an area of"),
    ],
)  # fmt: skip
def test_the_authority_must_be_an_area_of_the_return(
    tmp_path: Path, kpis_file: Path, settings: str, where: str, said: str
) -> None:
    # without it no sum of the areas to the authority is formed: 3 hidden counts were recoverable on the sample
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", "2019-09,Kent,reviews_on_time,30,60,\n2019-09,Ashford,reviews_on_time,3,20,\n")
    (tmp_path / "settings.yaml").write_text(settings)
    inputs = Inputs.of(returns=returns, kpis=kpis_file, settings=tmp_path / "settings.yaml")
    with pytest.raises(InputError) as raised:
        month_data("2019-09", inputs=inputs)
    assert str(raised.value).startswith(f"{tmp_path / where}: {said}")
    assert "Ashford, Kent" in str(raised.value)
    result = CliRunner().invoke(
        app,
        ["scorecard", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09",
         "--settings", str(tmp_path / "settings.yaml"), "--out", str(tmp_path / "card.csv")],
    )  # fmt: skip
    assert result.exit_code == 2 and said in result.output and not (tmp_path / "card.csv").exists()


# --- the pages of both editions ------------------------------------------------------------------------------


def _text(page: Path) -> str:
    html = page.read_text()
    html = re.sub(r"<(style|svg|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _downloads(page: Path) -> list[tuple[str, str]]:
    """Each table's CSV download on the page: (file name, CSV text)."""
    found = re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8,([^"]+)"', page.read_text())
    return [(name, unquote(data)) for name, data in found]


def test_the_internal_edition_says_it_is_not_for_publication_everywhere(rendered_internal: Path) -> None:
    page = rendered_internal / SAMPLE_MONTH / "kent.html"
    html = page.read_text()
    assert "<title>Kent · 2019-09 · Children in Care scorecard · internal edition: not for publication</title>" in html
    assert "Internal edition: not for publication." in _text(page).split("Children in Care performance scorecard")[0]
    assert '@top-right { content: "Internal edition: not for publication"' in html  # every printed page's header
    downloads = _downloads(page)
    assert downloads and all(name.endswith("--internal-not-for-publication.csv") for name, _ in downloads)
    assert all(set(pd.read_csv(pd.io.common.StringIO(csv))["edition"]) == {"internal: not for publication"}
               for _, csv in downloads)  # fmt: skip
    index = (rendered_internal / "index.html").read_text()
    assert "Internal edition: not for publication." in index
    assert (rendered_internal / SAMPLE_MONTH / "disclosure-log.csv").is_file()
    assert (rendered_internal / SAMPLE_MONTH / "validation.csv").is_file()


def test_the_director_sees_every_figure_in_the_internal_edition(rendered: Path, rendered_internal: Path) -> None:
    public, internal = (
        _text(rendered / SAMPLE_MONTH / "kent.html"),
        _text(rendered_internal / SAMPLE_MONTH / "kent.html"),
    )
    assert "not shown" in public
    assert "not shown" not in internal.replace("Publish only the public edition", "")
    # counts of warnings (one per child missing from child_area.csv ...) count children: internal only (the
    # sample's files now raise none, so only the public side is checked here; tests/test_validation.py counts them)
    assert "exception(s) to the rule" not in public


def test_the_public_edition_uses_one_wording_and_no_internal_link(rendered: Path) -> None:
    pages = [*rendered.rglob("*.html")]
    assert len(pages) >= 5
    for page in pages:
        text = _text(page)
        assert "<5" not in text and "withheld" not in text, page
        assert "internal-not-for-publication" not in page.read_text(), page
        assert "not for publication" not in text, page
    for page in rendered.rglob("*.html"):
        for _, csv in _downloads(page):
            table = pd.read_csv(pd.io.common.StringIO(csv), dtype=str)
            assert set(table["edition"]) == {"public"}
            assert not table.isin(["<5", "withheld"]).any().any()
    assert not (rendered / SAMPLE_MONTH / "validation.csv").exists()  # findings count children: internal only
    assert not (rendered / SAMPLE_MONTH / "disclosure-log.csv").exists()


def test_a_hidden_figure_on_a_public_page_has_no_rating_beside_it(rendered: Path) -> None:
    downloads = dict(_downloads(rendered / SAMPLE_MONTH / "kent.html"))
    card = pd.read_csv(pd.io.common.StringIO(downloads["kent-2019-09-kpis.csv"]), dtype=str)
    hidden = card.loc[card["withheld"] == "c"]
    assert len(hidden) and set(hidden["rag"]) == {"c"} and set(hidden["direction"]) == {"Not shown"}
    quarter = dict(_downloads(rendered / "2019-20-q2" / "west-kent.html"))
    periods = pd.read_csv(pd.io.common.StringIO(next(iter(quarter.values()))), dtype=str)
    for prefix in ("", "previous_quarter_", "year_to_date_", "rolling_12_"):
        hidden_period = periods.loc[periods[f"{prefix}withheld"].fillna("") == "c"]
        assert set(hidden_period[f"{prefix}rag"]) <= {"c"}, prefix  # a quarter not shown is not rated either
    assert SAMPLE_QUARTER


def test_a_corrected_month_keeps_hidden_what_its_published_pages_hid(tmp_path: Path, kpis_file: Path) -> None:
    # the month's pages are planned (the decision kept beside them); then one child is corrected in the return
    from lacperf_helpers.run.plan import plan_pages

    returns, out = tmp_path / "returns", tmp_path / "reports"
    first = "2019-09,Kent,reviews_on_time,30,60,\n2019-09,A,reviews_on_time,3,20,\n2019-09,B,reviews_on_time,12,25,\n"
    write_return(returns, "2019-09", first + "2019-09,C,reviews_on_time,15,15,\n")
    inputs = Inputs.of(returns=returns, kpis=kpis_file)
    plan_pages("scorecard", "2019-09", inputs=inputs, areas=None, out=out, edition=Edition.PUBLIC)
    kept = out / "public" / "2019-09" / "disclosure-decision.csv"
    assert sorted(pd.read_csv(kept)["area"]) == ["A", "B"]
    corrected = "2019-09,Kent,reviews_on_time,32,60,\n2019-09,A,reviews_on_time,5,20,\n"
    write_return(returns, "2019-09", corrected + "2019-09,B,reviews_on_time,12,25,\n2019-09,C,reviews_on_time,15,15,\n")
    assert month_data("2019-09", inputs=inputs).hidden.empty  # on its own, nothing of the corrected month is small
    published = Inputs.of(returns=returns, kpis=kpis_file, published=out / "public")
    again = month_data("2019-09", inputs=published)
    assert sorted(again.hidden["area"]) == ["A", "B"]  # A "c" then 5, B "c" then 12: both versions say nothing
    reasons = set(again.disclosure_log["reason"])
    assert reasons == {"hidden by a version of this month already published"}
    # the CSV commands keep it too, given the public edition's folder
    for command in ("scorecard", "trend"):
        out_csv = tmp_path / f"{command}.csv"
        args = [command, "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09",
                "--out", str(out_csv), "--published", str(out / "public")]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        written = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
        written = written.loc[written["kpi_id"] == "reviews_on_time"].set_index("area")
        shown = written["latest_value"] if command == "trend" else written["numerator"]
        assert (shown.loc[["A", "B"]].isin(["", "c"])).all() and shown.loc["C"] not in ("", "c"), command


def test_the_counts_declared_shared_are_the_same_children_on_every_row() -> None:
    """On the sample's extracts and the two data sets written by others (tests/data): each declared pair agrees
    on every row, and each pair is checked somewhere."""
    from lacperf_helpers.config.cohorts import load_cohorts
    from lacperf_helpers.ingest.ssda903 import load_903
    from lacperf_helpers.measures.registry import SAME_CHILDREN, measure_table

    data = Path(__file__).parent / "data"
    extracts = [
        (paths.SAMPLE_RETURNS / "2019-03" / "903", "2019-03"),
        (paths.SAMPLE_RETURNS / SAMPLE_MONTH / "903", SAMPLE_MONTH),
        (data / "903-validator-fake", "2018-03"), (data / "csc-data-synthesizer", "2019-03"),
    ]  # fmt: skip
    on = ["month", "area", "cohort", "breakdown", "group"]
    checked: set[tuple[str, str]] = set()
    for folder, month in extracts:
        table = measure_table(load_903(folder), month, "Kent", None, load_cohorts())
        for (one, count), (other, its) in SAME_CHILDREN:
            a = table.loc[table["measure"] == one, [*on, count]].rename(columns={count: "a"})
            b = table.loc[table["measure"] == other, [*on, its]].rename(columns={its: "b"})
            both = a.merge(b, on=on, how="outer")
            if both[["a", "b"]].fillna(0).to_numpy().any():
                checked.add((one, other))
            assert (both["a"].fillna(0) == both["b"].fillna(0)).all(), (folder, one, other)
    assert checked == {(one, other) for (one, _), (other, _) in SAME_CHILDREN}


def test_a_table_of_some_measures_hides_what_the_months_whole_table_hides() -> None:
    """One decision per month over every measure: a table of two measures (and of one breakdown) hides exactly
    the cells the whole table hides, though their twins and flows are not in it."""
    from lacperf_helpers.config.cohorts import load_cohorts
    from lacperf_helpers.month.data import month_measures

    rule, kent = DisclosureRule(), paths.SAMPLE_RETURNS
    whole = month_measures(kent, "2019-03", authority="Kent", rule=rule, cohorts=load_cohorts(), edition=Edition.PUBLIC)
    some = month_measures(kent, "2019-03", authority="Kent", rule=rule, cohorts=load_cohorts(), edition=Edition.PUBLIC,
                          measures=["cla_ceased", "missing_in_month_share"], breakdowns=["sex"])  # fmt: skip
    assert whole is not None and some is not None
    on = ["area", "measure", "cohort", "breakdown", "group"]
    both = some.frame.merge(whole.frame, on=on, suffixes=("", "_whole"), validate="one_to_one")
    assert len(both) == len(some.frame) > 0 and set(both["breakdown"]) == {"total", "sex"}
    assert (both["withheld"] == both["withheld_whole"]).all()
    assert (both["withheld"] != "").any()  # a test that hides nothing proves nothing
