"""The `lacperf` command as an analyst runs it: the scorecard CSV, and bad input as one line."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.rate.scorecard import SCORECARD_COLUMNS
from tests.conftest import exited, naming, write_return
from tests.test_scorecard import APRIL, MARCH

runner = CliRunner()


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    write_return(folder, "2019-03", MARCH)
    write_return(folder, "2019-04", APRIL)
    return folder


def scorecard_args(returns: Path, kpis: Path, out: Path, month: str = "2019-04") -> list[str]:
    return ["scorecard", "--returns", str(returns), "--kpis", str(kpis), "--month", month, "--out", str(out),
            "--settings", str(naming(returns.parent))]  # fmt: skip


def test_scorecard_writes_the_tidy_csv(returns: Path, kpis_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "card.csv"
    result = runner.invoke(app, scorecard_args(returns, kpis_file, out))
    assert result.exit_code == 0, result.output
    card = pd.read_csv(out)
    assert list(card.columns[: len(SCORECARD_COLUMNS)]) == list(SCORECARD_COLUMNS)
    assert len(card) == 6  # 2 areas x 3 KPIs
    moves = card.loc[(card["area"] == "Kent") & (card["kpi_id"] == "moves_3plus")].iloc[0]
    # 4 of 40 children: hidden ('c', as the DfE writes it), and so is which way it went from March's 5 of 40 (it
    # would say "fewer than 5") and its rating (Green against 10% would say at most 4 of 40)
    assert (moves["rag"], moves["previous_rag"], moves["direction"]) == ("c", "Red", "Not shown")
    assert (moves["numerator"], moves["denominator"], moves["value"], moves["withheld"]) == ("c", "c", "c", "c")
    assert set(card["edition"]) == {"public"}


def test_the_internal_edition_has_every_figure_and_says_it_is_not_for_publication(
    returns: Path, kpis_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "card.csv"
    result = runner.invoke(app, [*scorecard_args(returns, kpis_file, out), "--edition", "internal"])
    assert result.exit_code == 0, result.output
    assert "internal edition: NOT FOR PUBLICATION" in result.output
    card = pd.read_csv(out)
    moves = card.loc[(card["area"] == "Kent") & (card["kpi_id"] == "moves_3plus")].iloc[0]
    assert (moves["numerator"], moves["denominator"], moves["rag"], moves["direction"]) == (4, 40, "Green", "Improved")
    assert set(card["edition"]) == {"internal: not for publication"}
    refused = runner.invoke(app, [*scorecard_args(returns, kpis_file, out), "--edition", "private"])
    assert refused.exit_code == 2 and "no edition 'private'; the editions are: public, internal" in refused.output


def test_scorecard_for_one_area(returns: Path, kpis_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "ashford.csv"
    result = runner.invoke(app, [*scorecard_args(returns, kpis_file, out), "--area", "Ashford"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["area"]) == {"Ashford"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("2019-04,Kent,nope,1,2,\n", "row 2, column 'kpi_id': 'nope' fails the check: kpi_id is a KPI in the KPI"),
        (
            "2019-04,Kent,reviews_on_time,5,4,\n",
            "row 2, column 'numerator': '5' fails the check: the numerator is at most the denominator",
        ),
        (
            "2019-05,Kent,reviews_on_time,1,4,\n",
            "row 2, column 'month': '2019-05' fails the check: month is the folder's month, 2019-04",
        ),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path: Path, kpis_file: Path, body: str, expected: str) -> None:
    """Run as a user would (a real process), so a traceback would show."""
    path = write_return(tmp_path / "returns", "2019-04", body)
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "lacperf_helpers", *scorecard_args(tmp_path / "returns", kpis_file, out)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    *table, last = result.stderr.strip().splitlines()  # every problem as a table, then the first in a line
    assert last.startswith(f"lacperf: {path}, {expected}")
    assert "1 error(s), 0 warning(s)" in table[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_kpi_file_without_a_target_stops_the_run(returns: Path, tmp_path: Path) -> None:
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text("kpis:\n  - {id: a, title: A, polarity: H, unit: percent, floor: 1, source: return}\n")
    result = runner.invoke(app, scorecard_args(returns, kpis, tmp_path / "x.csv"))
    assert result.exit_code == 2
    assert "line 2, column 'kpis.target': KPI 'a': 'target' is required but missing" in result.output


def test_unknown_area_and_bad_month(returns: Path, kpis_file: Path, tmp_path: Path) -> None:
    no_benchmarks = tmp_path / "benchmarks.csv"
    no_benchmarks.write_text("kpi_id,year,england,statistical_neighbours,source\n")
    args = ["render", "--returns", str(returns), "--kpis", str(kpis_file), "--benchmarks", str(no_benchmarks),
            "--settings", str(naming(tmp_path))]  # fmt: skip
    result = runner.invoke(app, [*args, "--out", str(tmp_path), "--month", "2019-04", "--area", "Deal"])
    assert result.exit_code == 2
    assert "no area 'Deal' in this month's return; areas are: Kent, Ashford" in result.output
    result = runner.invoke(app, [*args, "--out", str(tmp_path), "--month", "April 2019"])
    assert result.exit_code == 2
    assert "is not a month in the form YYYY-MM" in result.output


def test_benchmarks_for_kpis_not_defined_are_a_warning(returns: Path, kpis_file: Path, tmp_path: Path) -> None:
    # the sample's benchmarks name the sample's KPIs, not this fixture's three: they must not stop them (a warning
    # per row in the validation report)
    out = tmp_path / "reports"
    args = ["--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-04",
            "--benchmarks", str(paths.BENCHMARKS_FILE)]  # fmt: skip
    result = runner.invoke(
        app, ["render", *args, "--area", "Kent", "--out", str(out), "--settings", str(naming(tmp_path))]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["validate", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out / "2019-04" / "validation.csv")
    unknown = report.loc[report["file"].str.endswith("benchmarks.csv")]
    assert len(unknown) == 14 and set(unknown["severity"]) == {"warning"}  # each row of another KPI
    assert unknown["value"].iloc[0] == "placement_stability_short"


def test_every_command_explains_itself() -> None:
    commands = ["scorecard", "render", "render-quarter", "trend"]
    for command in (["--help"], *[[c, "--help"] for c in commands], ["kpis", "list", "--help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0
        assert "Usage" in result.output


def test_help_answers_without_the_heavy_libraries_and_reads_whole() -> None:
    # the command's start-up imports only what its help needs: pandas, notebooks and charts load in a command
    probe = (
        "import sys, runpy; sys.argv = ['lacperf', '--help']\n"
        "try:\n    runpy.run_module('lacperf_helpers', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'numpy', 'altair', 'nbconvert', 'papermill', 'jupyter_client', 'pandera', 'scipy')\n"
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    commands = out[out.index("Commands:") :].splitlines()[1:]
    assert len(commands) >= 8
    for line in commands:  # each command's one line is whole, never cut mid-sentence
        assert not line.rstrip().endswith("..."), line
    flags = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "200"}).output
    assert "<bool>" not in flags and "--force " in flags  # a flag reads as a flag


def test_kpis_list(kpis_file: Path) -> None:
    result = runner.invoke(app, ["kpis", "list", "--kpis", str(kpis_file)])
    assert result.exit_code == 0
    assert "moves_3plus" in result.output
    assert "(changes in 2019/20)" in result.output


def test_render_refuses_an_unknown_cohort_and_says_when_a_cohort_has_no_kpi(tmp_path: Path) -> None:
    """One line each and exit 2, never a traceback (render plans as a batch does)."""
    common = ["render", "--returns", str(paths.SAMPLE_RETURNS), "--out", str(tmp_path)]
    unknown = CliRunner().invoke(app, [*common, "--month", "2019-09", "--cohort", "bogus"])
    assert exited(unknown, 2), (unknown.output, unknown.exception)
    assert "no cohort 'bogus'; the cohorts are: all, excluding UASC" in unknown.output
    assert "cohorts.yaml" in unknown.output  # the file that names them
    # the sample's return gives no KPI for UASC only, and 2017-10 has no extract yet
    cohorts = tmp_path / "cohorts.yaml"
    cohorts.write_text("cohorts:\n  - name: all\n  - name: UASC only\n    uasc: true\n")
    early = CliRunner().invoke(app, [*common, "--month", "2017-10", "--cohort", "UASC only", "--cohorts", str(cohorts)])
    assert exited(early, 2), (early.output, early.exception)
    assert "nothing to render: no KPI is measured for the cohort 'UASC only' in 2017-10" in early.output


@pytest.mark.parametrize("command", ["validate", "scorecard", "render", "render-quarter", "trend"])
def test_every_command_that_reads_a_month_names_its_inputs_alike(command: str) -> None:
    flags = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output
    for option in ("--returns", "--kpis", "--settings", "--national", "--cohorts"):
        assert f"{option} " in flags, option


@pytest.mark.parametrize("option", ["--trend", "--trend-settings"])
def test_the_trend_file_is_read_by_either_name(tmp_path: Path, kpis_file: Path, option: str) -> None:
    """--trend, as a run file and Inputs name it; --trend-settings, its first name, still works."""
    trend = tmp_path / "trend.yaml"
    text = paths.TREND_FILE.read_text()
    assert "\nwindow: 12 " in text
    trend.write_text(text.replace("\nwindow: 12 ", "\nwindow: 6 ", 1))
    returns = tmp_path / "returns"
    for number in range(1, 10):  # January to September, a month's return each
        write_return(returns, f"2019-{number:02d}", f"2019-{number:02d},Kent,reviews_on_time,{80 + number},100,\n")
    out = tmp_path / "trend.csv"
    result = runner.invoke(
        app, ["trend", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out),
              option, str(trend)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["window_start"]) == {"2019-04"}  # six months to September
