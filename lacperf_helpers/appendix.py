"""Everything one appendix (one month x area) shows, gathered once for the notebook to lay out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from lacperf_helpers import __version__, paths
from lacperf_helpers.definitions import Settings, load_kpis, load_settings
from lacperf_helpers.narrative import Summary, summarise
from lacperf_helpers.periods import previous_month
from lacperf_helpers.returns import return_path
from lacperf_helpers.scorecard import scorecard_for_month, select_area


@dataclass(frozen=True)
class Appendix:
    month: str
    area: str
    card: pd.DataFrame  # this area's rows of the tidy scorecard, in KPI order
    summary: Summary
    settings: Settings
    kpis_file: Path
    data_files: tuple[Path, ...]  # the return files the figures came from
    version: str
    made_at: str


def load_appendix(
    month: str,
    area: str,
    returns_dir: str | Path = "",
    kpis_file: str | Path = "",
    settings_file: str | Path = "",
    made_at: str = "",
) -> Appendix:
    """Load, check and rate the month's return and summarise `area` (blank paths: the project defaults)."""
    returns = paths.or_default(returns_dir, paths.SAMPLE_RETURNS)
    kpis_path = paths.or_default(kpis_file, paths.KPIS_FILE)
    settings = load_settings(paths.or_default(settings_file, paths.SETTINGS_FILE))
    card = scorecard_for_month(returns, load_kpis(kpis_path), month, settings)
    area_card = select_area(card, area, return_path(returns, month))
    data_files = tuple(
        p for p in (return_path(returns, previous_month(month)), return_path(returns, month)) if p.is_file()
    )
    return Appendix(
        month=month,
        area=area,
        card=area_card,
        summary=summarise(area_card, settings.small_cohort_denominator),
        settings=settings,
        kpis_file=kpis_path,
        data_files=data_files,
        version=__version__,
        made_at=made_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
