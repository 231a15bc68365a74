"""Which inputs a month is made from, and where its worked-out data is kept in the disk cache: light enough to ask
(`worked_out`) before the libraries that work a month out are imported, so a batch starts its workers first."""

from __future__ import annotations

from pathlib import Path

from lacperf_helpers.config import cache
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.ingest.layout import available_months, month_files

Stamp = tuple[tuple[str, int, int], ...]


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
        [Path(name) for name, _, _ in stamp],
    )


def worked_out(month: str, inputs: Inputs) -> bool:
    """Whether the month's data, from these very inputs, is in the disk cache already (a batch, a worker or a
    page worked it out)."""
    return cache.has(month_key(month, inputs, inputs_stamp(month, inputs)))


def figures_key(month: str, inputs: Inputs) -> str:
    """The disk cache's key of what a month's figures and decision are made from (month/data.py `_worked_out`):
    its returns, extracts and Annex A up to it, the KPI definitions, the settings and the cohorts, by content; not
    the benchmarks, national tables or trend settings, which only a page reads (the CSV commands take no
    benchmarks: with them or without, the month is worked out once)."""
    returns = inputs.returns
    definitions = [inputs.kpis, inputs.settings, inputs.cohorts]
    files = [*definitions, *(f for m in available_months(returns) if m <= month for f in month_files(returns, m))]
    return cache.cache_key(
        "figures",
        [month, str(returns), *map(str, definitions), f"dfe rules {inputs.dfe_rules}"],
        [f for f in files if f.exists()],
    )
