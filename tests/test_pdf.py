"""`--pdf`: appendices printed for board papers through Debian's Chromium.

In a module of its own: Playwright's sync API cannot start while another module's browser is open.
"""

import asyncio
import json
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.run.pdf import THREAD, Printer
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


def test_a_kept_browser_prints_page_after_page_and_a_failed_page_fails_alone(chromium: Path, tmp_path: Path) -> None:
    pages = []
    for name in ("one", "two"):
        pages.append(tmp_path / f"{name}.html")
        pages[-1].write_text(f"<!doctype html><html><head><title>{name}</title></head><body>{name}</body></html>")
    with Printer() as printer:
        printer.print(pages[0])
        with pytest.raises(Exception, match="ERR_FILE_NOT_FOUND"):
            printer.print(tmp_path / "missing.html")
        printer.print(pages[1], tmp_path / "elsewhere.pdf")
        # the browser runs in a thread of its own: this thread's event loop is left as it was, so the notebook
        # client that runs the next page here finds none running
        with pytest.raises(RuntimeError, match="no running event loop"):
            asyncio.get_running_loop()
        assert printer.launches == 1
    assert (tmp_path / "one.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "elsewhere.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "missing.pdf").exists() and not (tmp_path / "two.pdf").exists()
    assert not [t for t in threading.enumerate() if t.name == THREAD]  # closed with the run
