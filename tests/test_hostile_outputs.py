"""What lacperf writes cannot be turned against the person who opens it (no live spreadsheet formulas), nor
replace what is not its own (a device, a FIFO, a link), and a write that fails is one line naming the file."""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.errors import OutputError
from lacperf_helpers.config.formatting import slug
from lacperf_helpers.config.paths import csv_text, spreadsheet_safe, write_atomically
from tests.conftest import exited, naming, write_return

FORMULA = '=HYPERLINK("http://example.invalid/x","Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-4.5", "-4.5"),  # a number stays a number
        ("+12", "+12"),
        ("South Kent", "South Kent"),
        (12.5, 12.5),
    ],
)
def test_a_cell_that_would_be_a_formula_stays_text(cell: object, written: object) -> None:
    assert spreadsheet_safe(cell) == written


def test_csv_text_leaves_numbers_alone() -> None:
    frame = pd.DataFrame({"area": [FORMULA, "Kent"], "change": [-3.0, 2.0], "note": ["-1", "@x"]})
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows == [["area", "change", "note"], ["'" + FORMULA, "-3.0", "-1"], ["Kent", "2.0", "'@x"]]


def test_csv_text_guards_a_header_and_a_cell_and_leaves_the_callers_frame_as_it_was() -> None:
    frame = pd.DataFrame({"=area": ["Kent", "=HYPERLINK()"], "kpi": ["a", None], "rag": pd.array(["G", pd.NA])})
    before = frame.copy()
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows == [["'=area", "kpi", "rag"], ["Kent", "a", "G"], ["'=HYPERLINK()", "", ""]]
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not guarded in place


def test_the_scorecard_csv_carries_no_formula(tmp_path: Path, kpis_file: Path) -> None:
    returns = tmp_path / "returns"
    area = FORMULA.replace(chr(34), chr(34) * 2)
    write_return(returns, "2019-09", f'2019-09,Kent,reviews_on_time,9,10,\n2019-09,"{area}",reviews_on_time,9,10,\n')
    out = tmp_path / "card.csv"
    args = ["scorecard", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out),
            "--settings", str(naming(tmp_path))]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(out.open()) for cell in row]
    assert "'" + FORMULA in cells
    assert not [
        c for c in cells if c[:1] in ("=", "@", "\t", "\r") or (c[:1] != "" and c[0] in "+-" and not c[1:2].isdigit())
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--months", "2019-13", "lacperf: --months '2019-13': "),
        ("--months", "2019-09:2019-03", "the range runs backwards: 2019-09 is after 2019-03"),
        ("--quarter", "Q5 2019/20", "lacperf: --quarter 'Q5 2019/20': "),
    ],
)
def test_a_bad_batch_period_is_one_line_and_exit_2(option: str, value: str, message: str) -> None:
    result = CliRunner().invoke(app, ["batch", "monthly", option, value])
    assert exited(result, 2), result.exception  # the CLI's one line, not a crash
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_console_markup_in_an_input_is_printed_as_it_is(tmp_path: Path, kpis_file: Path) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", "2019-09,Kent,reviews_on_time,[/b]nine[bold],10,\n")
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", "-"]
    )
    assert result.exit_code == 2, result.output
    assert "[/b]nine[bold]" in result.output.replace("\n", "") or "[/b]nine" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("area", "name"),
    [("South Kent", "south-kent"), ("Index", "area-index"), ("VALIDATION", "area-validation"), ("..", "area"),
     ("???", "area"), ("../../etc", "etc")],
)  # fmt: skip
def test_an_area_never_names_a_reserved_page_or_a_path(area: str, name: str) -> None:
    assert slug(area) == name


def test_a_long_area_name_is_shortened_and_stays_apart_from_another() -> None:
    one, other = "North " + "x" * 240 + " one", "North " + "x" * 240 + " two"
    assert len(slug(one)) <= 80 and len(slug(other)) <= 80
    assert slug(one) != slug(other) and slug(one).startswith("north-xxx")


@pytest.mark.parametrize("twin", ["south-kent", "SOUTH KENT", "South  Kent!"])
def test_two_areas_that_make_one_file_name_are_refused_naming_both(tmp_path: Path, kpis_file: Path, twin: str) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", f"2019-09,Kent,reviews_on_time,30,40,\n2019-09,South Kent,reviews_on_time,10,15,\n"
                 f"2019-09,{twin},reviews_on_time,20,25,\n")  # fmt: skip
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["render", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out)],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    assert exited(result, 2), (result.output, result.exception)
    assert "'South Kent'" in result.output and repr(twin) in result.output and "south-kent.html" in result.output
    assert not list(out.rglob("*.html")) or not (out / "2019-09" / "south-kent.html").exists()


# --- where outputs go (issue 26) -------------------------------------------------------------------------------


def _said(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def _scorecard(returns: Path, kpis: Path, out: Path) -> Result:
    args = ["scorecard", "--returns", str(returns), "--kpis", str(kpis), "--month", "2019-09", "--out", str(out)]
    return CliRunner().invoke(app, args)


@pytest.fixture
def one_month(tmp_path: Path) -> Path:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", "2019-09,Kent,reviews_on_time,45,50,\n")
    return returns


def test_an_out_that_is_a_fifo_a_device_or_a_link_is_never_replaced(
    tmp_path: Path, one_month: Path, kpis_file: Path
) -> None:
    fifo, link, target = tmp_path / "fifo.csv", tmp_path / "link.csv", tmp_path / "theirs.csv"
    os.mkfifo(fifo)
    target.write_text("someone else's\n")
    link.symlink_to(target)
    device = tmp_path / "null.csv"
    device.symlink_to("/dev/null")
    for out, kind in ((fifo, "a FIFO (named pipe)"), (link, "a symbolic link"), (device, "a symbolic link"),
                      (Path("/dev/null"), "a device")):  # fmt: skip
        result = _scorecard(one_month, kpis_file, out)
        assert result.exit_code == 2, result.output
        assert _said(result) == f"lacperf: {out}: cannot be written: it is {kind}, not a regular file"
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink() and device.is_symlink()
    assert target.read_text() == "someone else's\n" and stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    with pytest.raises(OutputError, match="it is a folder"):
        write_atomically(tmp_path, "x")


def test_an_out_under_a_regular_file_is_one_line(tmp_path: Path, one_month: Path, kpis_file: Path) -> None:
    (tmp_path / "a-file").write_text("")
    result = _scorecard(one_month, kpis_file, tmp_path / "a-file" / "card.csv")
    assert result.exit_code == 2
    assert _said(result) == (
        f"lacperf: {tmp_path / 'a-file' / 'card.csv'}: cannot be written (Not a directory: a part of the path is a "
        "file, not a folder)"
    )
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(one_month), "--month", "2019-09", "--out", str(tmp_path / "a-file")]
    )
    assert result.exit_code == 2
    assert _said(result).startswith(f"lacperf: {tmp_path / 'a-file' / '2019-09'}") and "Not a directory" in _said(
        result
    )


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "No space left on device"),
                                              (errno.EROFS, "Read-only file system")])  # fmt: skip
def test_a_full_disk_or_a_read_only_folder_is_one_line_naming_the_file(
    tmp_path: Path, one_month: Path, kpis_file: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    real_replace = os.replace

    def failing(source: object, target: object) -> None:
        if str(target).endswith((".csv", ".html")):
            raise OSError(code, os.strerror(code))  # as a write on a full disk: no file named
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(paths.os, "replace", failing)
    out = tmp_path / "card.csv"
    result = _scorecard(one_month, kpis_file, out)
    assert result.exit_code == 2
    assert _said(result) == f"lacperf: {out}: cannot be written ({reason})"
    assert not out.exists() and not list(tmp_path.glob(".card.csv.*"))  # nothing half-written left
    checked = CliRunner().invoke(
        app, ["validate", "--returns", str(one_month), "--month", "2019-09", "--out", str(tmp_path / "reports")]
    )
    assert checked.exit_code == 2
    assert (
        _said(checked)
        == f"lacperf: {tmp_path / 'reports' / '2019-09' / 'validation.csv'}: cannot be written ({reason})"
    )


def test_a_page_that_cannot_be_written_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills as the page is written: the OSError names no file ('No space left on device (None)')."""
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.run.jobs import FAILED, Job, run_job

    page = tmp_path / "reports" / "2019-09" / "kent.html"

    def writes_the_page(*args: object, **kwargs: object) -> Path:
        paths.write_atomically(page, "<p>Kent</p>")
        return page

    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("lacperf_helpers.run.render.render_appendix", writes_the_page)
    monkeypatch.setattr(paths.os, "replace", full)
    job = Job(
        notebook="scorecard",
        period="2019-09",
        area="Kent",
        cohort="all",
        out=str(tmp_path / "reports"),
        inputs=Inputs(),
    )
    result = run_job(job, "now", manifest={"fingerprint": "x"})
    assert (result.status, result.message) == (FAILED, f"{page}: cannot be written (No space left on device)")
    assert not page.exists() and not list(page.parent.glob(".kent.html.*.tmp"))  # no half-written page left


@pytest.mark.parametrize("command", ["scorecard", "trend"])
def test_see_validation_csv_means_one_is_written(tmp_path: Path, kpis_file: Path, command: str) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", "2019-09,Kent,reviews_on_time,x,50,\n2019-09,Kent,moves_3plus,y,40,\n")
    out = tmp_path / "out" / f"{command}.csv"
    args = [command, "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert _said(result).endswith("(and 1 more error(s): see validation.csv)")
    report = pd.read_csv(out.parent / "validation.csv")
    assert report["value"].tolist() == ["x", "y"] and (out.parent / "validation.html").is_file()
    assert not out.exists()


def test_escape_and_bell_characters_are_printed_escaped(tmp_path: Path, kpis_file: Path) -> None:
    kpis = tmp_path / "odd.yaml"
    kpis.write_text(kpis_file.read_text().replace("title: Reviews held on time", 'title: "Reviews\\e[2J held\\a"'))
    listed = CliRunner().invoke(app, ["kpis", "list", "--kpis", str(kpis)])
    assert listed.exit_code == 0
    assert "Reviews\\x1b[2J held\\x07" in listed.output and "\x1b" not in listed.output and "\x07" not in listed.output
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", "2019-09,Kent,reviews_on_time,45,50,\n")
    result = CliRunner().invoke(
        app, ["render", "--returns", str(returns), "--kpis", str(kpis), "--month", "2019-09",
              "--area", "Ke\x1b[2Jnt\x07", "--out", str(tmp_path / "reports")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert _said(result).endswith("no area 'Ke\\x1b[2Jnt\\x07' in this month's return; areas are: Kent")
