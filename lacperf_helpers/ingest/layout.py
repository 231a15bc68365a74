"""Where a month's files are among the returns: `<returns>/<YYYY-MM>/kpi_return.csv` and
`<returns>/<YYYY-MM>/903/`. Reads no file, imports no table library: a re-run that finds nothing changed
needs no more than this.

A folder or file that looks like a month or a return but is not named as one (`2019-2`, `2019_02`,
`2019-02 `, `KPI_Return.csv`) would be passed over, and its month read "No data": each is warned about,
once per run, by `misnamed`."""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

from lacperf_helpers.config.periods import is_month

RETURN_FILE = "kpi_return.csv"
SSDA903_FOLDER = "903"
ANNEX_A_FOLDER = "annex_a"  # Ofsted's Annex A: the workbook, or one CSV per list
VALIDATION_CSV, VALIDATION_PAGE = "validation.csv", "validation.html"  # beside each period's pages

log = logging.getLogger("lacperf.layout")
# a year and a month, however written: 2019-2, 2019_02, 2019.02, 2019 02, 201902, with spaces around
_LOOKS_LIKE_MONTH = re.compile(r"^\s*(\d{4})\s*[-_./ ]?\s*(\d{1,2})\s*$")
_LOOKS_LIKE_RETURN = re.compile(r"^\s*kpi[\s_-]*returns?\s*(\.csv)?\s*$", re.IGNORECASE)
_WARNED: set[str] = set()


def return_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / RETURN_FILE


def ssda903_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / SSDA903_FOLDER


def annex_a_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / ANNEX_A_FOLDER


def annex_a_files(folder: Path) -> list[Path]:
    """The files of an Annex A folder (the workbook, the lists' CSVs, the area files)."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".xlsx", ".csv", ".xlsm", ".xls"))
    except OSError:
        return []


def extract_files(folder: Path) -> list[Path]:
    """The CSV files of an SSDA903 folder, whatever they are (a link, a FIFO: the reader says what is wrong)."""
    try:
        return sorted(folder.glob("*.csv"))
    except OSError:  # the folder cannot be listed: the reader says so when it opens it
        return []


def month_files(returns_dir: str | Path, month: str) -> list[Path]:
    """The regular files a month's figures come from: its return and its SSDA903 extract (anything else there,
    a FIFO or a broken link, is reported when the month is read, never hashed)."""
    files = [
        return_path(returns_dir, month),
        *extract_files(ssda903_path(returns_dir, month)),
        *annex_a_files(annex_a_path(returns_dir, month)),
    ]
    return [f for f in files if is_regular(f)]


def is_regular(path: Path) -> bool:
    """A regular file (through a link); False for a FIFO, device, folder, broken link or what cannot be seen."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def exists(path: Path) -> bool:
    """Whether anything is at `path`: a file, a folder, a FIFO, a link (even a broken one)."""
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _has_month(folder: Path) -> bool:
    try:
        return exists(folder / RETURN_FILE) or (folder / SSDA903_FOLDER).is_dir() or (folder / ANNEX_A_FOLDER).is_dir()
    except OSError:  # a month folder that cannot be entered: a month, whose reading says so
        return True


def available_months(returns_dir: str | Path) -> list[str]:
    """Months with a return file (of any kind: one that cannot be read is an error, not a month without one)
    or an SSDA903 extract, oldest first. Folders and files misnamed as months or returns are warned about."""
    root = Path(returns_dir)
    try:
        entries = list(root.iterdir()) if root.is_dir() else []
    except OSError:
        return []
    for said in misnamed(entries):
        if said not in _WARNED:
            _WARNED.add(said)
            log.warning("%s", said)
    return sorted(p.name for p in entries if is_month(p.name) and _has_month(p))


def misnamed(entries: list[Path]) -> list[str]:
    """What among a returns folder's entries looks like a month or a return but is not named as one."""
    said = []
    for entry in sorted(entries):
        name = entry.name
        match = _LOOKS_LIKE_MONTH.match(name)
        if match and not is_month(name):
            year, number = match.groups()
            meant = f"{year}-{int(number):02d}" if 1 <= int(number) <= 12 else "YYYY-MM"
            said.append(f"{entry}: a folder named like a month but not YYYY-MM: not read (rename it {meant!r})")
        elif _LOOKS_LIKE_RETURN.match(name):
            said.append(f"{entry}: a return not in a month's folder: not read (it belongs in <YYYY-MM>/{RETURN_FILE})")
        if is_month(name) and entry.is_dir():
            said += _misnamed_inside(entry)
    return said


def _misnamed_inside(month: Path) -> list[str]:
    try:
        names = sorted(p.name for p in month.iterdir())
    except OSError:
        return []
    return [
        f"{month / name}: named like the return but not {RETURN_FILE!r}: not read (rename it)"
        for name in names
        if name != RETURN_FILE and _LOOKS_LIKE_RETURN.match(name)
    ]
