"""The adding-up engine: each month's rows of the chosen measures (one per child or event in scope), with who each
child was then, added up by month, measure, area, cohort, breakdown and group; the authority is the sum of its
areas. Only sums leave it. The measures themselves, and how one is looked up, are the registry's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.periods import month_end, parse_month
from lacperf_helpers.config.vocabulary import ALL, AREA_NOT_KNOWN, TOTAL
from lacperf_helpers.ingest.ssda903 import TABLES, Ssda903
from lacperf_helpers.measures.children import attributes_coded, who_each_child_is
from lacperf_helpers.measures.episodes import child_names, memo

if TYPE_CHECKING:
    from lacperf_helpers.measures.registry import Measure

MEASURE_COLUMNS = (
    "month", "area", "measure", "cohort", "breakdown", "group", "numerator", "denominator", "value",
)  # fmt: skip


def add_up_months(
    data: Ssda903, months: list[str], authority: str, chosen: Sequence[Measure],
    cohorts: CohortCatalogue | None = None, breakdowns: list[str] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The `chosen` measures for each of `months` from one extract (a history as the extract tells it), added
    up in one pass: each month's rows are found on their own, the adding up is done once for them all (the
    registry's `measure_tables` says what the table holds)."""
    ids = [m.id for m in chosen]
    data = _children_coded(data)
    cohorts = cohorts or load_cohorts()
    breakdowns = cohorts.breakdown_names if breakdowns is None else breakdowns
    for name in breakdowns:
        if name not in cohorts.breakdown_names:
            raise ValueError(f"no breakdown {name!r}; the breakdowns are: {', '.join(cohorts.breakdown_names)}")
    names = pd.Index(list(dict.fromkeys(ids)))
    areas = [authority, *sorted(who_each_child_is(data)["area"].dropna().unique())]
    # the authority's sums are added up with the areas' (not grouped afterwards), unless an area has its name
    whole = authority not in areas[1:] and AREA_NOT_KNOWN not in areas[1:] and len(set(months)) == len(months)
    found: list[pd.DataFrame] = []
    batch: list[pd.DataFrame] = []  # months' rows not yet added up: several at once, up to BATCH_ROWS, BATCH_KEYS
    month_names = pd.Index(list(dict.fromkeys(months)))
    for n, month in enumerate(months):  # each month's child-level rows are found on their own
        parse_month(month)
        at = pd.Timestamp(month_end(month))
        each = [m.compute(data, at) for m in chosen]
        # who each child was: at the month end, or on the day of its event (a start, an end of care, ...)
        when = np.concatenate([
            pd.to_datetime(r["as_at"]).to_numpy() if "as_at" in r else np.full(len(r), np.datetime64("NaT", "s"))
            for r in each
        ])  # fmt: skip
        when[np.isnat(when)] = at.to_datetime64()
        joined = attributes_coded(data, np.concatenate([r["CHILD"].to_numpy() for r in each]), when)
        joined["numerator"] = np.concatenate([r["numerator"].to_numpy(dtype=bool) for r in each])
        # a count's rows have no denominator (NaN); a percent's, whether the child is in the cohort measured
        joined["denominator"] = np.concatenate([r["denominator"].to_numpy(dtype="float64") for r in each])
        measure = np.repeat(names.get_indexer(pd.Index(ids)), [len(r) for r in each])
        joined["measure"] = pd.Categorical.from_codes(measure, names)
        joined["month"] = pd.Categorical.from_codes(np.full(len(joined), month_names.get_loc(month)), month_names)
        batch.append(joined)
        in_batch = sum(len(b) for b in batch)
        if in_batch >= BATCH_ROWS or len(batch) * len(names) * (len(areas) + 2) >= BATCH_KEYS or n == len(months) - 1:
            found.append(
                _area_sums(pd.concat(batch, ignore_index=True), cohorts, breakdowns, authority if whole else None)
            )
            batch = []  # only the sums are kept
    table = _add_up(pd.concat(found, ignore_index=True), authority, areas, ids, months, cohorts, breakdowns, whole)
    units = table["measure"].map({m.id: m.unit for m in chosen})
    percent = 100 * table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    table["value"] = percent.where(units == "percent", table["numerator"])
    table["denominator"] = table["denominator"].where(units == "percent")
    return table.loc[:, list(MEASURE_COLUMNS)]


# How many months' rows are added up at once: the rows (each ~60 bytes), and month x measure x area sums (each
# ~100 groups x 24 bytes, for the biggest breakdown): a few months of 100,000 children, every month of 2,000.
BATCH_ROWS, BATCH_KEYS = 250_000, 6_000


def _children_coded(data: Ssda903) -> Ssda903:
    """The extract with CHILD as an integer per child (the same in every table): at 100,000 children, joins
    and look-ups on text were most of a month's time. Only sums leave measure_tables, so no code is seen."""

    def work_out() -> Ssda903:
        names = child_names(data)  # every table's children, sorted: a child's code is its position
        tables = {
            name: data.table(name).assign(CHILD=names.get_indexer(pd.Index(data.table(name)["CHILD"])).astype("int64"))
            for name in TABLES
        }  # every table, an absent one empty: its CHILD an integer too, so no join falls back to text
        return Ssda903(tables, data.problems)

    return memo(data, "children coded", work_out)


def _area_sums(
    joined: pd.DataFrame, cohorts: CohortCatalogue, breakdowns: list[str], authority: str | None = None
) -> pd.DataFrame:
    """Child-level rows added up by month, measure, area, cohort, breakdown and group: a few thousand sums,
    however many children. Keys are counted as integer codes (np.bincount), not grouped as text: at
    100,000 children x 60 months, grouping strings was most of the time. With `authority`, its sums (every
    row, whatever its area) too, as area `authority`: each key of the areas' summed over them."""
    in_cohort = joined["denominator"].fillna(0).astype(bool).to_numpy()  # a count's rows have no denominator
    counted = joined["numerator"].to_numpy(dtype=bool) & (in_cohort | joined["denominator"].isna().to_numpy())
    month_code, month_names = pd.factorize(joined["month"])
    measure_code, measures = pd.factorize(joined["measure"])
    area_code, areas = pd.factorize(joined["area"])  # no area: -1
    groups_of = {TOTAL: (np.zeros(len(joined), dtype="int64"), pd.Index([ALL]))}
    for breakdown in breakdowns:  # categorical: its codes are the keys (a group no child is in is no row)
        grouped = cohorts.groups(joined, breakdown).cat
        groups_of[breakdown] = (grouped.codes.to_numpy().astype("int64"), pd.Index(grouped.categories.astype(str)))
    parts: list[tuple[np.ndarray, ...]] = []  # per cohort x breakdown: measure, area, group, cohort, counts
    area_names = np.asarray([None, *areas, authority], dtype=object)  # code 0: no area; the last, the authority
    for n, cohort in enumerate(cohorts.cohorts):
        holds = cohort.holds(joined)
        inside: slice | np.ndarray = slice(None) if holds.all() else np.flatnonzero(holds)  # all: no copies
        # the cohort's rows once: measure and area as one code, what each row adds
        place = month_code[inside].astype("int64") * len(measures) + measure_code[inside]
        place = place * (len(areas) + 1) + area_code[inside] + 1
        adds, in_it = counted[inside], in_cohort[inside]
        for b, (group_code, groups) in enumerate(groups_of.values()):
            shape = (len(month_names), len(measures), len(areas) + 1, len(groups))
            key = place * len(groups) + group_code[inside]
            size = int(np.prod(shape))
            sums = [np.bincount(key, weights=w, minlength=size).reshape(shape) for w in (None, adds, in_it)]
            if authority is not None:  # the sums over every area, in a slot of their own after the areas'
                sums = [np.concatenate([s, s.sum(axis=2, keepdims=True)], axis=2) for s in sums]
            rows, numerator, denominator = (s.ravel() for s in sums)
            present = np.flatnonzero(rows)
            mo, m, a, g = np.unravel_index(present, sums[0].shape)
            labels = np.asarray(groups, dtype=object)[g]
            cohort_of, breakdown_of = np.full(len(m), n), np.full(len(m), b)
            parts.append((mo, m, a, labels, cohort_of, breakdown_of, numerator[present], denominator[present]))
    mo, m, a, labels, cohort_codes, breakdown_codes, numerator, denominator = (
        np.concatenate(c) for c in zip(*parts, strict=True)
    )
    return pd.DataFrame({
        "month": np.asarray(month_names, dtype=object)[mo],
        "measure": measures.to_numpy(dtype=object)[m],
        "area": area_names[a],
        "cohort": np.asarray(cohorts.names, dtype=object)[cohort_codes],
        "group": labels,
        "numerator": numerator.astype("int64"),
        "denominator": denominator.astype("int64"),
        "breakdown": np.asarray(list(groups_of), dtype=object)[breakdown_codes],
    })  # fmt: skip


def _add_up(
    by_area: pd.DataFrame, authority: str, areas: list[str], measure_ids: list[str], months: list[str],
    cohorts: CohortCatalogue, breakdowns: list[str], whole: bool = False,
) -> pd.DataFrame:  # fmt: skip
    """Numerators and denominators by month x area x cohort x breakdown x group, from `_area_sums`; every
    headline row is there, with 0 where no child is counted. The authority (every area together) is the
    sum of the areas' sums: `whole`, `_area_sums` has added them up already (as area `authority`)."""
    keys = ["month", "area", "measure", "cohort", "breakdown", "group"]
    mine = (by_area["area"] == authority).to_numpy(dtype=bool) if whole else np.zeros(len(by_area), dtype=bool)
    known = by_area["area"].notna().to_numpy(dtype=bool) & ~mine
    counted = ((by_area["numerator"] > 0) | (by_area["denominator"] > 0)).to_numpy(dtype=bool)
    in_none = ~known & ~mine & counted
    unknown = by_area.loc[in_none].assign(area=AREA_NOT_KNOWN) if len(areas) > 1 else by_area.iloc[0:0]
    if whole:  # each key once already: areas' rows as they are, the authority's summed by _area_sums
        summed = pd.concat([by_area.loc[mine], by_area.loc[known], unknown], ignore_index=True)
    else:
        scoped = pd.concat([by_area.assign(area=authority), by_area.loc[known], unknown], ignore_index=True)
        summed = scoped.groupby(keys, sort=False, as_index=False)[["numerator", "denominator"]].sum()
    headline = pd.MultiIndex.from_product(
        [months, areas, measure_ids, cohorts.names, [TOTAL], [ALL]], names=keys
    ).to_frame(index=False)
    in_headline = summed.loc[(summed["breakdown"] == TOTAL).to_numpy(dtype=bool), keys]  # the rest are not asked
    missing = headline.merge(in_headline, how="left", indicator=True)
    zeros = missing.loc[missing["_merge"] == "left_only", keys].assign(numerator=0, denominator=0)
    added = pd.concat([summed, zeros], ignore_index=True).astype({"numerator": "float64", "denominator": "float64"})
    order = {  # months and measures in the order asked; headline first, the cohorts, the authority first, groups A-Z
        "month": months,
        "measure": measure_ids,
        "breakdown": [TOTAL, *breakdowns],
        "cohort": list(cohorts.names),
        "area": [*areas, AREA_NOT_KNOWN],
    }

    def position(column: pd.Series) -> pd.Series:  # as categories' codes: mapping text row by row was slow
        if column.name not in order:
            return column
        return pd.Series(pd.Categorical(column, categories=order[str(column.name)]).codes, index=column.index)

    return added.sort_values(
        ["month", "measure", "breakdown", "cohort", "area", "group"], key=position, ignore_index=True
    ).loc[:, [*keys, "numerator", "denominator"]]


def add_up_children(
    joined: pd.DataFrame, month: str, authority: str, areas: list[str], measure_ids: list[str],
    units: dict[str, str], cohorts: CohortCatalogue, breakdowns: list[str],
) -> pd.DataFrame:  # fmt: skip
    """Another source's child-level rows (Annex A's), each with who the child is (age, age_band, sex, ethnicity,
    legal_status, placement_type, uasc, area), added up as `add_up_months` adds up the SSDA903 measures'."""
    summed = _area_sums(joined.assign(month=month), cohorts, breakdowns)
    table = _add_up(summed, authority, [authority, *areas], measure_ids, [month], cohorts, breakdowns)
    unit = table["measure"].map(units)
    percent = 100 * table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    table["value"] = percent.where(unit == "percent", table["numerator"])
    table["denominator"] = table["denominator"].where(unit == "percent")
    return table.loc[:, list(MEASURE_COLUMNS)]


def missing_from_grid(table: pd.DataFrame, cohorts: CohortCatalogue, measure: str = "measure") -> pd.DataFrame:
    """The rows a measures table (MEASURE_COLUMNS) lacks of its complete grid, each a 0: for every month, area,
    measure and cohort in it, every group of every breakdown in it (`CohortCatalogue.group_names`, and any other
    group a child was found in). A table has a row only where a child is: published as it is, a row being there
    would tell a reader of a hidden count that it is at least 1 (264 such on the sample). Disclosure control
    publishes the grid (these rows hidden, in the public edition, as the figures it hides). `measure`: the
    column naming each row's measure (a KPI's figures: kpi_id)."""
    keys = ["month", "area", measure, "cohort", "breakdown", "group"]
    if table.empty:
        return table.iloc[0:0]
    # each month's measures and cohorts in each of the month's areas: an area of children no one placed ("Area
    # not known") has its rows for every measure, not only those one of its children is counted in
    areas = table.loc[:, ["month", "area"]].drop_duplicates()
    headline = table.loc[:, ["month", measure, "cohort"]].drop_duplicates().merge(areas, on="month")
    headline = headline.loc[:, keys[:4]]
    breakdowns = list(dict.fromkeys(table["breakdown"]))
    seen = table.groupby("breakdown", sort=False)["group"].unique()
    grid = pd.concat(
        [pd.DataFrame({"breakdown": b, "group": _grid_groups(cohorts, b, seen[b])}) for b in breakdowns],
        ignore_index=True,
    )
    full = headline.merge(grid, how="cross")
    lacking = full.merge(table.loc[:, keys], how="left", on=keys, indicator=True)
    out = lacking.loc[lacking["_merge"] == "left_only", keys].reset_index(drop=True)
    percent = out[measure].isin(table.loc[table["denominator"].notna(), measure].unique()).to_numpy()
    out["numerator"] = 0.0
    out["denominator"] = np.where(percent, 0.0, np.nan)
    out["value"] = np.where(percent, np.nan, 0.0)
    return out


def _grid_groups(cohorts: CohortCatalogue, breakdown: str, seen: Sequence[str]) -> list[str]:
    """The breakdown's groups, then any other a child was found in (a code outside the DfE's lists, which the
    return's checks warn of)."""
    listed = cohorts.group_names(breakdown)
    return [*listed, *sorted(set(map(str, seen)) - set(listed))]
