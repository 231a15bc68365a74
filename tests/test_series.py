"""The trend table and `lacperf trend` on a year of hand-made returns."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config.definitions import KpiCatalogue, TrendSettings
from lacperf_helpers.config.periods import months_between
from lacperf_helpers.config.vocabulary import TOTAL
from lacperf_helpers.measures.figures import load_returns_to
from lacperf_helpers.rate.scorecard import with_slice
from lacperf_helpers.trend.series import TREND_COLUMNS, rated_history, trend_table
from lacperf_helpers.trend.spc import SpcRules
from tests.conftest import naming, write_return

MONTHS = months_between("2018-09", "2019-09")  # 13: the fewest an SPC chart gives limits for (MDC)


def load_history(returns_dir: Path, catalogue: KpiCatalogue, month: str) -> pd.DataFrame:
    """Every month's headline figures (each cohort's totals) up to `month`, read, checked and rated."""
    figures = load_returns_to(returns_dir, month, catalogue)
    return rated_history(figures.loc[with_slice(figures)["breakdown"] == TOTAL], catalogue)


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    """Reviews on time rise one child in 100 a month, 79 to 91; Ashford's moves flat at 2 of 20."""
    for step, month in enumerate(MONTHS):
        write_return(
            tmp_path, month, f"{month},Kent,reviews_on_time,{79 + step},100,\n{month},Ashford,moves_3plus,2,20,\n"
        )
    return tmp_path


def test_a_steady_rise_is_a_trend_and_a_special_cause(returns: Path, catalogue: KpiCatalogue) -> None:
    history = load_history(returns, catalogue, "2019-09")
    table = trend_table(history, catalogue, TrendSettings(), "2019-09", ["Kent", "Ashford"])
    assert list(table.columns[: len(TREND_COLUMNS)]) == list(TREND_COLUMNS)
    kent = table.iloc[0]
    assert (kent["kpi_id"], kent["area"], kent["cohort"]) == ("reviews_on_time", "Kent", "all")
    assert (kent["window_start"], kent["window_end"], kent["points"]) == ("2018-10", "2019-09", 12)
    assert kent["slope_per_month"] == pytest.approx(1.0)
    assert kent["trend"] == "Improving"
    # the SPC chart has all 13 months (79 to 91): mean 85, moving ranges all 1: limits 82.34 to 87.66; 88 to 91
    # lie above
    assert (kent["spc_points"], kent["mean"], kent["lower_limit"], kent["upper_limit"]) == (
        13, pytest.approx(85.0), pytest.approx(82.34), pytest.approx(87.66),
    )  # fmt: skip
    assert kent["variation"] == "Special cause improving"
    # 2019/20's target is 95%: the upper limit 87.66 is below it
    assert kent["assurance"] == "Consistently missed"
    assert (kent["run_direction"], kent["run_since"], kent["run_length"]) == ("Improving", "2018-09", 12)
    assert kent["since_when"] == "month-on-month improvement since September 2018 when it was 79.0%"


def test_twelve_months_are_too_few_for_spc(returns: Path, catalogue: KpiCatalogue) -> None:
    history = load_history(returns, catalogue, "2019-08")  # 2018-09 to 2019-08: 12 points
    kent = trend_table(history, catalogue, TrendSettings(), "2019-08", ["Kent"]).iloc[0]
    assert (kent["spc_points"], kent["variation"], kent["assurance"]) == (12, "Too few points", "Too few points")
    assert kent["trend"] == "Improving"  # the trend test needs only 6


def test_a_flat_series_is_no_change(returns: Path, catalogue: KpiCatalogue) -> None:
    history = load_history(returns, catalogue, "2019-09")
    flat = trend_table(history, catalogue, TrendSettings(), "2019-09", ["Ashford"]).iloc[0]
    # 2 of 20 = 10% every month: no trend, limits equal to the mean, at the 10% lower-is-better target
    assert (flat["trend"], flat["variation"], flat["assurance"]) == (
        "No clear change",
        "Common cause",
        "Consistently met",
    )
    assert (flat["run_direction"], flat["run_length"]) == ("No run", 0)


def test_a_short_window_says_too_few_points(returns: Path, catalogue: KpiCatalogue) -> None:
    history = load_history(returns, catalogue, "2019-09")
    short = TrendSettings(window=5, spc=SpcRules(window=5))
    row = trend_table(history, catalogue, short, "2019-09", ["Kent"]).iloc[0]
    assert (row["points"], row["trend"], row["variation"], row["assurance"]) == (
        5, "Too few points", "Too few points", "Too few points",
    )  # fmt: skip
    assert pd.isna(row["mean"])


def test_lacperf_trend_writes_the_table(returns: Path, kpis_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "trend.csv"
    args = ["trend", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--window", "6", "--area", "Kent", "--settings", str(naming(tmp_path))])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert table[["kpi_id", "area", "window_start", "points", "trend"]].values.tolist() == [
        ["reviews_on_time", "Kent", "2019-04", 6, "Improving"]
    ]
