"""A council's own KPI catalogue, with its codes written as councils write them (CIC01, NI62, SCS-07, cp_2.1),
runs through every command with no option but the returns, the KPIs, the period and where to write."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import load_kpis
from lacperf_helpers.config.errors import InputError

QUARTER_MONTHS = ("2019-07", "2019-08", "2019-09")
runner = CliRunner()


def council_code(number: int) -> str:
    """CIC01, NI62, SCS-07, cp_2.1 and the like, in turn."""
    return [f"CIC{number:02d}", f"NI{60 + number}", f"SCS-{number:02d}", f"cp_{number // 10}.{number % 10}"][number % 4]


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The sample's quarter with every KPI renamed to a council-style code, in the catalogue and the returns."""
    root = tmp_path_factory.mktemp("council")
    catalogue = yaml.safe_load(paths.KPIS_FILE.read_text())
    codes = {kpi["id"]: council_code(n) for n, kpi in enumerate(catalogue["kpis"], start=1)}
    for kpi in catalogue["kpis"]:
        kpi["id"] = codes[kpi["id"]]
    kpis = root / "our-kpis.yaml"
    kpis.write_text(yaml.safe_dump(catalogue, sort_keys=False))
    returns = root / "returns"
    for month in QUARTER_MONTHS:
        shutil.copytree(paths.SAMPLE_RETURNS / month, returns / month)
        path = returns / month / "kpi_return.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["kpi_id"] = frame["kpi_id"].map(codes)
        frame.to_csv(path, index=False)
    return returns, kpis, codes


def test_the_codes_are_as_councils_write_them(council: tuple[Path, Path, dict[str, str]]) -> None:
    _, kpis, codes = council
    assert {"CIC04", "NI61", "SCS-02", "cp_0.3"} <= set(codes.values())
    assert load_kpis(kpis).ids == list(codes.values())


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["CIC01", "cic01"], "KPI ids 'CIC01' and 'cic01' differ only by case"),
        (["CIC01", "CIC01"], "KPI id 'CIC01' is listed twice"),
        (["CIC 01"], "String should match pattern"),
        (["-CIC01"], "String should match pattern"),
    ],
)
def test_ids_that_would_confuse_are_refused(tmp_path: Path, ids: list[str], message: str) -> None:
    entries = [
        {"id": kpi_id, "title": "T", "polarity": "H", "unit": "percent", "target": 90, "floor": 80, "source": "return"}
        for kpi_id in ids
    ]
    path = tmp_path / "kpis.yaml"
    path.write_text(yaml.safe_dump({"kpis": entries}))
    with pytest.raises(InputError, match=re.escape(message)):
        load_kpis(path)


def test_every_command_with_only_returns_kpis_and_period(
    council: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    returns, kpis, codes = council
    given = ["--returns", str(returns), "--kpis", str(kpis)]
    out = tmp_path / "reports"

    result = runner.invoke(app, ["scorecard", *given, "--month", "2019-09", "--out", str(tmp_path / "card.csv")])
    assert result.exit_code == 0, result.output
    card = pd.read_csv(tmp_path / "card.csv")
    assert set(card["kpi_id"]) == set(codes.values())

    result = runner.invoke(app, ["trend", *given, "--month", "2019-09", "--out", str(tmp_path / "trend.csv")])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(tmp_path / "trend.csv")["kpi_id"]) == set(codes.values())

    # No benchmarks unless named; the sample's, named, names none of these KPIs: a warning in the report, no error
    result = runner.invoke(app, ["validate", *given, "--month", "2019-09", "--out", str(out / "none")])
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out / "none" / "2019-09" / "validation.csv")
    assert not report["file"].str.endswith("benchmarks.csv").any()
    sample = ["--benchmarks", str(paths.BENCHMARKS_FILE)]
    result = runner.invoke(app, ["validate", *given, *sample, "--month", "2019-09", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out / "2019-09" / "validation.csv")  # `validate` writes it where --out says
    unknown = report.loc[report["rule"].str.startswith("kpi_id is a KPI in the KPI definitions")]
    assert (
        len(unknown)
        and set(unknown["severity"]) == {"warning"}
        and set(unknown["file"].map(lambda f: Path(f).name)) == {"benchmarks.csv"}
    )

    result = runner.invoke(app, ["render", *given, "--month", "2019-09", "--area", "South Kent", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "public" / "2019-09" / "south-kent.html").read_text()
    assert "Care leavers given their health history at 18" in page and "Of the 24 KPIs" in page

    result = runner.invoke(
        app, ["render-quarter", *given, "--quarter", "Q2 2019/20", "--area", "Kent", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "public" / "2019-20-q2" / "kent.html").is_file()

    batch_out = tmp_path / "batch"
    result = runner.invoke(
        app, ["batch", *given, "--months", "2019-09", "--area", "West Kent", "--out", str(batch_out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((batch_out / "public" / "2019-09" / "west-kent.json").read_text())
    assert "our-kpis.yaml" in {Path(i["file"]).name for i in manifest["inputs"]}
