"""`--pdf`: appendices printed for board papers through Debian's Chromium.

In a module of its own: Playwright's sync API cannot start while another module's browser is open.
"""

import json
from pathlib import Path

from typer.testing import CliRunner

from lacperf_helpers.cli import app
from tests.conftest import naming, write_return
from tests.test_scorecard import APRIL, MARCH


def test_render_pdf_for_board_papers(chromium: Path, tmp_path: Path, kpis_file: Path) -> None:
    write_return(tmp_path / "returns", "2019-03", MARCH)
    write_return(tmp_path / "returns", "2019-04", APRIL)
    benchmarks = tmp_path / "benchmarks.csv"
    benchmarks.write_text("kpi_id,year,england,statistical_neighbours,source\n")
    result = CliRunner().invoke(
        app,
        ["render", "--returns", str(tmp_path / "returns"), "--kpis", str(kpis_file), "--benchmarks", str(benchmarks),
         "--month", "2019-04", "--area", "Ashford", "--out", str(tmp_path / "out"), "--pdf",
         "--settings", str(naming(tmp_path))],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / "public" / "2019-04" / "ashford.pdf"
    assert json.loads(pdf.with_suffix(".json").read_text())["pdf"] == "ashford.pdf"  # the index links it
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
