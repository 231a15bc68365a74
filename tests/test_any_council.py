"""Any council, not Kent: the defaults belong to no council (no notice, no authority's name, no benchmarks), the
authority is taken from the return where the settings do not name it, and a run file's paths are its own.

The second council here is made up from the README alone: its own KPI codes, three areas and the authority,
several months, and no settings of its own."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import load_settings
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.ingest.returns import return_authority
from lacperf_helpers.run.run_file import load_run
from tests.conftest import write_return

# --- a made-up council, written from the README ------------------------------------------------------------

COUNCIL_KPIS = dedent(
    """\
    kpis:
      - id: CIC01
        title: Children in care with an up-to-date care plan
        polarity: H
        unit: percent
        target: 95
        floor: 85
        source: return
      - id: NI62
        title: Children in care with three or more placements in the year
        polarity: L
        unit: percent
        target: 10
        floor: 12
        source: return
      - id: CIC07
        title: Average days from entering care to moving in with an adoptive family
        polarity: L
        unit: days
        target: 426
        floor: 500
        source: return
    """
)
AUTHORITY, AREAS = "Barsetshire", ("Barchester", "Hogglestock", "Plumstead")
MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04")


def council_return(month: str, step: int) -> str:
    """Each area's figures, and the authority's their sum (days: the authority's own average)."""
    plans = {"Barchester": (88 + step, 96), "Hogglestock": (41, 45 + step), "Plumstead": (57 + step, 62)}
    moves = {"Barchester": (9, 96), "Hogglestock": (6 + step, 45 + step), "Plumstead": (5, 62)}
    rows = []
    for kpi, figures in (("CIC01", plans), ("NI62", moves)):
        total = [sum(n for n, _ in figures.values()), sum(d for _, d in figures.values())]
        rows += [f"{month},{AUTHORITY},{kpi},{total[0]},{total[1]},"]
        rows += [f"{month},{area},{kpi},{n},{d}," for area, (n, d) in figures.items()]
    rows += [f"{month},{AUTHORITY},CIC07,,31,{450 - 5 * step}"]
    rows += [f"{month},{area},CIC07,,{d},{v}" for area, (d, v) in
             {"Barchester": (14, 440), "Hogglestock": (9, 470), "Plumstead": (8, 445)}.items()]  # fmt: skip
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("barsetshire")
    for step, month in enumerate(MONTHS):
        write_return(root / "returns", month, council_return(month, step))
    (root / "kpis.yaml").write_text(COUNCIL_KPIS)
    return root


@pytest.fixture(scope="module")
def council_outputs(council: Path) -> Path:
    """Rendered with only --returns, --kpis, the month and --out (what the README says is enough), both editions;
    and the scorecard and trend CSVs."""
    out = council / "reports"
    runner = CliRunner()
    common = ["--returns", str(council / "returns"), "--kpis", str(council / "kpis.yaml"), "--month", MONTHS[-1]]
    for command in (
        ["render", *common, "--out", str(out), "--edition", "public", "--edition", "internal"],
        ["scorecard", *common, "--out", str(out / "scorecard.csv")],
        ["scorecard", *common, "--edition", "internal", "--out", str(out / "scorecard-internal.csv")],
        ["trend", *common, "--out", str(out / "trend.csv")],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    return out


def _written(out: Path) -> dict[Path, str]:
    return {p: p.read_text() for p in sorted(out.rglob("*")) if p.suffix in (".html", ".csv", ".json")}


def test_the_default_settings_name_no_council() -> None:
    settings = load_settings(paths.SETTINGS_FILE)
    assert settings.authority is None and settings.notice == "" and settings.la_code is None
    assert "kent" not in paths.SETTINGS_FILE.read_text().casefold()


def test_nothing_of_kent_or_the_sample_in_another_councils_pages_and_csvs(council_outputs: Path) -> None:
    written = _written(council_outputs)
    for edition in ("public", "internal-not-for-publication"):  # the authority's page, its three areas', the index
        pages = {p.name for p in written if p.suffix == ".html" and p.parent == council_outputs / edition / MONTHS[-1]}
        assert {"barsetshire.html", "barchester.html", "hogglestock.html", "plumstead.html", "index.html"} <= pages
    for path, text in written.items():
        assert "kent" not in text.casefold(), path
        assert "Synthetic sample" not in text and "make_sample" not in text, path
        assert "benchmarks.csv" not in text and "sample-settings" not in text, path


def test_another_council_has_no_benchmarks_unless_given(council_outputs: Path) -> None:
    card = pd.read_csv(council_outputs / "scorecard-internal.csv", dtype=str, keep_default_na=False)
    assert set(card["area"]) == {AUTHORITY, *AREAS}
    for column in ("england", "statistical_neighbours", "region", "benchmark_year"):
        assert set(card[column]) == {""}, column
    page = (council_outputs / "public" / MONTHS[-1] / "barsetshire.html").read_text()
    scorecard = page[
        page.index('<table id="T_scorecard"') : page.index("</table>", page.index('<table id="T_scorecard"'))
    ]
    assert '<th scope="col">Rating<' in scorecard and '<th scope="col">England<' not in scorecard  # no dashes


def test_the_authority_is_taken_from_the_return_named_and_listed_first(council_outputs: Path) -> None:
    card = pd.read_csv(council_outputs / "scorecard.csv", dtype=str, keep_default_na=False)
    assert list(dict.fromkeys(card["area"])) == [AUTHORITY, *AREAS]  # the authority, then its areas A-Z
    page = (council_outputs / "public" / MONTHS[-1] / "barchester.html").read_text()
    assert f"{AUTHORITY}</a>" in page or f">{AUTHORITY}<" in page  # its page is linked by its name
    authority_page = (council_outputs / "public" / MONTHS[-1] / "barsetshire.html").read_text()
    # Hogglestock's 9 of 48 with three or more placements (Red) stands apart from the authority's 11.2% (Amber)
    assert f"Hogglestock 9 of 48 children (18.8%) (Red) against {AUTHORITY}&#39;s 11.2% (Amber)" in authority_page
    assert f"{AUTHORITY} as a whole first" in authority_page
    index = (council_outputs / "public" / MONTHS[-1] / "index.html").read_text()
    at = [index.find(f"{name}.html") for name in ("barsetshire", "barchester", "hogglestock", "plumstead")]
    assert -1 not in at and at == sorted(at), at


# --- the authority, from the return ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "authority"),
    [
        ("2024-04,Barsetshire,CIC01,10,20,\n", "Barsetshire"),  # a council of one area: the return's only area
        # the one area whose counts are the sum of the others', on every KPI all of them give
        ("2024-04,Barchester,CIC01,4,10,\n2024-04,Barsetshire,CIC01,10,25,\n2024-04,Plumstead,CIC01,6,15,\n"
         "2024-04,Barsetshire,CIC07,,9,430\n2024-04,Barchester,CIC07,,5,400\n", "Barsetshire"),
        # full-time equivalents to 1 dp, added up and rounded: within half a post
        ("2024-04,North,staff,10.3,12.1,\n2024-04,South,staff,8.4,9.3,\n2024-04,Shire,staff,18.7,21.5,\n", "Shire"),
    ],
)  # fmt: skip
def test_the_authority_is_the_area_that_is_the_sum_of_the_others(tmp_path: Path, body: str, authority: str) -> None:
    assert return_authority(write_return(tmp_path, "2024-04", body)) == authority


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # areas only: no area is the sum of the others
        ("2024-04,Barchester,CIC01,4,10,\n2024-04,Plumstead,CIC01,6,15,\n", "no area's figures are"),
        # two areas with the same figures: each is the sum of the other
        ("2024-04,Barchester,CIC01,4,10,\n2024-04,Barsetshire,CIC01,4,10,\n",
         "'Barchester' and 'Barsetshire' are each"),
    ],
)  # fmt: skip
def test_a_return_that_does_not_say_which_area_is_the_authority_is_refused(
    tmp_path: Path, body: str, said: str
) -> None:
    path = write_return(tmp_path, "2024-04", body)
    with pytest.raises(InputError) as raised:
        return_authority(path)
    message = str(raised.value)
    assert message.startswith(f"{path}, column 'area': cannot tell which area is the authority as a whole: {said}")
    assert "name it as 'authority:' in a settings file (--settings)" in message


def test_the_authority_named_in_the_settings_is_taken_over_the_return(tmp_path: Path, council: Path) -> None:
    # Hogglestock is no sum of the others, but the council may name it: then it is the authority (and an area)
    settings = tmp_path / "settings.yaml"
    settings.write_text("authority: Hogglestock\n")
    out = tmp_path / "card.csv"
    result = CliRunner().invoke(
        app,
        ["scorecard", "--returns", str(council / "returns"), "--kpis", str(council / "kpis.yaml"),
         "--month", MONTHS[-1], "--settings", str(settings), "--edition", "internal", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out, dtype=str)["area"].iloc[0] == "Hogglestock"


# --- run files --------------------------------------------------------------------------------------------


def test_a_run_files_paths_are_relative_to_its_folder(tmp_path: Path, council: Path) -> None:
    folder = council / "runs"
    folder.mkdir(exist_ok=True)
    run = folder / "ours.yaml"
    run.write_text("months: '2024-04'\nreturns: ../returns\nkpis: ../kpis.yaml\nout: ../reports-batch\n")
    spec = load_run(str(run))
    assert Path(spec.returns) == council / "returns" and Path(spec.kpis) == council / "kpis.yaml"
    assert Path(spec.out) == council / "reports-batch"
    # left out, they are the project's defaults: settings of no council, and no benchmarks
    assert (spec.inputs().settings, spec.inputs().benchmarks) == (paths.SETTINGS_FILE, None)


def test_the_shipped_run_files_still_name_the_sample() -> None:
    for name in ("monthly", "year-of-months"):
        spec = load_run(name)
        assert Path(spec.returns) == paths.SAMPLE_RETURNS and Path(spec.out) == paths.REPORTS
        assert Path(spec.settings) == paths.SAMPLE_SETTINGS_FILE and Path(str(spec.benchmarks)) == paths.BENCHMARKS_FILE
        raw = yaml.safe_load((paths.PARAMETERS / "runs" / f"{name}.yaml").read_text())
        assert raw["settings"] == "../sample-settings.yaml"


def test_batch_takes_settings(tmp_path: Path, council: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text('notice: "Draft for the Corporate Parenting Panel of 12 June"\n')
    run = tmp_path / "run.yaml"
    run.write_text(
        f"months: '2024-04'\nareas: [Barchester]\nreturns: {council / 'returns'}\nkpis: {council / 'kpis.yaml'}\n"
        "out: reports\neditions: [public]\n"
    )
    result = CliRunner().invoke(app, ["batch", str(run), "--settings", str(settings), "--workers", "1"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "reports" / "public" / "2024-04" / "barchester.html").read_text()
    assert "Draft for the Corporate Parenting Panel of 12 June" in page
    manifest = json.loads((tmp_path / "reports" / "public" / "2024-04" / "barchester.json").read_text())
    assert manifest["authority"] == AUTHORITY


def test_a_run_file_names_an_input_by_its_key_and_leaves_the_rest_to_the_project(tmp_path: Path) -> None:
    """Each input file a run file names is read from beside it (the cohorts file by `cohorts_file`: `cohorts`
    lists the cohorts to render); each it leaves out is the project's default, which is no council's."""
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "ours.yaml").write_text(
        'months: "2019-09"\ncohorts: [all]\ncohorts_file: ours-cohorts.yaml\ntrend: t.yaml\n'
    )
    inputs = load_run(str(folder / "ours.yaml")).inputs()
    assert (inputs.cohorts, inputs.trend) == ((folder / "ours-cohorts.yaml").resolve(), (folder / "t.yaml").resolve())
    assert (inputs.returns, inputs.kpis, inputs.settings, inputs.national, inputs.benchmarks) == (
        paths.SAMPLE_RETURNS,
        paths.KPIS_FILE,
        paths.SETTINGS_FILE,
        paths.NATIONAL,
        None,
    )
