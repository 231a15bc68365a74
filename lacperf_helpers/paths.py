"""Where things are (every default path, relative to the project root), and writing a file whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
SCORECARD_NOTEBOOK = NOTEBOOKS / "scorecard.ipynb"
QUARTERLY_NOTEBOOK = NOTEBOOKS / "quarterly.ipynb"
PARAMETERS = PROJECT_ROOT / "parameters"
KPIS_FILE = PARAMETERS / "kpis.yaml"
SETTINGS_FILE = PARAMETERS / "settings.yaml"
TREND_FILE = PARAMETERS / "trend.yaml"
BENCHMARKS_FILE = PARAMETERS / "benchmarks.csv"
SAMPLE_RETURNS = PROJECT_ROOT / "data" / "sample"
REPORTS = PROJECT_ROOT / "reports"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def or_default(path: str | Path | None, default: Path) -> Path:
    """A path a person gave (blank: the project's default)."""
    return Path(path) if path not in (None, "") else default


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so a reader sees the old file or the new one, never a partial one."""
    write_atomically_bytes(path, text.encode("utf-8"))


def write_atomically_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)  # by default readable like any report; mkstemp makes it private
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
