"""National benchmarking from the DfE's tidy local-authority table, on a fixture worked by hand: eight
authorities, two of them with figures not published (c, x), a later year that must not be used."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from lacperf_helpers.config.definitions import KpiCatalogue, KpiDefinition, Settings
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.rate.national import national_comparison, quartile, rates_per_10000, year_label

HEADER = "time_period,time_identifier,geographic_level,country_code,region_code,region_name,new_la_code,la_name,stab\n"
ROWS = """\
201819,Reporting year,National,E92000001,,,,,10
201819,Reporting year,Regional,E92000001,R1,North,,,12
201819,Reporting year,Regional,E92000001,R2,South,,,11
201819,Reporting year,Local authority,E92000001,R1,North,E10000001,Ayton,8
201819,Reporting year,Local authority,E92000001,R1,North,E10000002,Beeford,10
201819,Reporting year,Local authority,E92000001,R2,South,E10000003,Ceeham,10
201819,Reporting year,Local authority,E92000001,R2,South,E10000004,Deeworth,12
201819,Reporting year,Local authority,E92000001,R1,North,E10000005,Eeston,c
201819,Reporting year,Local authority,E92000001,R2,South,E10000006,Efford,14
201819,Reporting year,Local authority,E92000001,R1,North,E10000007,Geeby,6
201819,Reporting year,Local authority,E92000001,R2,South,E10000008,Aitchley,x
202021,Reporting year,Local authority,E92000001,R1,North,E10000002,Beeford,99
"""
NEIGHBOURS = """\
new_la_code,la_name,neighbour_rank,neighbour_new_la_code,neighbour_la_name
E10000002,Beeford,1,E10000001,Ayton
E10000002,Beeford,2,E10000003,Ceeham
E10000002,Beeford,3,E10000005,Eeston
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "la_indicators.csv").write_text(HEADER + ROWS)
    (tmp_path / "statistical_neighbours.csv").write_text(NEIGHBOURS)
    return tmp_path


def catalogue(polarity: str) -> KpiCatalogue:
    floor = 12 if polarity == "L" else 8
    kpi = KpiDefinition(id="stab", title="Stability", polarity=polarity, unit="percent", target=10, floor=floor,
                        source="return", national_indicator="stab")  # fmt: skip
    return KpiCatalogue(kpis=(kpi,))


@pytest.mark.parametrize(
    ("polarity", "band", "best", "worst"),
    [("L", "B", ("Geeby", 6.0), ("Efford", 14.0)), ("H", "C", ("Efford", 14.0), ("Geeby", 6.0))],
)
def test_rank_quartile_neighbours_and_the_best_and_worst(
    folder: Path, polarity: str, band: str, best: tuple, worst: tuple
) -> None:
    row = national_comparison(folder, catalogue(polarity), Settings(la_code="E10000002"), "2019-09").iloc[0]
    assert row["year"] == "2018/19"  # the latest year at or before 2019/20's: 2020/21 is not used
    assert (row["authority"], row["england"], row["region"], row["region_name"]) == (10.0, 10.0, 12.0, "North")
    assert (row["neighbours"], row["neighbours_with_figures"]) == (9.0, 2)  # Ayton 8, Ceeham 10; Eeston's is 'c'
    # six authorities have a figure; two do better than Beeford's 10 either way (Ceeham's equal 10 ties)
    assert (row["rank"], row["ranked"]) == (3, 6)
    # LAIT's cuts (R type 7) of 6, 8, 10, 10, 12, 14: 8.5, 10 and 11.5. Beeford's 10 equals the median, so it is
    # in the lower-value band: the second best where lower is better (B), the second worst where higher is (C)
    assert row["quartile"] == band
    assert (row["best"], row["best_value"]) == best and (row["worst"], row["worst_value"]) == worst


def test_quartile_bands_are_lait_s_cuts_of_every_authority_s_value() -> None:
    # R: quantile(1:8) (type 7) is 2.75, 4.5, 6.25: two authorities a band, as ranks would give
    values = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8])
    assert [quartile(v, values, "L") for v in values] == list("AABBCCDD")
    assert [quartile(v, values, "H") for v in values] == list("DDCCBBAA")
    # R: quantile(c(1, 2, 2, 2, 3, 4, 5, 6)) is 2, 2.5, 4.25. The three 2s equal the first cut: the lowest-value
    # band, A where lower is better, D where higher is (ranks would put a tie of 5th of 8 in C). 3 and 4 lie
    # between the median and the third cut: no value falls in the second band
    tied = pd.Series([1.0, 2, 2, 2, 3, 4, 5, 6])
    assert [quartile(v, tied, "L") for v in tied] == list("AAAACCDD")
    assert [quartile(v, tied, "H") for v in tied] == list("DDDDBBAA")
    assert quartile(7.0, pd.Series([7.0]), "H") == "D" and quartile(7.0, pd.Series([7.0]), "L") == "A"


def test_years_in_either_of_the_dfe_s_forms() -> None:
    assert year_label("201819") == "2018/19" and year_label("2019") == "2018/19"  # 2019: the year to March 2019
    with pytest.raises(ValueError, match="not a year"):
        year_label("2018-19")


def test_a_missing_authority_or_indicator_is_named(folder: Path) -> None:
    with pytest.raises(InputError, match="no row for la_code E10000099"):
        national_comparison(folder, catalogue("L"), Settings(la_code="E10000099"), "2019-09")
    wrong = catalogue("L").kpis[0].model_copy(update={"national_indicator": "stability"})
    with pytest.raises(InputError, match="names indicator 'stability', which is not a column"):
        national_comparison(folder, KpiCatalogue(kpis=(wrong,)), Settings(la_code="E10000002"), "2019-09")


def test_without_the_tables_or_a_code_there_is_nothing_to_compare(tmp_path: Path, folder: Path) -> None:
    assert national_comparison(tmp_path / "none", catalogue("L"), Settings(la_code="E10000002"), "2019-09").empty
    assert national_comparison(folder, catalogue("L"), Settings(), "2019-09").empty


def test_a_year_with_no_authority_s_figure_published_is_passed_over(tmp_path: Path) -> None:
    rows = "201819,Reporting year,National,E92000001,,,,,10\n" + "".join(
        f"201819,Reporting year,Local authority,E92000001,R1,North,E1000000{n},A{n},c\n" for n in (1, 2)
    )
    (tmp_path / "la_indicators.csv").write_text(HEADER + rows)
    assert national_comparison(tmp_path, catalogue("L"), Settings(la_code="E10000002"), "2019-09").empty


def test_the_charts_draw_england_and_the_neighbours_from_the_dfe_s_table(rendered: Path) -> None:
    """The sample's table publishes placement stability for 2018/19: England 10.4% (its national row); the
    chart draws it and the statistical neighbours' average, each named with the year."""
    page = (rendered / "2019-09" / "kent.html").read_text()
    assert "England 2018/19: 10.4%" in page
    assert page.count("Statistical neighbours 2018/19: ") >= 3  # the three KPIs the table publishes
    assert "statistical neighbours&#39; average" in page or "statistical neighbours' average" in page  # the key


def test_rates_per_10000_from_the_population_file(folder: Path) -> None:
    """Beeford: 150 children looked after and 6 unaccompanied among 30,000 children aged 0-17 (mid-2019; the
    mid-2020 estimate is too late for September 2019): 50.0 and 2.0 per 10,000. Its starts are not published
    (None): no rate. The table's rates: its own 48, England 60, the North 55, neighbours Ayton 40 and Ceeham 44
    (Eeston's 'c' is not published): 42.0."""
    (folder / "la_indicators.csv").write_text(
        HEADER.replace(",stab\n", ",stab,cla_rate\n") + "".join(
            line + "," + rate + "\n"
            for line, rate in zip(ROWS.splitlines(), ["60", "55", "70", "40", "48", "44", "50", "c", "52", "49", "x",
                                                      "99"], strict=True)
        )
    )  # fmt: skip
    (folder / "population.csv").write_text(
        "time_period,new_la_code,la_name,population_0_17\n2019,E10000002,Beeford,30000\n2020,E10000002,Beeford,1\n"
    )
    settings = Settings(la_code="E10000002", rates_per_10000={"looked_after": "cla_rate", "uasc": "cla_rate",
                                                              "started": "cla_rate"})  # fmt: skip
    rates = rates_per_10000(folder, settings, "2019-09", {"looked_after": 150.0, "uasc": 6.0, "started": None})
    found = rates.set_index("count")
    assert found.loc["looked_after", "rate"] == 50.0 and found.loc["uasc", "rate"] == 2.0
    assert math.isnan(found.loc["started", "rate"])
    one = found.loc["looked_after"]
    assert (one["population"], one["population_year"], one["year"]) == (30000.0, "mid-2019", "2018/19")
    assert (one["authority"], one["england"], one["region"], one["neighbours"]) == (48.0, 60.0, 55.0, 42.0)
    # without a population file, or before any estimate, there is no rate to give
    assert rates_per_10000(folder, settings, "2019-05", {"looked_after": 150.0}).empty  # mid-2018: none
    (folder / "population.csv").unlink()
    assert rates_per_10000(folder, settings, "2019-09", {"looked_after": 150.0}).empty
    # a population that is not a number is named by file, row and column, not dropped
    (folder / "population.csv").write_text("time_period,new_la_code,la_name,population_0_17\n2019,E10000002,B,30k\n")
    with pytest.raises(InputError, match=r"population.csv, row 2, column 'population_0_17': '30k' is not a whole"):
        rates_per_10000(folder, settings, "2019-09", {"looked_after": 150.0})


def test_the_sample_page_gives_rates_only_where_their_counts_are_published(
    rendered: Path, rendered_internal: Path
) -> None:
    internal = (rendered_internal / "2019-09" / "kent.html").read_text()
    assert "Rates per 10,000 children aged 0-17 (235,300 in Kent, ONS mid-2019 estimate)" in internal
    # the 1,529 children looked after, every figure internally: 10,000 x 1,529 / 235,300 = 64.98, published as 65
    assert "65 (1,529 children)" in internal
    # the 59 unaccompanied (1,529 less the 1,470 excluding UASC): 10,000 x 59 / 235,300 = 2.51, published as 3
    assert "3 (59 children)" in internal
    page = (rendered / "2019-09" / "kent.html").read_text()
    # publicly the 1,529 are published, and so is their rate; so are the 1,470 excluding UASC (`lacperf measures`
    # shows Kent's total of each cohort), and so the 59 and their rate
    assert "Rates per 10,000 children aged 0-17 (235,300 in Kent, ONS mid-2019 estimate)" in page
    assert "65 (1,529 children)" in page and "3 (59 children)" in page


def test_rates_per_10000_are_whole_numbers_as_the_dfe_publishes_them() -> None:
    from lacperf_helpers.rate.national import per_10000

    # 10,000 x: 233 / 36,300 = 64.19 -> 64; 78 / 36,300 = 21.49 -> 21; 1,005 / 40,000 = 251.25 -> 251;
    # 21 / 2,800 = 75; 1 / 80,000 = 0.125 -> 0; 5 / 400 = 125; 9 / 7,200 = 12.5 -> 13 (round() would give 12)
    assert [per_10000(233, 36_300), per_10000(78, 36_300), per_10000(1_005, 40_000)] == [64.0, 21.0, 251.0]
    assert per_10000(21, 2_800) == 75.0 and per_10000(1, 80_000) == 0.0
    assert per_10000(5, 400) == 125.0 and per_10000(9, 7_200) == 13.0
