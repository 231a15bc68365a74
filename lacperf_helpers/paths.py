"""Where things are: every default path comes from here, relative to the project root."""

from __future__ import annotations

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
