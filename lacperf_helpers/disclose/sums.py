"""The sums a reader can form: every figure about children a month publishes (`figure_cells`), and which of
them add up to which (`relations`).

Within a month: the groups of a breakdown and their total; the areas and the authority; a cohort
("excluding UASC") and all children, whose difference (never published) is itself a count to protect; and
every figure whose children are among another's by the cohorts' and groups' conditions (parameters/
cohorts.yaml: a cohort aged 5-13 holds the age band 5-9 of all children; an age band holds its row of age
band x legal status), where what is left over is a count to protect or none (`contained_sums`). No sum here
crosses a month, nor a KPI (the stocks and flows that do: flows.py). A quarter, the year to date and 12 months
add up their months (`period_relations`). What the solver (solver.py) makes safe is exactly these sums.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, Scope
from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue
from lacperf_helpers.config.periods import financial_quarter
from lacperf_helpers.config.vocabulary import ALL, TOTAL
from lacperf_helpers.rate.period_figures import quarter_periods

FIGURES = ("numerator", "denominator", "value")
KEYS = ("month", "area", "kpi_id", "cohort", "breakdown", "group")


class Count(IntEnum):
    """The three counts of children a figure has, and their columns in the solver's arrays (in this order)."""

    NUMERATOR = 0
    DENOMINATOR = 1
    COMPLEMENT = 2  # the children a percentage leaves out: denominator - numerator ("46 of 50" gives away 4)

    @property
    def column(self) -> str:
        return self.name.lower()


COUNTS = tuple(c.column for c in Count)  # the cells' columns, in the order of `Count`
NO_COUNT = -1e9  # a count a figure does not have (a number KPI's denominator): below every rest, never small


def about_children(catalogue: KpiCatalogue) -> set[str]:
    """KPIs whose figures count children (`disclosure: children`, the default), not staff posts."""
    return {k.id for k in catalogue.kpis if k.disclosure == "children"}


# --- the periods a quarter's page shows, named as the figures that stand for them ------------------------


def year_to_date_label(end: str) -> str:
    return f"year to date to {end}"


def rolling_12_label(end: str) -> str:
    return f"12 months to {end}"


def period_keys(quarter: str) -> dict[str, tuple[str, str]]:
    """Per column prefix of a quarter's card: the label of its added-up figure and its last month (the figure
    of a KPI whose months do not add up is its last month's)."""
    return {prefix: (_period_label(prefix, months), months[-1]) for prefix, months in quarter_periods(quarter).items()}


def _period_label(prefix: str, months: list[str]) -> str:
    end = months[-1]
    if prefix == "year_to_date_":
        return year_to_date_label(end)
    if prefix == "rolling_12_":
        return rolling_12_label(end)
    return financial_quarter(end)  # the quarter, the one before it, the same one last year


def periods_ending(end: str) -> list[tuple[str, list[str]]]:
    """The added-up periods published at a quarter's end month: the quarter, the year to date, 12 months."""
    if int(end[5:7]) % 3:
        return []
    periods = quarter_periods(financial_quarter(end))
    return [
        (_period_label(prefix, periods[prefix]), periods[prefix]) for prefix in ("", "year_to_date_", "rolling_12_")
    ]


# --- every figure, and the sums a reader can form from them ----------------------------------------------


def figure_cells(figures: pd.DataFrame, catalogue: KpiCatalogue | None) -> pd.DataFrame:
    """Every figure about children that may be published up to the last month of `figures`, one row each
    (`step`: the month it is first published in: an added-up period's last month)."""
    children = figures if catalogue is None else figures.loc[figures["kpi_id"].isin(about_children(catalogue))]
    months = children.loc[:, [*KEYS, "numerator", "denominator"]].assign(step=children["month"])
    if catalogue is not None and "value" in children:
        # a number KPI of children given only as its value ("children in care: 3") is that count of children
        counted = {k.id for k in catalogue.kpis if k.unit == "number"}
        given = children["kpi_id"].isin(counted) & children["numerator"].isna()
        months.loc[given, "numerator"] = children.loc[given, "value"]
    summed = set() if catalogue is None else {k.id for k in catalogue.kpis if k.aggregation == "sum"}
    headline = months.loc[months["kpi_id"].isin(summed) & (months["cohort"] == ALL) & (months["breakdown"] == TOTAL)]
    periods = []
    for end in sorted(headline["month"].unique()):
        for label, period in periods_ending(str(end)):
            inside = headline.loc[headline["month"].isin(period)]
            sums = inside.groupby(["area", "kpi_id"], as_index=False)[["numerator", "denominator"]].sum(min_count=1)
            periods.append(sums.assign(month=label, cohort=ALL, breakdown=TOTAL, group=ALL, step=end))
    cells = pd.concat([months, *periods], ignore_index=True)
    percent = (
        cells["denominator"].notna()
        if catalogue is None
        else cells["kpi_id"].isin({k.id for k in catalogue.kpis if k.unit == "percent"})
    )
    cells["complement"] = (cells["denominator"] - cells["numerator"]).where(percent)
    cells = cells.sort_values(list(KEYS), ignore_index=True)  # decisions do not depend on input order
    return cells


def _sums(cells: pd.DataFrame, parts: pd.Series, totals: pd.Series, on: list[str], by: list[str]) -> pd.DataFrame:
    """Relations total = sum of parts: the parts of each `on` + `by` with the total of their `on`."""
    with_cell = cells.assign(cell=cells.index)
    joined = with_cell.loc[parts, [*on, *by, "cell"]].merge(
        with_cell.loc[totals, [*on, "cell"]].rename(columns={"cell": "total"}), on=on
    )
    joined["relation"] = joined.groupby([*on, *by], sort=False).ngroup()
    whole = joined.drop_duplicates("relation").loc[:, ["relation", "total"]].rename(columns={"total": "cell"})
    return pd.concat([joined.loc[:, ["relation", "cell"]].assign(sign=-1), whole.assign(sign=1)], ignore_index=True)


def _cohort_sums(cells: pd.DataFrame) -> pd.DataFrame:
    """All children = a cohort + the rest, for every figure of all children and every cohort the month has:
    a group with no child of the cohort has no row, and its rest is all of it (still a sum a reader forms)."""
    with_cell = cells.assign(cell=cells.index)
    on = ["month", "area", "kpi_id", "breakdown", "group"]
    totals = with_cell.loc[cells["cohort"] == ALL, [*on, "cell"]].rename(columns={"cell": "total"})
    parts = with_cell.loc[cells["cohort"] != ALL, [*on, "cohort", "cell"]]
    cohorts = parts.loc[:, ["month", "kpi_id", "cohort"]].drop_duplicates()
    joined = totals.merge(cohorts, on=["month", "kpi_id"]).merge(parts, on=[*on, "cohort"], how="left")
    joined["relation"] = joined.groupby([*on, "cohort"], sort=False).ngroup()
    whole = joined.drop_duplicates("relation").loc[:, ["relation", "total"]].rename(columns={"total": "cell"})
    some = joined.loc[joined["cell"].notna(), ["relation", "cell"]]
    return pd.concat([some.assign(sign=-1), whole.assign(sign=1)], ignore_index=True).astype("int64")


def relations(
    cells: pd.DataFrame, authority: str, cohorts: CohortCatalogue | None = None, rule: DisclosureRule | None = None
) -> pd.DataFrame:
    """The sums a reader can form within a month: one row per member (relation, cell, sign +1 for the
    total, -1 for a part). With `cohorts`, also each figure that holds others of another cohort or breakdown
    (`contained_sums`). Added-up periods are not among them: see `period_relations`."""
    is_month = cells["month"] == cells["step"]  # added-up periods are decided from their months
    cells = cells.loc[is_month]
    found = [
        # the groups of a breakdown add up to its total
        _sums(cells, cells["breakdown"] != TOTAL, cells["breakdown"] == TOTAL,
              ["month", "area", "kpi_id", "cohort"], ["breakdown"]),
        # the areas add up to the authority
        _sums(cells, cells["area"] != authority, cells["area"] == authority,
              ["month", "kpi_id", "cohort", "breakdown", "group"], []),
        # a cohort and the children outside it (unaccompanied children) make all children
        _cohort_sums(cells),
    ]  # fmt: skip
    if cohorts is not None:  # figures whose children are among another's, across cohorts and breakdowns
        found.append(contained_sums(cells, authority, cohorts, rule or DisclosureRule()))
    offset, out = 0, []
    for one in found:
        if len(one):
            out.append(one.assign(relation=one["relation"] + offset))
            offset += int(one["relation"].max()) + 1
    if not out:
        return pd.DataFrame({"relation": pd.Series(dtype="int64"), "cell": pd.Series(dtype="int64"),
                             "sign": pd.Series(dtype="int64")})  # fmt: skip
    return pd.concat(out, ignore_index=True).sort_values(["relation", "sign"], ignore_index=True).astype("int64")


def _scope(key: tuple[str, ...], authority: str, cohorts: CohortCatalogue) -> Scope | None:
    """A cell's children as conditions (None: not known as conditions). Key: area, cohort, breakdown, group."""
    area, cohort, breakdown, group = key
    scope = cohorts.scope(cohort, breakdown, group)
    if scope is not None and area != authority:
        scope = {**scope, "area": frozenset([area]) & scope.get("area", frozenset([area]))}
    return scope


def _within_matrix(scopes: list[Scope]) -> np.ndarray:
    """[t, m]: are all the children of scope m among those of scope t (by their conditions)?"""
    outside = np.zeros((len(scopes), len(scopes)), dtype=np.float32)
    for dimension in sorted({d for s in scopes for d in s}):
        values = sorted({v for s in scopes for v in s.get(dimension, ())})
        index = {v: i for i, v in enumerate(values)}
        member = np.ones((len(scopes), len(values) + 1), dtype=np.float32)  # the last: any value not named
        for row, scope in enumerate(scopes):
            if dimension in scope:
                member[row] = 0
                member[row, [index[v] for v in scope[dimension]]] = 1
        outside += (1 - member) @ member.T  # [t, m]: values m allows and t does not
    return np.asarray(outside == 0, dtype=bool)


@dataclass(frozen=True)
class _Families:
    """Of one block's cells (a month and KPI), by their keys alone: the cells whose children are known as
    conditions (`usable`), and for a breakdown's groups then a group's areas, every (figure, family) pair
    with a member within the figure: figure t_of[starts[k]] and members m_of[starts[k]:ends[k]], and
    whether the sum is one to keep when its rest is small (not formed by `relations` anyway, nor said
    exactly by one)."""

    usable: np.ndarray
    pairs: tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]


def _families(key: np.ndarray, authority: str, scope_of: Callable[[tuple[str, ...]], Scope | None]) -> _Families:
    """Keys: area, cohort, breakdown, group of each cell of a block."""
    scopes = [scope_of(tuple(k)) for k in key]
    usable = np.flatnonzero([s is not None for s in scopes])
    if len(usable) < 2:
        return _Families(usable, ())
    key = key[usable]
    within = _within_matrix([scopes[i] for i in usable])  # type: ignore[misc]
    np.fill_diagonal(within, False)
    where = {tuple(k): n for n, k in enumerate(key)}
    # the families whose members are apart: a breakdown's groups (in an area and cohort), a group's areas.
    # Every (figure, family) pair with a member within the figure, at once: pairs of within, by family.
    tops, parts_of = np.nonzero(within)
    pairs = []
    for groups, family, member in (
        (True, _codes(key[:, :3]), key[:, 2] != TOTAL),
        (False, _codes(key[:, 1:]), key[:, 0] != authority),
    ):
        chosen = member[parts_of] & (groups or key[tops, 0] == authority)  # another area's: its own says more
        t_of, m_of = tops[chosen], parts_of[chosen]
        pair = family[m_of] * len(key) + t_of  # in order of family, then figure
        order = np.argsort(pair, kind="stable")
        t_of, m_of, pair = t_of[order], m_of[order], pair[order]
        if not len(pair):
            continue
        starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
        ends = np.r_[starts[1:], len(pair)]
        eligible = np.ones(len(starts), dtype=bool)
        for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
            t, parts = int(t_of[start]), m_of[start:end]
            first = key[parts[0]]
            # one part that is the same children as a figure t's own sums hold (another area's, a cohort's
            # group): those sums say it exactly. Not so for parts within a figure u within t: were u hidden,
            # t - parts would still be a count a reader could form, so that sum is kept.
            same = where.get((first[0] if groups else key[t][0], first[1], key[t][2], key[t][3]))
            eligible[k] = not _formed_anyway(key[t], first, groups, authority) and not (
                len(parts) == 1 and same == parts[0] and within[t, same]
            )
        pairs.append((t_of, m_of, starts, ends, eligible))
    return _Families(usable, tuple(pairs))


def contained_sums(cells: pd.DataFrame, authority: str, cohorts: CohortCatalogue, rule: DisclosureRule) -> pd.DataFrame:
    """Figure t = the figures of one breakdown's groups (or one group's areas) whose children are among t's
    + what is left over, for every figure t and every such family, where the conditions of cohorts and
    groups say so (the cohort '5-13' holds the age band '5-9' of all children; the age band '10-15' holds its
    groups of 'age_band x legal_status'). Kept where what is left over is a count of 0 to smallest_shown - 1
    (of the numerator, denominator or children a percentage leaves out): an equation, or a rest to protect;
    a larger rest bounds no hidden count more than '<5' does. Left out: the sums `relations` forms anyway,
    and those a sum it forms says exactly.

    Which figures hold which follows from the cells' keys alone, and most months and KPIs have the same
    keys: that is worked out once per set of keys (`_families`), and only the sums per block."""
    keys = cells.loc[:, ["area", "cohort", "breakdown", "group"]].astype(str).to_numpy()
    all_counts = np.nan_to_num(cells[list(COUNTS)].to_numpy(float), nan=NO_COUNT)  # never kept by it
    labels = cells.index.to_numpy()  # the cells' labels: what relations name
    scope_of = functools.cache(lambda key: _scope(key, authority, cohorts))
    known: dict[tuple[tuple[str, ...], ...], _Families] = {}
    found: list[list[tuple[int, int]]] = []
    for positions in _blocks(cells, ["month", "kpi_id"]):
        key = keys[positions]
        signature = tuple(map(tuple, key))
        if signature not in known:
            known[signature] = _families(key, authority, scope_of)
        families = known[signature]
        counts, index = all_counts[positions][families.usable], labels[positions][families.usable]
        for t_of, m_of, starts, ends, eligible in families.pairs:
            held = np.where(counts[m_of] < 0, 0.0, counts[m_of])
            rest = counts[t_of[starts]] - np.add.reduceat(held, starts, axis=0)
            keep = ((rest >= 0) & (rest < rule.smallest_shown)).any(axis=1) & eligible
            for start, end in zip(starts[keep], ends[keep], strict=True):
                found.append([(int(index[t_of[start]]), 1), *((int(index[p]), -1) for p in m_of[start:end])])
    if not found:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in ("relation", "cell", "sign")})
    return pd.DataFrame(
        [(r, cell, sign) for r, members in enumerate(found) for cell, sign in members],
        columns=["relation", "cell", "sign"],
    ).astype("int64")


def _blocks(cells: pd.DataFrame, by: list[str]) -> list[np.ndarray]:
    """The positions of each group's rows, groups in order of first appearance, rows in their order (as
    iterating `groupby(by, sort=False)` gives them)."""
    codes = cells.groupby(by, sort=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(codes[order])) + 1) if len(order) else []


def _codes(keys: np.ndarray) -> np.ndarray:
    """One integer per distinct row of `keys`, in order of first appearance."""
    combined = np.zeros(len(keys), dtype="int64")
    for column in keys.T:
        codes, uniques = pd.factorize(column)
        combined = combined * (len(uniques) + 1) + codes
    return np.asarray(pd.factorize(combined)[0], dtype="int64")


def _formed_anyway(total: np.ndarray, part: np.ndarray, groups: bool, authority: str) -> bool:
    """Is this the sum of a breakdown's groups to its total, of areas to the authority, or of a cohort's
    figure to all children's (`relations` forms those for every figure)? Keys: area, cohort, breakdown, group."""
    same = total == part
    if groups:
        return bool(
            (same[0] and same[1] and total[2] == TOTAL) or (same[0] and same[2] and same[3] and total[1] == ALL)
        )
    return bool(total[0] == authority and same[1] and same[2] and same[3])


def period_relations(cells: pd.DataFrame) -> pd.DataFrame:
    """The months of each added-up period and its figure, as `relations` gives sums (a period's figure is
    shown only when all its months are, so these add nothing a reader does not know: the audit checks)."""
    with_cell = cells.assign(cell=cells.index)
    is_month = cells["month"] == cells["step"]
    months = with_cell.loc[is_month & (cells["cohort"] == ALL) & (cells["breakdown"] == TOTAL)]
    found = []
    for (label, end), total in with_cell.loc[~is_month].groupby(["month", "step"]):
        inside = months.loc[months["month"].isin(period_months(str(label), str(end)))]
        joined = inside.loc[:, ["area", "kpi_id", "cell"]].merge(
            total.loc[:, ["area", "kpi_id", "cell"]].rename(columns={"cell": "total"}), on=["area", "kpi_id"]
        )
        found.append(joined)
    if not found:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in ("relation", "cell", "sign")})
    joined = pd.concat(found, ignore_index=True)
    joined["relation"] = joined.groupby("total", sort=False).ngroup()
    whole = joined.drop_duplicates("relation").loc[:, ["relation", "total"]].rename(columns={"total": "cell"})
    out = pd.concat([joined.loc[:, ["relation", "cell"]].assign(sign=-1), whole.assign(sign=1)], ignore_index=True)
    return out.sort_values(["relation", "sign"], ignore_index=True).astype("int64")


def remainders(cells: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """Per relation and count, total - sum of parts: what no figure shows (the unaccompanied children, the
    children of no area); NaN where a member has no such count."""
    values = cells[list(COUNTS)].to_numpy(float)[members["cell"].to_numpy()] * members[["sign"]].to_numpy()
    frame = pd.DataFrame(values, columns=list(COUNTS)).assign(relation=members["relation"].to_numpy())
    return (
        frame.groupby("relation")
        .sum(min_count=1)
        .where(frame[list(COUNTS)].isna().groupby(frame["relation"]).sum() == 0)
        .to_numpy(float)
    )


def period_months(label: str, end: str) -> list[str]:
    return next(months for name, months in periods_ending(end) if name == label)
