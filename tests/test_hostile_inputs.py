"""Hostile, broken and unlucky inputs (issue 26): each ends in one line naming the file (row and column where
there is one) and a non-zero exit, or in the right result; never a traceback, a hang or a silent gap.

Run as root too: root reads any file whatever its mode, so unreadable inputs are made of what root cannot read
either (a FIFO, a folder, a broken link, a link loop); the permission cases are skipped as root, with a reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from lacperf_helpers.cli import app
from lacperf_helpers.config import cache, paths
from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.definitions import KpiCatalogue, load_kpis
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.ingest import returns as returns_module
from lacperf_helpers.ingest.returns import read_return
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.run.run_file import load_run
from tests.conftest import HEADER, copy_sample_month, write_return

ROOT = os.geteuid() == 0
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
CHILDREN = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
KENT = "2019-09,Kent,reviews_on_time,45,50,\n"


def said(result: Result) -> str:
    """The command's last line on stderr: the one line that says what went wrong."""
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else ""


def scorecard(returns: Path, kpis: Path, out: Path, month: str = "2019-09") -> Result:
    args = ["scorecard", "--returns", str(returns), "--kpis", str(kpis), "--month", month, "--out", str(out)]
    return CliRunner().invoke(app, args)


# --- a return that is there but cannot be read is never "no return" -----------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _broken_link(path: Path) -> None:
    path.symlink_to(path.parent / "moved-away.csv")


@pytest.mark.parametrize(
    ("make", "kind"),
    [(_fifo, "cannot be read: it is a FIFO (named pipe), not a regular file (a CSV file)"),
     (_folder, "cannot be read: it is a folder, not a regular file (a CSV file)"),
     (_broken_link, "a symbolic link to a file that does not exist")],
)  # fmt: skip
def test_a_return_that_cannot_be_read_is_an_error_not_no_data(
    tmp_path: Path, kpis_file: Path, make: object, kind: str
) -> None:
    returns = tmp_path / "returns"
    (returns / "2019-09" / "903").mkdir(parents=True)  # the month has SSDA903 data: it was a month before
    path = returns / "2019-09" / "kpi_return.csv"
    make(path)  # type: ignore[operator]
    result = scorecard(returns, kpis_file, tmp_path / "card.csv")
    assert result.exit_code == 2, result.output
    assert said(result) == f"lacperf: {path}: {kind}"
    checked = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", "-"]
    )
    assert checked.exit_code == 2, checked.output
    assert said(checked) == "lacperf: 2019-09: 1 error(s) in the inputs"
    assert kind in checked.output.replace("\n", " ") or "kpi_return.csv" in checked.output


def test_a_month_with_an_extract_and_no_return_says_so(tmp_path: Path, kpis_file: Path) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-08", "2019-08,Kent,reviews_on_time,45,50,\n")
    (returns / "2019-09" / "903").mkdir(parents=True)
    result = scorecard(returns, kpis_file, tmp_path / "card.csv")
    assert result.exit_code == 2, result.output
    # the month's inputs are checked before anything is read for it: the check names the file that is missing
    assert said(result).startswith(f"lacperf: {returns / '2019-09' / 'kpi_return.csv'}")
    assert said(result).endswith(
        "a month with SSDA903 data or an Annex A has its kpi_return.csv too (else its return KPIs read No data)"
    )
    # an earlier month without its return is a warning: a gap in the trend, said
    (returns / "2019-07" / "903").mkdir(parents=True)
    write_return(returns, "2019-09", KENT)
    checked = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", "-"],
        env={"COLUMNS": "400"},
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output
    assert "warning: 1 x a month with SSDA903 data or an Annex A has its kpi_return.csv too (else its return " in (
        checked.output
    )


# --- what an SSDA903 folder may hold --------------------------------------------------------------------------


def _extract(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "episodes.csv").write_text(EPISODES + "001,01/04/2019,S,C2,N1,U1,PR1,,,,,,\n")
    (folder / "header.csv").write_text(CHILDREN + "001,1,01/01/2010,WBRI,,,\n")
    return folder


def problems_of(folder: Path) -> list[tuple[str, object, str, str]]:
    problems = load_903(folder, strict=False).problems
    return [(Path(str(r.file)).name, None if pd.isna(r.row) else int(r.row), r.rule, r.severity)  # type: ignore[arg-type]
            for r in problems.itertuples()]  # fmt: skip


def test_a_fifo_in_the_extract_is_refused_without_waiting(tmp_path: Path) -> None:
    """A FIFO named *.csv waited for a writer for ever: `validate` is run as a process with a time limit."""
    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    os.mkfifo(returns / "2019-09" / "903" / "stuck.csv")
    command = [sys.executable, "-m", "lacperf_helpers", "validate", "--returns", str(returns), "--month", "2019-09",
               "--out", "-"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "lacperf: 2019-09: 1 error(s) in the inputs"
    assert "stuck.csv" in done.stderr and "Traceback" not in done.stderr
    assert time.perf_counter() - started < 120


def test_links_to_devices_broken_links_and_loops_in_the_extract_are_errors(tmp_path: Path) -> None:
    folder = _extract(tmp_path / "2019-09" / "903")
    (folder / "zero.csv").symlink_to("/dev/zero")  # read, it would fill the memory
    (folder / "gone.csv").symlink_to(folder / "nowhere.csv")
    (folder / "loop-a.csv").symlink_to(folder / "loop-b.csv")
    (folder / "loop-b.csv").symlink_to(folder / "loop-a.csv")
    (folder / "inner.csv").mkdir()
    found = [p for p in problems_of(folder) if p[0] not in ("episodes.csv", "header.csv")]
    assert found == [
        ("gone.csv", None, "a symbolic link to a file that does not exist", "error"),
        ("inner.csv", None, "cannot be read: it is a folder, not a regular file (a CSV file)", "error"),
        ("loop-a.csv", None, "cannot be read (a symbolic link in a loop)", "error"),
        ("loop-b.csv", None, "cannot be read (a symbolic link in a loop)", "error"),
        ("zero.csv", None, "cannot be read: it is a device, not a regular file (a CSV file)", "error"),
    ]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _extract(tmp_path / "2019-09" / "903")
    (folder / "huge.csv").write_text(EPISODES + "002,01/04/2019,S,C2,N1,U1,PR1,,,,,,\n" * 200)  # 7 kB
    monkeypatch.setenv(paths.INPUT_LIMIT_ENV, "0.004")  # 4 kB: the limit is a setting
    found = [p for p in problems_of(folder) if p[0] == "huge.csv"]
    assert found == [("huge.csv", None, "is larger than the limit of 0.004 MB for an input (LACPERF_MAX_INPUT_MB)",
                      "error")]  # fmt: skip
    monkeypatch.setenv(paths.INPUT_LIMIT_ENV, "lots")
    with pytest.raises(InputError, match="LACPERF_MAX_INPUT_MB: 'lots' is not a number of megabytes"):
        paths.input_limit()


def test_a_file_name_that_is_not_utf8_is_read_and_reported(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    odd = os.fsdecode(b"caf\xe9-notes.csv")  # a Windows zip's cp1252 name
    (returns / "2019-09" / "903" / odd).write_text("CHILD,NOTE\n1,x\n")  # a table lacperf does not read
    key = cache.cache_key("month", [str(returns / odd)], [returns / "2019-09" / "903" / odd])
    assert key.startswith("month-")
    from lacperf_helpers.run.jobs import fingerprint  # a page's fingerprint hashes its inputs' names

    assert len(fingerprint({"area": "Kent"}, {"code": [], "inputs": [{"file": f"2019-09/903/{odd}", "sha256": "0"}]}))
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["validate", "--returns", str(returns), "--month", "2019-09", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = pd.read_csv(out / "2019-09" / "validation.csv")
    assert report["file"].str.endswith("caf\\udce9-notes.csv").sum() == 1


def test_a_folder_the_user_may_not_enter_is_one_line(tmp_path: Path, kpis_file: Path) -> None:
    if ROOT:
        pytest.skip("root enters any folder whatever its mode: the FIFO, folder and link cases stand for it")
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", KENT)
    (returns / "2019-09").chmod(0)
    try:
        result = scorecard(returns, kpis_file, tmp_path / "card.csv")
    finally:
        (returns / "2019-09").chmod(0o755)
    assert result.exit_code == 2
    assert said(result).startswith(f"lacperf: {returns / '2019-09'}") and "Permission denied" in said(result)


# --- definitions, settings and run files that are not files ------------------------------------------------


@pytest.mark.parametrize("option", ["--kpis", "--settings"])
def test_a_folder_given_as_a_definitions_file_is_one_line(tmp_path: Path, option: str) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", KENT)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    args = ["scorecard", "--returns", str(returns), "--month", "2019-09", "--out", str(tmp_path / "c.csv")]
    result = CliRunner().invoke(app, [*args, option, str(folder)])
    assert result.exit_code == 2, result.output
    assert said(result) == f"lacperf: {folder}: cannot be read: it is a folder, not a regular file (a YAML file)"


def test_a_run_file_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "monthly.yaml"
    folder.mkdir()
    result = CliRunner().invoke(app, ["batch", str(folder)])
    assert result.exit_code == 2, result.output
    assert said(result) == f"lacperf: {folder}: cannot be read: it is a folder, not a regular file (a YAML file)"
    os.mkfifo(tmp_path / "piped.yaml")
    with pytest.raises(InputError, match="it is a FIFO"):
        load_run(str(tmp_path / "piped.yaml"))


# --- misnamed months and returns ----------------------------------------------------------------------------


def test_misnamed_month_folders_and_returns_are_warned_about(tmp_path: Path, kpis_file: Path) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-08", "2019-08,Kent,reviews_on_time,45,50,\n")
    for name in ("2019-9", "2019_09", "2019-09 "):
        write_return(returns, name, KENT)
    (returns / "2019-10").mkdir()
    (returns / "2019-10" / "KPI_Return.csv").write_text(HEADER + "2019-10,Kent,reviews_on_time,45,50,\n")
    (returns / "kpi_return.csv").write_text(HEADER)
    result = scorecard(returns, kpis_file, tmp_path / "card.csv", month="2019-08")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "not read" in line]
    assert warned == [
        f"lacperf: {returns / '2019-09 '}: a folder named like a month but not YYYY-MM: not read (rename it '2019-09')",
        f"lacperf: {returns / '2019-10' / 'KPI_Return.csv'}: named like the return but not 'kpi_return.csv': not "
        "read (rename it)",
        f"lacperf: {returns / '2019-9'}: a folder named like a month but not YYYY-MM: not read (rename it '2019-09')",
        f"lacperf: {returns / '2019_09'}: a folder named like a month but not YYYY-MM: not read (rename it '2019-09')",
        f"lacperf: {returns / 'kpi_return.csv'}: a return not in a month's folder: not read (it belongs in "
        "<YYYY-MM>/kpi_return.csv)",
    ]


# --- what is in a return --------------------------------------------------------------------------------------


def test_a_stray_windows_byte_in_a_utf8_return_names_its_row(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = tmp_path / "2019-09" / "kpi_return.csv"
    path.parent.mkdir()
    path.write_bytes((HEADER + "2019-09,Café,reviews_on_time,9,10,\n").encode() + b"2019-09,Caf\xe9,moves_3plus,1,9,\n")
    with pytest.raises(InputError) as error:
        read_return(path, "2019-09", catalogue)
    assert str(error.value) == (
        f"{path}, row 3: byte 0xe9 is not UTF-8 text, though the rest of the file is: retype the character, or "
        "save the file again as CSV UTF-8"
    )
    path.write_bytes((HEADER + "2019-09,Café,reviews_on_time,9,10,\n").encode("cp1252"))  # all cp1252: read
    assert read_return(path, "2019-09", catalogue)["area"].tolist() == ["Café"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_return_is_read(tmp_path: Path, catalogue: KpiCatalogue, encoding: str) -> None:
    path = tmp_path / "2019-09" / "kpi_return.csv"
    path.parent.mkdir()
    text = HEADER + "2019-09,Café,reviews_on_time,9,10,\n"
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]  # Excel writes one
    path.write_bytes(bom + text.encode(encoding))
    read = read_return(path, "2019-09", catalogue)
    assert read[["area", "numerator", "denominator"]].values.tolist() == [["Café", 9.0, 10.0]]


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\ufeff", "\u2060", "\x07", "\x1b[2J"])
def test_an_invisible_character_in_an_area_is_an_error_naming_the_cell(
    tmp_path: Path, catalogue: KpiCatalogue, invisible: str
) -> None:
    path = write_return(tmp_path, "2019-09", f"{KENT}2019-09,Kent{invisible},moves_3plus,1,9,\n")
    with pytest.raises(InputError) as error:
        read_return(path, "2019-09", catalogue)
    assert str(error.value) == (
        f"{path}, row 3, column 'area': {'Kent' + invisible!r} fails the check: area has no invisible or control "
        "characters (a zero-width space would make another area)"
    )


def test_the_invisible_characters_are_unicodes_own() -> None:
    """The pattern is written out (a scan of Unicode at import would cost a second): it must be Unicode's list."""
    invisible = {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")}
    pattern = re.compile(returns_module.INVISIBLE)
    assert {chr(c) for c in range(0x110000) if pattern.match(chr(c))} == invisible


def test_one_more_comma_on_every_row_than_the_header(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(
        tmp_path, "2019-09", "2019-09,Kent,reviews_on_time,45,50,,\n2019-09,Ashford,moves_3plus,4,40,,\n"
    )
    read = read_return(path, "2019-09", catalogue)  # an empty last cell on every row: as if it were not there
    assert read[["area", "kpi_id", "numerator", "denominator"]].values.tolist() == [
        ["Kent", "reviews_on_time", 45.0, 50.0], ["Ashford", "moves_3plus", 4.0, 40.0]]  # fmt: skip
    path = write_return(
        tmp_path, "2019-09", "2019-09,Kent,reviews_on_time,45,50,,\n2019-09,Ashford,moves_3plus,4,40,,9\n"
    )
    with pytest.raises(InputError) as error:
        read_return(path, "2019-09", catalogue)
    assert str(error.value) == f"{path}, row 3: the row has more cells than the header names (6)"


def test_dates_a_thousand_years_out_are_errors(tmp_path: Path) -> None:
    folder = tmp_path / "2019-09" / "903"
    folder.mkdir(parents=True)
    (folder / "episodes.csv").write_text(
        EPISODES + "001,01/04/2019,S,C2,N1,U1,PR1,,,,,,\n002,01/04/2091,S,C2,N1,U1,PR1,,,,,,\n"
        "003,15/10/2019,S,C2,N1,U1,PR1,,,,,,\n"
    )
    (folder / "header.csv").write_text(CHILDREN + "001,1,01/01/1015,WBRI,,,\n002,1,01/01/2010,WBRI,,,\n"
                                       "003,1,01/01/2010,WBRI,,,\n")  # fmt: skip
    found = [(f, r, rule, s) for f, r, rule, s in problems_of(folder) if "1900" in rule or "month end" in rule]
    assert found == [
        ("header.csv", 2, "DOB is on or after 01/01/1900", "error"),
        ("episodes.csv", 3, "DECOM is not a year after the extract's month end, 30/09/2019", "error"),
        ("episodes.csv", 4, "DECOM is not after the extract's month end, 30/09/2019", "warning"),
    ]


# --- YAML ---------------------------------------------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)  # 9 ** 9 values in a few hundred bytes


@pytest.mark.parametrize("loader", ["kpis", "cohorts", "run"])
def test_yaml_aliases_are_refused_at_once(tmp_path: Path, loader: str) -> None:
    path = tmp_path / "nested.yaml"
    path.write_text(BOMB)
    load = {"kpis": load_kpis, "cohorts": load_cohorts, "run": lambda p: load_run(str(p))}[loader]
    started = time.perf_counter()
    with pytest.raises(InputError) as error:
        load(path)
    assert time.perf_counter() - started < 2
    assert str(error.value) == f"{path}, line 2: uses a YAML alias (*a): write the value out in full where it is needed"


# --- the national tables ------------------------------------------------------------------------------------


def test_a_population_of_0_is_an_input_error(tmp_path: Path) -> None:
    import shutil

    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    national = tmp_path / "national"
    shutil.copytree(paths.NATIONAL, national)
    population = (national / "population.csv").read_text().splitlines()
    header = population[0].split(",")
    at = next(i for i, line in enumerate(population[1:], start=2) if ",E10000016," in f",{line},")  # Kent
    cells = population[at - 1].split(",")
    cells[header.index("population_0_17")] = "0"
    population[at - 1] = ",".join(cells)
    (national / "population.csv").write_text("\n".join(population) + "\n")
    from lacperf_helpers.rate.national import national_problems

    problems = national_problems(national)
    assert problems[["row", "column", "rule", "severity"]].values.tolist() == [
        [at, "population_0_17", "'0' is not a whole number above 0", "error"]
    ]


# --- periods and where to run ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("runs", "expected"),
    [("months: '2019-13'\n", "line 1: '2019-13' is not a month in the form YYYY-MM (e.g. 2019-06)"),
     ("months: '2019-09'\nquarters: ['Q5 2019/20']\n",
      "line 1: 'Q5 2019/20' is not a financial-year quarter in the form 'Q2 2019/20'"),
     ("months: {from: '2019-09', to: '9999-12'}\n",
      "line 1: '9999-12' is not a month a return can be of: the year is 1900 to 2199"),
     ("months: {from: '2019-09', to: '2019-03'}\n", "line 1: the months run backwards: 2019-09 is after 2019-03")],
)  # fmt: skip
def test_a_run_files_bad_periods_are_one_line(tmp_path: Path, runs: str, expected: str) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(runs + f"out: {tmp_path / 'reports'}\n")
    result = CliRunner().invoke(app, ["batch", str(path)])
    assert result.exit_code == 2, result.output
    assert said(result) == f"lacperf: {path}, {expected}"


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1899-12", "2200-01"])
def test_a_month_no_return_can_be_of_is_refused(tmp_path: Path, kpis_file: Path, month: str) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", KENT)
    result = scorecard(returns, kpis_file, tmp_path / "card.csv", month=month)
    assert result.exit_code == 2
    assert said(result) == (
        f"Error: Invalid value for '--month': '{month}' is not a month a return can be of: the year is 1900 to 2199"
        if month != "0000-01"
        else "Error: Invalid value for '--month': '0000-01' is not a month in the form YYYY-MM (e.g. 2019-06)"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("scheduler", "expected"),
    [("nonsense:::", "cannot reach a Dask scheduler at 'nonsense:::': invalid address 'nonsense:::'"),
     ("tcp://127.0.0.1:9", "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9': Timed out trying to connect")],
)  # fmt: skip
def test_a_scheduler_that_cannot_be_reached_is_one_line(
    scheduler: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.run import workers
    from lacperf_helpers.run.jobs import Job

    monkeypatch.setattr(workers, "SCHEDULER_TIMEOUT", "2s")
    job = Job(notebook="scorecard", period="2019-09", area="Kent", cohort="all", out="reports", inputs=Inputs())
    with pytest.raises(InputError) as error:
        list(workers.dask_results([(job, {})], "now", scheduler))
    assert str(error.value).startswith(f"--scheduler: {expected}")


def test_a_web_server_given_as_the_scheduler_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard's address given for the scheduler's: distributed read the web server's reply as a frame's
    length and asked for 3 EiB, a MemoryError's traceback."""
    import socket
    import threading

    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.run import workers
    from lacperf_helpers.run.jobs import Job

    server = socket.create_server(("127.0.0.1", 0))

    def answer_as_a_web_server() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = server.accept()
                with connection:
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=answer_as_a_web_server, daemon=True).start()
    monkeypatch.setattr(workers, "SCHEDULER_TIMEOUT", "5s")
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    job = Job(notebook="scorecard", period="2019-09", area="Kent", cohort="all", out="reports", inputs=Inputs())
    try:
        with pytest.raises(InputError) as error:
            list(workers.dask_results([(job, {})], "now", address))
    finally:
        server.close()
    assert str(error.value) == (
        f"--scheduler: {address!r} answered, but not as a Dask scheduler does: is it the dashboard's address (port "
        "8787 by default) and not the scheduler's (8786)?"
    )


def test_a_client_that_could_not_reach_its_scheduler_is_closed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # left for the garbage collector, it closed itself inside the next client's start, which waited for ever on
    # the lock that start held: a test run hung on the case above
    import gc

    from distributed import Client

    from lacperf_helpers.run import workers

    monkeypatch.setattr(workers, "SCHEDULER_TIMEOUT", "2s")
    gc.collect()
    gc.disable()  # only what dask_results collects is collected
    try:
        with pytest.raises(InputError):
            list(workers.dask_results([], "now", "nonsense:::"))
        assert [o for o in gc.get_objects() if type(o) is Client] == []
    finally:
        gc.enable()


# --- running --------------------------------------------------------------------------------------------------


def test_ctrl_c_with_one_worker_stops_the_run_with_exit_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As with workers: Ctrl-C stops. In this process the kernel's client turned it into an error of the page
    in hand (nbclient: "AssertionError: "), which marked that page failed and went on to render every other."""
    import signal

    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.run import plan
    from lacperf_helpers.run.jobs import Job

    rendered: list[str] = []

    def interrupted(out_dir: object, period: object, area: str, **kwargs: object) -> Path:
        rendered.append(area)
        try:
            os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C, while the page's notebook runs
            time.sleep(5)
        except KeyboardInterrupt:
            raise AssertionError("") from None  # what reached lacperf
        return tmp_path

    jobs = [Job(notebook="scorecard", period="2019-09", area=area, cohort="all", out=str(tmp_path / "reports"),
                inputs=Inputs())
            for area in ("Kent", "South Kent", "West Kent")]  # fmt: skip
    monkeypatch.setattr("lacperf_helpers.run.render.render_appendix", interrupted)
    monkeypatch.setattr(plan, "plan_pages", lambda *args, **kwargs: jobs)
    # as it was: Python's own handler, or "ignored" where the tests were started in the background by a shell
    # without job control (`make test &` in a script), which Python then leaves as it is
    before = signal.getsignal(signal.SIGINT)
    result = CliRunner().invoke(
        app, ["render", "--returns", str(paths.SAMPLE_RETURNS), "--month", "2019-09", "--workers", "1", "--out",
              str(tmp_path / "reports")],
    )  # fmt: skip
    assert result.exit_code == 130, result.output
    assert said(result) == "lacperf: interrupted: stopped (pages made so far are whole, the rest not made)"
    assert rendered == ["Kent"]
    assert signal.getsignal(signal.SIGINT) is before  # put back as it was


def test_a_cache_that_cannot_be_used_is_said_once_and_done_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    monkeypatch.setenv(cache.CACHE_ENV, str(a_file))
    monkeypatch.setattr(cache, "_UNUSABLE", set())
    with caplog.at_level("WARNING", logger="lacperf"):
        cache.store("month-x", {"figures": 1})
        assert cache.load("month-x") is None and not cache.has("month-x")
    assert [r.getMessage() for r in caplog.records] == [
        f"the cache folder {a_file} cannot be used (it is a file, not a folder): carrying on without the cache "
        "(LACPERF_CACHE_DIR names another; 'off' stops it)"
    ]
    assert os.environ[cache.CACHE_ENV] == "off"  # the run's workers and kernels inherit it: said once
    # a home folder that cannot be written (a service account's): the secret that signs entries has nowhere to go
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(a_file / "config"))
    cache._secret.cache_clear()
    caplog.clear()
    with caplog.at_level("WARNING", logger="lacperf"):
        cache.store("month-x", {"figures": 1})
        assert cache.load("month-x") is None
    cache._secret.cache_clear()
    assert len(caplog.records) == 1 and "cannot be used (Not a directory)" in caplog.records[0].getMessage()


def test_stray_json_in_a_report_folder_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from lacperf_helpers.run.index_pages import write_indexes

    folder = tmp_path / "reports" / "2019-09"
    folder.mkdir(parents=True)
    (folder / "kent.html").write_text("<p>Kent</p>")
    page = {"fingerprint": "f", "html": "kent.html", "period": "2019-09", "area": "Kent", "cohort": "all",
            "ratings": {"Green": 1, "Amber": 0, "Red": 0, "Not rated": 0}, "made_at": "now"}  # fmt: skip
    (folder / "kent.json").write_text(json.dumps(page))
    (folder / "list.json").write_text("[1, 2]")
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00{")
    (folder / "settings.json").write_text('{"fingerprint": 1}')
    (folder / "escape.json").write_text(json.dumps({**page, "html": "../../etc/passwd"}))
    with caplog.at_level("WARNING", logger="lacperf"):
        write_indexes(tmp_path / "reports")
        write_indexes(tmp_path / "reports")  # and the next batch's too
    index = (folder / "index.html").read_text()
    assert 'href="kent.html"' in index and "passwd" not in index
    warned = sorted({r.getMessage().split(":")[0] for r in caplog.records})
    assert warned == [str(folder / f"{name}.json") for name in ("binary", "escape", "list", "settings")]


def test_a_pages_manifest_names_files_relative_to_the_project() -> None:
    from lacperf_helpers.run.jobs import Job

    sample = Inputs.of(settings=paths.SAMPLE_SETTINGS_FILE, benchmarks=paths.BENCHMARKS_FILE)
    manifest = Job(
        notebook="scorecard", period="2019-09", area="Kent", cohort="all", out="reports", inputs=sample
    ).manifest("now")
    files = {k: v for k, v in manifest["parameters"].items() if k.endswith(("_file", "_dir"))}
    assert files == {"returns_dir": "data/sample", "kpis_file": "parameters/kpis.yaml",
                     "settings_file": "parameters/sample-settings.yaml", "trend_file": "parameters/trend.yaml",
                     "benchmarks_file": "parameters/benchmarks.csv", "national_dir": "parameters/national",
                     "cohorts_file": "parameters/cohorts.yaml", "published_dir": ""}  # fmt: skip
    assert str(paths.PROJECT_ROOT) not in json.dumps(manifest)


def test_a_pages_manifest_names_a_file_outside_the_project_by_its_own_name_only(tmp_path: Path) -> None:
    from lacperf_helpers.run.jobs import Job

    returns = tmp_path / "home" / "a.user" / "returns"
    shutil.copytree(paths.SAMPLE_RETURNS, returns)
    inputs = Inputs.of(returns=returns, settings=paths.SAMPLE_SETTINGS_FILE, published=tmp_path / "published")
    job = Job(notebook="scorecard", period="2019-09", area="Kent", cohort="all", out="reports", inputs=inputs)
    manifest = job.manifest("now")
    parameters = manifest["parameters"]
    assert (parameters["returns_dir"], parameters["published_dir"]) == (".../returns", ".../published")
    assert "a.user" not in json.dumps(manifest) and len(manifest["inputs"]) > 10  # the returns' files, by name


def test_a_rendered_page_says_nothing_of_where_the_checkout_is(rendered: Path) -> None:
    for page in (rendered / "2019-09").glob("*.html"):
        assert str(paths.PROJECT_ROOT) not in page.read_text(), page


def test_a_page_of_thousands_of_areas_lists_a_bounded_number_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from lacperf_helpers.present import present
    from lacperf_helpers.present.appendix import load_appendix

    monkeypatch.setattr(present, "AREAS_ON_A_PAGE", 2)  # the sample's 5 areas stand for 5,000
    page = load_appendix("2019-09", "West Kent")
    areas = str(present.areas_table(page))
    columns = re.findall(r'<th scope="col">([^<]*)', areas)
    assert columns == ["KPI", "Kent", "West Kent (this page)"]  # the authority and this page's own
    assert "3 more area(s) are not listed on this page: each has its own page (see every page of the month)" in areas
    links = str(present.navigation(page)).split("by area:</strong>")[1].split("</p>")[0]
    assert links == (' <a href="kent.html">Kent</a> · <span aria-current="page">West Kent</span> · '
                     '<a href="index.html">and 3 more: every page of the period</a>')  # fmt: skip


def test_a_test_run_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in (cache.CACHE_ENV, "LACPERF_DFE_ENV")}
    command = [sys.executable, "-m", "pytest", "tests/test_periods.py", "-q", "-p", "no:cacheprovider",
               f"--basetemp={tmp_path / 'pytest'}"]  # fmt: skip
    done = subprocess.run(command, cwd=paths.PROJECT_ROOT, env={**env, "TMPDIR": str(temporary)},
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in temporary.iterdir()) == []
