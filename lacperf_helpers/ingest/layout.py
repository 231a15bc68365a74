"""Where a month's files are among the returns: `<returns>/<YYYY-MM>/kpi_return.csv` and
`<returns>/<YYYY-MM>/903/`. Reads no file, imports no table library: a re-run that finds nothing changed
needs no more than this."""

from __future__ import annotations

from pathlib import Path

from lacperf_helpers.config.periods import is_month

RETURN_FILE = "kpi_return.csv"
SSDA903_FOLDER = "903"
VALIDATION_CSV, VALIDATION_PAGE = "validation.csv", "validation.html"  # beside each period's pages


def return_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / RETURN_FILE


def ssda903_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / SSDA903_FOLDER


def month_files(returns_dir: str | Path, month: str) -> list[Path]:
    """The files a month's figures come from: its return and its SSDA903 extract."""
    files = [return_path(returns_dir, month), *sorted(ssda903_path(returns_dir, month).glob("*.csv"))]
    return [f for f in files if f.is_file()]


def available_months(returns_dir: str | Path) -> list[str]:
    """Months with a return file or an SSDA903 extract, oldest first."""
    root = Path(returns_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if is_month(p.name) and ((p / RETURN_FILE).is_file() or (p / SSDA903_FOLDER).is_dir())
    )
