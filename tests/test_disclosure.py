"""Disclosure control on hand-built figures: which are hidden, and what each shows instead."""

import pandas as pd

from lacperf_helpers.definitions import DisclosureRule, KpiCatalogue
from lacperf_helpers.disclosure import hidden_keys, hide_in_card, hide_in_periods
from lacperf_helpers.formatting import fmt_figure

RULE = DisclosureRule(smallest_shown=5)


def figures(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area", "breakdown", "group", "numerator", "denominator"])
    return frame.assign(month="2019-09", kpi_id="reviews_on_time", cohort="all", value=0.0)


def hidden(frame: pd.DataFrame, catalogue: KpiCatalogue) -> list[tuple[str, str, str]]:
    keys = hidden_keys(frame, catalogue, RULE, "Kent")
    return sorted(zip(keys["area"], keys["group"], keys["shown"], strict=True))


def test_a_small_area_is_hidden_and_the_next_smallest_with_it(catalogue: KpiCatalogue) -> None:
    # Kent = A + B + C: with A's 3 hidden, A could be worked out from Kent, B and C; so the smaller of
    # B (25 children) and C (15) is hidden too.
    frame = figures([("Kent", "total", "all", 30, 60), ("A", "total", "all", 3, 20), ("B", "total", "all", 12, 25),
                     ("C", "total", "all", 15, 15)])  # fmt: skip
    assert hidden(frame, catalogue) == [("A", "all", "<5"), ("C", "all", "withheld")]


def test_a_small_group_is_hidden_with_the_next_smallest_group(catalogue: KpiCatalogue) -> None:
    # girls 2 of 30: hidden; boys 28 of 30 would give it away from the total, so hidden as well
    frame = figures([("Kent", "total", "all", 30, 60), ("Kent", "sex", "F", 2, 30), ("Kent", "sex", "M", 28, 30)])
    assert hidden(frame, catalogue) == [("Kent", "F", "<5"), ("Kent", "M", "withheld")]


def test_zero_and_five_are_shown_and_two_small_figures_protect_each_other(catalogue: KpiCatalogue) -> None:
    frame = figures([("Kent", "total", "all", 5, 10), ("Kent", "sex", "F", 0, 4), ("Kent", "sex", "M", 5, 6),
                     ("Kent", "sex", "U", 0, 0)])  # fmt: skip
    # F has 4 children in its denominator: hidden; M (6) next smallest non-zero; U (0 of 0) stays
    assert hidden(frame, catalogue) == [("Kent", "F", "<5"), ("Kent", "M", "withheld")]


def test_staff_figures_are_not_hidden(kpis_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from lacperf_helpers.definitions import load_kpis

    text = kpis_file.read_text().replace("    source: return\n", "    source: return\n    counts: FTE posts\n", 1)
    (tmp_path / "staff.yaml").write_text(text)
    frame = figures([("Kent", "total", "all", 3.5, 4.0)])
    assert hidden(frame, load_kpis(tmp_path / "staff.yaml")) == []


def test_a_hidden_figure_is_blanked_in_the_card_and_reads_as_under_5(catalogue: KpiCatalogue) -> None:
    card = figures([("A", "total", "all", 3, 20)]).drop(columns="month")
    card["change"], card["children_to_change_rating"] = 1.0, 2.0
    keys = pd.DataFrame([["2019-09", "A", "reviews_on_time", "all", "total", "all", "<5"]],
                        columns=["month", "area", "kpi_id", "cohort", "breakdown", "group", "shown"])  # fmt: skip
    shown = hide_in_card(card, keys, "2019-09", "2019-08").iloc[0]
    assert shown[["numerator", "denominator", "change", "children_to_change_rating"]].isna().all()
    assert bool(shown["suppressed"]) and not bool(shown["previous_suppressed"])
    assert fmt_figure(15.0, 3, 20, "percent", 1, "children", 50, shown["withheld"]) == "<5 children"


def test_each_period_of_a_quarter_is_hidden_on_its_own(catalogue: KpiCatalogue) -> None:
    # the quarter: Ashford 3 of 10 (small) and Deal 7 of 12, so Deal would give Ashford away from Kent's
    # 10 of 22; the year to date: every figure large enough to show
    card = pd.DataFrame(
        {"area": ["Kent", "Ashford", "Deal"], "kpi_id": "reviews_on_time",
         "numerator": [10, 3, 7], "denominator": [22, 10, 12], "value": 0.0,
         "year_to_date_numerator": [40, 15, 25], "year_to_date_denominator": [80, 40, 40], "year_to_date_value": 0.0}
    )  # fmt: skip
    hidden = hide_in_periods(card, ["", "year_to_date_"], catalogue, RULE, "Kent")
    assert hidden["withheld"].tolist() == ["", "<5", "withheld"]
    assert hidden["year_to_date_withheld"].tolist() == ["", "", ""]
    assert hidden["numerator"].isna().tolist() == [False, True, True]
    assert hidden["year_to_date_numerator"].tolist() == [40, 15, 25]
