"""Where things are (every default path, relative to the project root), and writing a file whole or not at all."""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a CSV is written: `lacperf --help` needs none of it
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
SCORECARD_NOTEBOOK = NOTEBOOKS / "scorecard.ipynb"
QUARTERLY_NOTEBOOK = NOTEBOOKS / "quarterly.ipynb"
PARAMETERS = PROJECT_ROOT / "parameters"
KPIS_FILE = PARAMETERS / "kpis.yaml"
SETTINGS_FILE = PARAMETERS / "settings.yaml"
TREND_FILE = PARAMETERS / "trend.yaml"
BENCHMARKS_FILE = PARAMETERS / "benchmarks.csv"
COHORTS_FILE = PARAMETERS / "cohorts.yaml"  # named cohorts and the breakdowns of the file's own
PANEL_COHORTS_FILE = PARAMETERS / "cohorts-panel.yaml"  # more cohorts, as panels ask: the explorer's
NATIONAL = PARAMETERS / "national"  # the DfE's local-authority tables and statistical neighbours
SAMPLE_RETURNS = PROJECT_ROOT / "data" / "sample"
REPORTS = PROJECT_ROOT / "reports"


def or_default(path: str | Path | None, default: Path) -> Path:
    """A path a person gave (blank: the project's default)."""
    return Path(path) if path not in (None, "") else default


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so a reader sees the old file or the new one, never a partial one."""
    write_atomically_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    current = os.umask(0o077)  # the only way to read it is to set it: put it straight back
    os.umask(current)
    return current


def write_atomically_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` whole or not at all. Its mode is `mode` (the cache: 0600), else what the user's umask
    gives a new file, as any program's output would have."""
    mode = 0o666 & ~_umask() if mode is None else mode
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)  # mkstemp makes it private whatever the umask
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# A cell a spreadsheet would read as a formula (OWASP's CSV injection advice): =, +, -, @, tab, carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def spreadsheet_safe(value: object) -> object:
    """A text cell that would start a formula, with a ' in front so it stays text; numbers as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV for people to open in a spreadsheet: no text cell can run as a formula."""
    from pandas.api.types import is_numeric_dtype

    safe = frame.copy()
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):  # numbers are never touched
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [str(spreadsheet_safe(str(c))) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n")


class _ToStderr(logging.Handler):
    """Writes to whatever sys.stderr is when a line is logged (a test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), file=sys.stderr)


def log_to_stderr(level: int) -> None:
    """lacperf's log ("lacperf: ..." lines) on stderr at `level`, set once however often it is asked for."""
    logger = logging.getLogger("lacperf")
    logger.setLevel(level)
    if not any(isinstance(handler, _ToStderr) for handler in logger.handlers):
        handler = _ToStderr()
        handler.setFormatter(logging.Formatter("lacperf: %(message)s"))
        logger.addHandler(handler)
