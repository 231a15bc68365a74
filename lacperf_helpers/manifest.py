"""What a page was made from: every input with its SHA-256, the parameters, the KPI definitions' hash,
the lacperf version and the time made. Shown in the page's footer and written as JSON beside it, so an
auditor can tell which files made a figure, and re-make it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from lacperf_helpers import __version__
from lacperf_helpers.returns import available_months, month_files

PARAMETER_FILES = ("kpis_file", "settings_file", "trend_file", "benchmarks_file")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def page_inputs(files: dict[str, str], last_month: str) -> list[Path]:
    """Every data and parameter file a page of `last_month` reads: the parameter files, and each month's
    return and SSDA903 extract up to it."""
    returns = Path(files["returns_dir"])
    inputs = [Path(files[k]) for k in PARAMETER_FILES if files.get(k)]
    inputs += [f for m in available_months(returns) if m <= last_month for f in month_files(returns, m)]
    return [f for f in inputs if f.is_file()]


def display_name(path: Path, returns_dir: Path) -> str:
    """'2019-09/903/episodes.csv', 'kpis.yaml': where the file is among the inputs, not on a machine."""
    try:
        return path.resolve().relative_to(returns_dir.resolve()).as_posix()
    except ValueError:
        return path.name


def describe(files: dict[str, str], last_month: str, parameters: dict[str, Any], made_at: str) -> dict[str, Any]:
    """The manifest of one page (JSON-ready)."""
    returns = Path(files["returns_dir"])
    kpis = Path(files["kpis_file"]) if files.get("kpis_file") else None
    return {
        "lacperf_version": __version__,
        "made_at": made_at,
        "parameters": {k: v for k, v in parameters.items() if k != "made_at"},
        "kpi_definitions_sha256": sha256(kpis) if kpis and kpis.is_file() else "",
        "inputs": [{"file": display_name(p, returns), "sha256": sha256(p)} for p in page_inputs(files, last_month)],
    }
