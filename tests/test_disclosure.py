"""Disclosure control on hand-built figures: which are hidden, and what each shows instead."""

from pathlib import Path

import pandas as pd

from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue, load_kpis
from lacperf_helpers.config.formatting import fmt_figure
from lacperf_helpers.disclose.publishing import hide_in_card, hide_in_periods
from lacperf_helpers.disclose.solver import AS_ITS_TOTAL, disclosure_log, hidden_keys
from lacperf_helpers.present.narrative import HIDDEN_FIGURE, summarise
from lacperf_helpers.rate import rating
from tests.conftest import KPIS_YAML, kpi_row

RULE = DisclosureRule(smallest_shown=5)


def figures(rows: list[tuple[str, str, str, float, float]], cohort: str = "all") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area", "breakdown", "group", "numerator", "denominator"])
    return frame.assign(month="2019-09", kpi_id="reviews_on_time", cohort=cohort, value=0.0)


def hidden(frame: pd.DataFrame, catalogue: KpiCatalogue) -> list[tuple[str, str, str]]:
    keys = hidden_keys(frame, catalogue, RULE, "Kent")
    return sorted(zip(keys["area"], keys["group"], keys["shown"], strict=True))


def test_a_small_area_is_hidden_with_the_area_of_fewest_children_counted(catalogue: KpiCatalogue) -> None:
    # Kent = A + B + C: with A's 3 hidden, A could be worked out from Kent, B and C. The numerator is the
    # small count, so the area with the smallest numerator that can move by 3 (B: 12, not C: 15) goes too.
    frame = figures([("Kent", "total", "all", 30, 60), ("A", "total", "all", 3, 20), ("B", "total", "all", 12, 25),
                     ("C", "total", "all", 15, 15)])  # fmt: skip
    assert hidden(frame, catalogue) == [("A", "all", "c"), ("B", "all", "c")]


def test_hidden_parts_beside_a_shown_total_are_not_a_small_count_together(catalogue: KpiCatalogue) -> None:
    # Kent = A + B + C + D: A's 3 and B's 1 are hidden and protect each other (each could be 0 to 4), but Kent
    # less C and D would say A and B hold 4 children together: a count of 1-4 worked out from what is shown.
    # So C (the smaller numerator of the two, 12) is hidden too, and A, B and C hold 16 together.
    frame = figures([("Kent", "total", "all", 30, 60), ("A", "total", "all", 3, 10), ("B", "total", "all", 1, 10),
                     ("C", "total", "all", 12, 20), ("D", "total", "all", 14, 20)])  # fmt: skip
    assert hidden(frame, catalogue) == [("A", "all", "c"), ("B", "all", "c"), ("C", "all", "c")]
    # with B's 2, A and B hold 5 together: shown as it stands
    frame.loc[frame["area"] == "B", "numerator"] = 2
    frame.loc[frame["area"] == "Kent", "numerator"] = 31
    assert hidden(frame, catalogue) == [("A", "all", "c"), ("B", "all", "c")]


def test_a_breakdown_of_one_group_follows_its_total(catalogue: KpiCatalogue) -> None:
    # every care leaver is 16 or over: the age band's one group is its total again. The month stage hides a
    # cohort's groups from the start (only its total is published); decided apart, the hidden group stood alone
    # in its sum (total = group) and the total 30 of 40 was hidden to protect what it shows anyway
    frame = pd.concat([
        figures([("Kent", "total", "all", 40, 50), ("Kent", "age_band", "16 and over", 40, 50)]),
        figures([("Kent", "total", "all", 30, 40), ("Kent", "age_band", "16 and over", 30, 40)], "excluding UASC"),
    ])  # fmt: skip
    groups = frame.loc[(frame["cohort"] != "all") & (frame["breakdown"] != "total")]
    keys = hidden_keys(frame, catalogue, RULE, "Kent", already_hidden=groups)
    assert sorted(zip(keys["cohort"], keys["group"], strict=True)) == [("excluding UASC", "16 and over")]
    # a group of 3 children beside it: the breakdown is decided (the 3 are hidden, and the 16 and over with them)
    younger = figures([("Kent", "age_band", "10-15", 3, 3)])
    frame = pd.concat([frame.loc[frame["cohort"] == "all"], younger]).assign(
        numerator=lambda f: f["numerator"].where(f["breakdown"] != "total", 43),
        denominator=lambda f: f["denominator"].where(f["breakdown"] != "total", 53),
    )
    keys = hidden_keys(frame, catalogue, RULE, "Kent")
    assert sorted(zip(keys["group"], keys["shown"], strict=True)) == [("10-15", "c"), ("16 and over", "c")]
    # Kent = A + B, each all 16 and over: A's 46 of 50 leaves out 4 (primary), B's total is hidden to protect
    # it, and B's one group with its total, as the log says
    frame = figures([(area, breakdown, group, n, d) for area, n, d in (("Kent", 66, 90), ("A", 46, 50), ("B", 20, 40))
                     for breakdown, group in (("total", "all"), ("age_band", "16 and over"))])  # fmt: skip
    log = disclosure_log(frame, catalogue, RULE, "Kent")
    assert sorted(zip(log["area"], log["breakdown"], log["reason"], strict=True)) == [
        ("A", "age_band", "primary: complement of 1-4"), ("A", "total", "primary: complement of 1-4"),
        ("B", "age_band", AS_ITS_TOTAL), ("B", "total", "secondary"),
    ]  # fmt: skip


def test_the_children_a_percentage_leaves_out_are_a_count_too(catalogue: KpiCatalogue) -> None:
    # "46 of 50" gives away the 4 without; "45 of 50" and "50 of 50" do not
    frame = figures([("Kent", "total", "all", 46, 50)])
    assert hidden(frame, catalogue) == [("Kent", "all", "c")]
    assert hidden(figures([("Kent", "total", "all", 45, 50)]), catalogue) == []
    assert hidden(figures([("Kent", "total", "all", 50, 50)]), catalogue) == []


def test_a_small_group_and_a_group_missing_few_protect_each_other(catalogue: KpiCatalogue) -> None:
    # girls 2 of 30: hidden; boys 28 of 30 leave out 2: hidden; each gives the other room (both read "c")
    frame = figures([("Kent", "total", "all", 30, 60), ("Kent", "sex", "F", 2, 30), ("Kent", "sex", "M", 28, 30)])
    assert hidden(frame, catalogue) == [("Kent", "F", "c"), ("Kent", "M", "c")]


def test_zero_and_five_are_shown(catalogue: KpiCatalogue) -> None:
    frame = figures([("Kent", "total", "all", 5, 10), ("Kent", "sex", "F", 0, 4), ("Kent", "sex", "M", 5, 6),
                     ("Kent", "sex", "U", 0, 0)])  # fmt: skip
    # F has 4 children in its denominator: hidden; M (5 of 6, room in both counts) with it; U (0 of 0) stays
    assert hidden(frame, catalogue) == [("Kent", "F", "c"), ("Kent", "M", "c")]


def test_unaccompanied_children_are_protected_though_never_published(catalogue: KpiCatalogue) -> None:
    # all children 20 of 40, excluding UASC 18 of 38: 2 of 2 unaccompanied children, by subtraction
    frame = pd.concat([figures([("Kent", "total", "all", 20, 40)]),
                       figures([("Kent", "total", "all", 18, 38)], cohort="excluding UASC")])  # fmt: skip
    keys = hidden_keys(frame, catalogue, RULE, "Kent")
    assert keys[["cohort", "shown"]].values.tolist() == [["excluding UASC", "c"]]
    # with 9 unaccompanied children, nothing is hidden
    frame.loc[frame["cohort"] != "all", ["numerator", "denominator"]] = [11, 31]
    assert hidden_keys(frame, catalogue, RULE, "Kent").empty


def test_staff_figures_are_not_hidden(kpis_file: Path, tmp_path: Path) -> None:
    text = kpis_file.read_text().replace("    source: return\n", "    source: return\n    disclosure: staff\n", 1)
    (tmp_path / "staff.yaml").write_text(text)
    frame = figures([("Kent", "total", "all", 3.5, 4.0)])
    assert hidden(frame, load_kpis(tmp_path / "staff.yaml")) == []


# the fixture's catalogue, reviews counted month by month (a flow)
SUMMED = KPIS_YAML.replace(
    "    unit: percent\n    target: 90\n", "    unit: percent\n    aggregation: sum\n    target: 90\n"
)


def test_a_period_is_hidden_when_any_of_its_months_is(tmp_path: Path) -> None:
    # Deal's August is 3 of 10, hidden with Ashford's August: their quarters (August = the quarter less July
    # and September), years to date and 12 months go with them; Kent's, all its months shown, stay
    (tmp_path / "kpis.yaml").write_text(SUMMED)
    catalogue = load_kpis(tmp_path / "kpis.yaml")
    rows = []
    for month, deal in (("2019-07", (9, 20)), ("2019-08", (3, 10)), ("2019-09", (8, 21))):
        rows += [(month, "Kent", 20 + deal[0], 40 + deal[1]), (month, "Ashford", 20, 40), (month, "Deal", *deal)]
    frame = pd.DataFrame(rows, columns=["month", "area", "numerator", "denominator"]).assign(
        kpi_id="reviews_on_time", cohort="all", breakdown="total", group="all", value=0.0
    )
    keys = hidden_keys(frame, catalogue, RULE, "Kent")
    assert sorted(zip(keys["month"], keys["area"], strict=True)) == [
        ("12 months to 2019-09", "Ashford"), ("12 months to 2019-09", "Deal"), ("2019-08", "Ashford"),
        ("2019-08", "Deal"), ("Q2 2019/20", "Ashford"), ("Q2 2019/20", "Deal"), ("year to date to 2019-09", "Ashford"),
        ("year to date to 2019-09", "Deal"),
    ]  # fmt: skip
    card = pd.DataFrame({"area": ["Kent", "Ashford", "Deal"], "kpi_id": "reviews_on_time",
                         "numerator": [85, 60, 20], "denominator": [153, 120, 33], "value": 0.0,
                         "direction": rating.IMPROVED, "previous_quarter_numerator": [1, 2, 3],
                         "previous_quarter_denominator": [9, 9, 9], "previous_quarter_value": 0.0})  # fmt: skip
    shown = hide_in_periods(card, "Q2 2019/20", keys, catalogue)
    assert shown["withheld"].tolist() == ["", "c", "c"]
    assert shown["numerator"].isna().tolist() == [False, True, True]
    # Kent's quarter and the previous quarter (no month of it hidden) are shown: its direction stands
    assert shown["direction"].tolist() == [rating.IMPROVED, rating.NOT_SHOWN, rating.NOT_SHOWN]


def test_a_hidden_figure_is_blanked_in_the_card_unrated_and_has_no_direction(catalogue: KpiCatalogue) -> None:
    card = figures([("A", "total", "all", 3, 20)]).drop(columns="month")
    card["change"], card["children_to_change_rating"], card["direction"], card["rag"] = 1.0, 2.0, rating.WORSE, "Red"
    keys = pd.DataFrame([["2019-09", "A", "reviews_on_time", "all", "total", "all", "c"]],
                        columns=["month", "area", "kpi_id", "cohort", "breakdown", "group", "shown"])  # fmt: skip
    shown = hide_in_card(card, keys, "2019-09", "2019-08").iloc[0]
    assert shown[["numerator", "denominator", "change", "children_to_change_rating"]].isna().all()
    assert bool(shown["suppressed"]) and not bool(shown["previous_suppressed"])
    # "fell from 12 to c" would say it is below 12; "Red" against 95/85 that it is below 85% of 20
    assert shown["direction"] == rating.NOT_SHOWN and shown["rag"] == rating.NOT_SHOWN
    assert fmt_figure(15.0, 3, 20, "percent", 1, "children", 50, shown["withheld"]) == "not shown"


def test_every_hidden_figure_reads_alike_whatever_its_size(catalogue: KpiCatalogue) -> None:
    # "<5" for a small figure and "withheld" for one hidden to protect it told a reader which was small
    frame = figures([("Kent", "total", "all", 30, 60), ("A", "total", "all", 3, 20), ("B", "total", "all", 12, 25),
                     ("C", "total", "all", 15, 15)])  # fmt: skip
    assert set(hidden_keys(frame, catalogue, RULE, "Kent")["shown"]) == {"c"}


def _row(**values: object) -> object:
    base = {"title": "Reviews held on time", "value": float("nan"), "numerator": float("nan"),
            "denominator": float("nan"), "unit": "percent", "decimals": 1, "counts": "children",
            "rag": rating.NOT_SHOWN, "previous_rag": "Amber", "previous_value": 90.0, "previous_numerator": 18,
            "previous_denominator": 20, "direction": rating.NOT_SHOWN, "polarity": "H", "target": 95, "floor": 85,
            "withheld": "c", "previous_withheld": "", "children_to_change_rating": float("nan"),
            "numerator_change": float("nan"), "denominator_change": float("nan")}  # fmt: skip
    base.update(values)
    return kpi_row(**base)


def test_sentences_say_a_hidden_figure_in_plain_words_without_a_rating_or_which_way_it_went() -> None:
    summary = summarise(pd.DataFrame([vars(_row())]).assign(previous_month="2019-08", kpi_id="k"), 50)
    assert summary.not_rated == [f"Reviews held on time: {HIDDEN_FIGURE}."]
    assert summary.rating_changes == [] and summary.amber_red == []
    said = " ".join([summary.headline, *summary.not_rated])
    assert "<5" not in said and "fell" not in said and "from 90.0%" not in said
    assert summary.headline == (
        "Of the 1 KPIs, 0 are rated Green, 0 Amber and 0 Red; 1 is not shown, to protect a small number of children."
    )
