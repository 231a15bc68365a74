"""Which inputs a month is made from, and where its worked-out data is kept in the disk cache: light enough to ask
(`worked_out`) before the libraries that work a month out are imported, so a batch starts its workers first."""

from __future__ import annotations

from pathlib import Path

from lacperf_helpers.config import cache
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import is_month
from lacperf_helpers.ingest.layout import annex_a_path, available_months, month_files, ssda903_path

Stamp = tuple[tuple[str, int, int], ...]
KEPT_DECISION = "disclosure-decision.csv"  # beside a month's public pages: what each version of it hid


def inputs_stamp(month: str, inputs: Inputs) -> Stamp:
    """Each input file's name, size and modification time: a changed file is read again."""
    returns = inputs.returns
    read = [
        *inputs.parameter_files(),
        *(f for m in available_months(returns) if m <= month for f in month_files(returns, m)),
    ]
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in read if p.exists())


def month_key(month: str, inputs: Inputs, stamp: Stamp) -> str:
    """The month's entry in the disk cache: its own inputs' names, and every file's content (`cache_key`)."""
    return cache.cache_key(
        "month",
        [month, str(inputs.returns), *map(str, inputs.parameter_files()), f"dfe rules {inputs.dfe_rules}"],
        [*(Path(name) for name, _, _ in stamp), *kept_before_extracts(inputs)],
    )


def worked_out(month: str, inputs: Inputs) -> bool:
    """Whether the month's data, from these very inputs, is in the disk cache already (a batch, a worker or a
    page worked it out)."""
    return cache.has(month_key(month, inputs, inputs_stamp(month, inputs)))


def figures_key(month: str, inputs: Inputs) -> str:
    """The disk cache's key of what a month's figures and decision are made from (month/data.py `_worked_out`):
    its returns, extracts and Annex A up to it, the KPI definitions, the settings and the cohorts, by content, and
    what published versions of the months before the first extract hid; not the benchmarks, national tables or
    trend settings, which only a page reads (the CSV commands take no benchmarks: with them or without, the
    month is worked out once)."""
    returns = inputs.returns
    definitions = [inputs.kpis, inputs.settings, inputs.cohorts]
    files = [*definitions, *(f for m in available_months(returns) if m <= month for f in month_files(returns, m))]
    return cache.cache_key(
        "figures",
        [month, str(returns), *map(str, definitions), f"dfe rules {inputs.dfe_rules}"],
        [*(f for f in files if f.exists()), *kept_before_extracts(inputs)],
    )


def kept_before_extracts(inputs: Inputs) -> list[Path]:
    """What published versions of the months before the first extract hid (`inputs.published`): every later
    month's measures read those months' pages as that hid them (month/data.py `pages_before_extracts`)."""
    first = first_extract(inputs.returns)
    if inputs.published is None or first is None:
        return []
    kept = inputs.published.glob(f"*/{KEPT_DECISION}")
    return sorted(f for f in kept if is_month(f.parent.name) and f.parent.name < first)


def measure_files(returns: Path, month: str) -> list[Path]:
    """The month's SSDA903 extract's and Annex A's files (none: the month has neither)."""
    folders = (ssda903_path(returns, month), annex_a_path(returns, month))
    return [f for f in month_files(returns, month) if any(folder in f.parents for folder in folders)]


def first_extract(returns: Path) -> str | None:
    """The first month with an SSDA903 extract or an Annex A (None: none has)."""
    return next((m for m in available_months(returns) if measure_files(returns, m)), None)
