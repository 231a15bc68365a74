"""The internal paper's forward look: its sentences, worded by hand, and its table by team, from the seven children
of tests/test_forward_look.py at 31 January 2024."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lacperf_helpers.config.editions import Edition
from lacperf_helpers.ingest.annex_a import AnnexA
from lacperf_helpers.month.forward_look import forward_look_table, page_forward_look
from lacperf_helpers.present.forward_look import forward_look_view, forward_sentence
from lacperf_helpers.present.templating import render
from tests.test_forward_look import list8


@pytest.mark.parametrize(
    ("measure", "due", "before", "now", "then", "expected"),
    [
        ("reviews_in_timescale", 5, "2024-01-31", 95.0, 91.8,  # the issue's own example
         "5 reviews fall due before 31 January; if they are missed, reviews in timescale falls from 95.0% to 91.8%."),
        ("visits_in_timescale", 1, "2024-02-29", 100.0, 87.5,
         "1 visit falls due before 29 February; if it is missed, visits in timescale falls from 100.0% to 87.5%."),
        ("reviews_in_timescale", 0, "2024-02-29", 85.7, 85.7,
         "No reviews fall due before 29 February; reviews in timescale stays at 85.7%."),
        ("health_assessment_up_to_date", 0, "2024-02-29", 16.7, 14.3,
         "No health assessments fall due before 29 February; health assessments up to date (looked after 12 months "
         "or more) falls from 16.7% to 14.3% by 29 February, as children reach 12 months in care."),
        ("dental_check_up_to_date", 2, "2024-02-29", 50.0, 50.0,
         "2 dental checks fall due before 29 February; if they are missed, dental checks within 12 months (looked "
         "after 12 months or more) stays at 50.0%."),
        ("dental_check_up_to_date", 0, "2024-02-29", None, None,
         "No children are counted in dental checks within 12 months (looked after 12 months or more) now or by 29 "
         "February."),
    ],
)  # fmt: skip
def test_sentences(measure: str, due: int, before: str, now: float | None, then: float | None, expected: str) -> None:
    assert forward_sentence(measure, due, before, now, then) == expected


def view() -> object:
    return forward_look_table(AnnexA(lists={8: list8()}, team_areas=TEAM_AREAS), "2024-01", authority="Kent")


TEAM_AREAS = pd.Series({"team a": "North", "team b": "South"})


def test_the_authoritys_page_shows_every_areas_teams_and_its_own_sentences() -> None:
    shown = forward_look_view(view(), "Kent", "Kent")  # type: ignore[arg-type]
    assert shown["weeks"] == [4, 8]
    assert shown["before"] == "29 February"
    assert shown["until"] == {4: "28 February", 8: "27 March"}
    sentences = shown["sentences"]
    assert isinstance(sentences, list)
    assert sentences[0] == (
        "3 reviews fall due before 29 February; if they are missed, reviews in timescale falls from 85.7% to 42.9%."
    )
    rows = dict(shown["rows"])  # type: ignore[call-overload]
    assert list(rows) == [
        "Team A (North)", "North, all teams", "Team B (South)", "South, all teams",
        "Team not recorded (Area not known)", "Area not known, all teams", "Kent, all teams",
    ]  # fmt: skip
    # Reviews, visits, health assessments, dental checks, each in 4 and 8 weeks: Team A's children 1-3 (see the
    # other file): reviews 1 (child 1) and 2 (1, 2); no visit known; child 1's health assessment due 1 March
    assert rows["Team A (North)"] == ["1", "2", "0", "0", "0", "1", "0", "0"]
    assert rows["Kent, all teams"] == ["2", "4", "0", "0", "0", "1", "0", "0"]


def test_an_areas_page_shows_its_own_teams_and_sentences() -> None:
    shown = forward_look_view(view(), "South", "Kent")  # type: ignore[arg-type]
    assert [place for place, _ in shown["rows"]] == [  # type: ignore[attr-defined]
        "Team B (South)", "South, all teams",
    ]  # fmt: skip
    # Child 6 has no team, so no area by team_area.csv: South is children 4, 5 and 7
    assert shown["sentences"][0] == (  # type: ignore[index]
        "1 review falls due before 29 February; if it is missed, reviews in timescale falls from 100.0% to 66.7%."
    )


def test_the_section_names_no_child() -> None:
    html = render("forward_look.html.j2", **forward_look_view(view(), "Kent", "Kent"), area="Kent")  # type: ignore[arg-type]
    assert "3 reviews fall due before 29 February" in html and "Team A (North)" in html
    assert "not for publication" in html
    for child in list8()["Child Unique ID"]:
        assert child not in html


def test_the_public_edition_and_a_month_without_an_annex_a_have_no_forward_look(tmp_path: Path) -> None:
    (tmp_path / "2024-01" / "annex_a").mkdir(parents=True)
    assert page_forward_look(tmp_path, "2024-01", edition=Edition.PUBLIC, authority="Kent") is None
    assert page_forward_look(tmp_path, "2023-12", edition=Edition.INTERNAL, authority="Kent") is None


def test_where_a_kpi_is_the_measure_each_figure_is_rated_against_its_target_and_floor() -> None:
    from lacperf_helpers.config.definitions import KpiCatalogue, KpiDefinition

    reviews = KpiDefinition(
        id="cla_reviews", title="Reviews in timescale", polarity="H", unit="percent", target=90, floor=80,
        source="annex_a", measure="reviews_in_timescale",
    )  # fmt: skip
    shown = forward_look_view(view(), "Kent", "Kent", KpiCatalogue(kpis=(reviews,)))  # type: ignore[arg-type]
    sentences = shown["sentences"]
    assert isinstance(sentences, list)
    # 6 of 7 (85.7%) is below the target of 90 and above the floor of 80; 3 of 7 (42.9%) below the floor
    assert sentences[0] == (
        "3 reviews fall due before 29 February; if they are missed, reviews in timescale falls from 85.7% (Amber) "
        "to 42.9% (Red)."
    )
    assert "(" not in sentences[1].replace("(looked after", "")  # visits: no KPI of it in this catalogue
