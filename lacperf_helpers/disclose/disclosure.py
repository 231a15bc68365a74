"""Disclosure control: one publishable view of every figure lacperf publishes for a month and its quarter.

No count of 1 to `smallest_shown` - 1 children (settings.yaml, default 5) is published, nor anything it
can be worked out from (docs/disclosure-control.md). A figure is hidden when its numerator, its
denominator or, for a percentage, the children it leaves out (denominator - numerator: "46 of 50" gives
away the 4 without) is such a count: primary suppression. Then every sum a reader can form within a month
is made safe, jointly: the groups of a breakdown and their total; the areas and the authority; a cohort
("excluding UASC") and all children, whose difference (never published) is itself a count to protect; and
every figure whose children are among another's by the cohorts' and groups' conditions (parameters/
cohorts.yaml: a cohort aged 5-13 holds the age band 5-9 of all children; an age band holds its row of age
band x legal status), where what is left over is a count to protect or none. (Cohorts beyond UASC and
breakdowns of the cohorts file's own overlap every way: only the internal edition shows theirs.) In
each sum no hidden count may stand alone, and each hidden count of 1-4 must be able to be anything from 1
to 4 for all the others show; sums that pin a count together are found by linear algebra and by carrying
bounds from sum to sum. Secondary suppression takes the smallest figure with room to move first, a group
or an area before a total. Every hidden figure reads alike ('c'), whatever its size.

No sum crosses a month, and none a KPI but through the counts two figures share (`same_children`: both are
hidden together), so each month is decided on its own figures: what an earlier month's page showed (or hid)
of a month is what every later page, CSV and quarter shows (or hides) of it. A quarter, the year to date or
12 months is shown only when all its months are. Staff figures (a KPI with `disclosure: staff`) are never
hidden. Only this module makes a `Published` view, of one edition (the internal one hides nothing); only the
month stage asks it what to hide. tests/test_disclosure_audit.py proves the public edition with an integer
programme over everything it writes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import InitVar, dataclass

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, Scope, load_cohorts
from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue
from lacperf_helpers.config.editions import MARKS, Edition
from lacperf_helpers.config.paths import csv_text
from lacperf_helpers.config.periods import financial_quarter
from lacperf_helpers.rate import rating
from lacperf_helpers.rate.period_figures import quarter_periods

log = logging.getLogger("lacperf.disclosure")
FIGURES = ("numerator", "denominator", "value")
KEYS = ("month", "area", "kpi_id", "cohort", "breakdown", "group")
COUNTS = ("numerator", "denominator", "complement")  # complement: the children a percentage leaves out
# Columns of the scorecard made from this month's or last month's figures, hidden with them.
NOW_COLUMNS = ("numerator", "denominator", "value", "change", "numerator_change", "denominator_change",
               "children_to_change_rating")  # fmt: skip
PREVIOUS_COLUMNS = ("previous_numerator", "previous_denominator", "previous_value", "change", "numerator_change",
                    "denominator_change")  # fmt: skip


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
    headline = months.loc[
        months["kpi_id"].isin(summed) & (months["cohort"] == "all") & (months["breakdown"] == "total")
    ]
    periods = []
    for end in sorted(headline["month"].unique()):
        for label, period in periods_ending(str(end)):
            inside = headline.loc[headline["month"].isin(period)]
            sums = inside.groupby(["area", "kpi_id"], as_index=False)[["numerator", "denominator"]].sum(min_count=1)
            periods.append(sums.assign(month=label, cohort="all", breakdown="total", group="all", step=end))
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
    totals = with_cell.loc[cells["cohort"] == "all", [*on, "cell"]].rename(columns={"cell": "total"})
    parts = with_cell.loc[cells["cohort"] != "all", [*on, "cohort", "cell"]]
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
        _sums(cells, cells["breakdown"] != "total", cells["breakdown"] == "total",
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
        (True, _codes(key[:, :3]), key[:, 2] != "total"),
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
    all_counts = np.nan_to_num(cells[list(COUNTS)].to_numpy(float), nan=-FAR)  # no such count: never kept by it
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
            (same[0] and same[1] and total[2] == "total") or (same[0] and same[2] and same[3] and total[1] == "all")
        )
    return bool(total[0] == authority and same[1] and same[2] and same[3])


def period_relations(cells: pd.DataFrame) -> pd.DataFrame:
    """The months of each added-up period and its figure, as `relations` gives sums (a period's figure is
    shown only when all its months are, so these add nothing a reader does not know: the audit checks)."""
    with_cell = cells.assign(cell=cells.index)
    is_month = cells["month"] == cells["step"]
    months = with_cell.loc[is_month & (cells["cohort"] == "all") & (cells["breakdown"] == "total")]
    found = []
    for (label, end), total in with_cell.loc[~is_month].groupby(["month", "step"]):
        inside = months.loc[months["month"].isin(_period_months(str(label), str(end)))]
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


# --- the decision -------------------------------------------------------------------------------------


def _small(values: np.ndarray, rule: DisclosureRule) -> np.ndarray:
    return np.asarray((values >= 1) & (values < rule.smallest_shown), dtype=bool)


FAR = 1e9  # a bound no count of children reaches: "no upper bound" that still adds and subtracts


def _roomy(rule: DisclosureRule) -> int:
    """A hidden count this large that the page gives no bound for can move by smallest_shown - 2 either
    way: enough for a small count beside it to be anything from 1 to smallest_shown - 1."""
    return rule.smallest_shown - 2


def _bounds(values: np.ndarray, labelled: np.ndarray, rule: DisclosureRule) -> tuple[np.ndarray, np.ndarray]:
    """What a reader knows of each hidden count (`labelled`: known to be small; the public edition's one wording
    labels none, so every hidden count is known only to be >= 0): 1-4 where labelled and the count is the small
    one (the children left out: 0-3 where numerator and denominator both are), else only that it is >= 0."""
    small = _small(values, rule)
    low, high = np.zeros(values.shape), np.full(values.shape, FAR)
    tight = small & labelled[:, None]
    tight[:, 2] = tight[:, 0] & tight[:, 1]
    low[:, :2] = np.where(tight[:, :2], 1.0, 0.0)
    high[:, :2] = np.where(tight[:, :2], rule.smallest_shown - 1.0, FAR)
    high[:, 2] = np.where(tight[:, 2], rule.smallest_shown - 2.0, FAR)
    return low, high


def decide(
    cells: pd.DataFrame, members: pd.DataFrame, rule: DisclosureRule, authority: str = "",
    forced: np.ndarray | None = None, previous: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Which cells are hidden: primary, and `forced`; then, within each month and KPI, secondary until in every
    sum each hidden count of 1-4 can be anything from 1 to 4 for all the others in it show, and no hidden count
    is pinned by the sums together; then each added-up period whose months are not all shown (a period's figure
    would otherwise be one more sum). `previous`: a decision already made of these cells, kept for every month
    and KPI with no cell forced beyond it (each is decided on its own)."""
    values = cells[list(COUNTS)].to_numpy(float)
    hidden = np.asarray(_small(values, rule).any(axis=1), dtype=bool)
    if forced is not None:  # hidden by an earlier version of the month: hidden still
        hidden |= forced
    # Every hidden figure reads alike (HIDDEN): the wording tells a reader nothing of which is small, so no
    # hidden count is known to be 1-4 beyond what the sums say.
    labelled = np.zeros(len(values), dtype=bool)
    is_month = cells["month"].to_numpy() == cells["step"].to_numpy()
    if len(members):
        # sums never cross a month or a KPI: each (month, KPI) is decided on its own, and the same wherever
        blocks = cells.groupby(["month", "kpi_id"], sort=False).ngroup().to_numpy()
        member_block = blocks[members["cell"].to_numpy()]
        order = np.argsort(member_block, kind="stable")
        bounds = np.searchsorted(member_block[order], np.arange(blocks.max() + 2))
        rem_all = remainders(cells, members)
        links = _rest_links(cells, members, rem_all, authority)
        for b in range(blocks.max() + 1):
            rows = order[bounds[b] : bounds[b + 1]]
            if not len(rows):
                continue
            relation_ids, rel = np.unique(members["relation"].to_numpy()[rows], return_inverse=True)
            if not hidden[members["cell"].to_numpy()[rows]].any() and not _small(rem_all[relation_ids], rule).any():
                continue  # nothing small in it, shown or by subtraction
            mine = np.flatnonzero(blocks == b)
            if previous is not None and not (hidden[mine] & ~previous[mine]).any():
                hidden[mine] = previous[mine]  # nothing new in it: decided as before
                continue
            local = np.searchsorted(mine, members["cell"].to_numpy()[rows])
            sorting = np.argsort(rel, kind="stable")
            block_hidden, block_labelled = hidden[mine], labelled[mine]
            position = {int(r): i for i, r in enumerate(relation_ids)}
            block_links = [[position[r] for r in link] for link in links if link[0] in position]
            _decide_block(
                values[mine], block_hidden, block_labelled, rel[sorting], local[sorting],
                members["sign"].to_numpy()[rows][sorting], rem_all[relation_ids], block_links, rule,
            )  # fmt: skip
            hidden[mine], labelled[mine] = block_hidden, block_labelled
    return _hide_periods(cells, hidden, is_month)


def _rest_links(cells: pd.DataFrame, members: pd.DataFrame, rem: np.ndarray, authority: str) -> list[list[int]]:
    """Sums of what is never shown: a cohort's rest (the unaccompanied children) in a total is the sum of
    its rests in the groups of each breakdown, and in the authority the sum of its rests in the areas, where
    those add up. Each link: [total's relation, the
    groups' relations ...]; the reader can form these from the sums, and saying so narrows more."""
    totals = members.loc[members["sign"] > 0, ["relation", "cell"]]
    parts = members.loc[members["sign"] < 0].drop_duplicates("relation").loc[:, ["relation", "cell"]]
    joined = totals.merge(parts, on="relation", suffixes=("", "_part"))
    total, part = (
        cells.loc[joined["cell"]].reset_index(drop=True),
        cells.loc[joined["cell_part"]].reset_index(drop=True),
    )
    is_cohort = (
        (total["cohort"] == "all")
        & (part["cohort"] != "all")
        & (total["group"] == part["group"])
        & (total["breakdown"] == part["breakdown"])
    )
    keyed = pd.DataFrame({"relation": joined["relation"], "month": total["month"], "area": total["area"],
                          "kpi_id": total["kpi_id"], "cohort": part["cohort"], "breakdown": total["breakdown"],
                          "group": total["group"]}).loc[is_cohort.to_numpy()]  # fmt: skip
    links = []
    # in an area, over the groups of each breakdown; in the authority, over its areas
    for on, keys, head_is in (
        (["month", "area", "kpi_id", "cohort", "breakdown"], ["month", "area", "kpi_id", "cohort"],
         keyed["breakdown"] == "total"),
        (["month", "kpi_id", "cohort", "breakdown", "group"], ["month", "kpi_id", "cohort", "breakdown", "group"],
         keyed["area"] == authority),
    ):  # fmt: skip
        heads = keyed.loc[head_is].drop_duplicates(keys).set_index(keys)["relation"]
        for key, parts in keyed.loc[~head_is].groupby(on):
            head = heads.get(tuple(k for k, c in zip(key, on, strict=True) if c in keys))
            ids = parts["relation"].to_numpy()
            if head is not None and np.allclose(np.nan_to_num(rem[int(head)]), np.nan_to_num(rem[ids]).sum(axis=0)):
                links.append([int(head), *map(int, ids)])
    return links


def _decide_block(
    values: np.ndarray, hidden: np.ndarray, labelled: np.ndarray, rel: np.ndarray, cell: np.ndarray,
    sign: np.ndarray, rem: np.ndarray, links: list[list[int]], rule: DisclosureRule,
) -> None:  # fmt: skip
    """Secondary suppression within one month and KPI, in place."""
    n_rel = int(rel.max()) + 1
    starts = np.searchsorted(rel, np.arange(n_rel + 1))
    blocks = np.zeros(len(values), dtype=int)
    while True:
        acted = 0
        needs = _needs_partner(values, hidden, labelled, rel, cell, sign, rem, n_rel, rule)
        for r in np.flatnonzero(needs.any(axis=1)):
            k = int(np.flatnonzero(needs[r])[0])
            members_of = slice(starts[r], starts[r + 1])
            acted += _act(cell[members_of], sign[members_of], values[:, k], hidden, labelled, rule)
        if acted:
            continue
        pinned = _pinned(values, hidden, rel, cell, sign, rem, blocks, rule)
        narrowed, rests = ([], []) if pinned else _narrowed(values, hidden, labelled, rel, cell, sign, rem, links, rule)
        for x in pinned or narrowed:
            # give room in the sum around it that has the fewest hidden figures and something left to change
            around = sorted(np.unique(rel[cell == x]), key=lambda r: hidden[cell[starts[r] : starts[r + 1]]].sum())
            k = int(np.flatnonzero(_small(values[x], rule))[0])
            for r in around:
                members_of = slice(starts[r], starts[r + 1])
                if _act(cell[members_of], sign[members_of], values[:, k], hidden, labelled, rule):
                    acted += 1
                    break
            if acted and pinned:
                break  # one at a time: the next may be unpinned by it
        for relation_id, count in rests:
            members_of = slice(starts[relation_id], starts[relation_id + 1])
            acted += _act(cell[members_of], sign[members_of], values[:, count], hidden, labelled, rule)
        if not acted:
            return


def _needs_partner(
    values: np.ndarray, hidden: np.ndarray, labelled: np.ndarray, rel: np.ndarray, cell: np.ndarray,
    sign: np.ndarray, rem: np.ndarray, n_rel: int, rule: DisclosureRule,
) -> np.ndarray:  # fmt: skip
    """Per relation and count: is a hidden count in it alone (worked out exactly), or a hidden count of 1-4
    unable, for the bounds of the others hidden with it, to be anything from 1 to 4?"""
    held = hidden[cell]
    low, high = _bounds(values, labelled, rule)
    count_hidden = np.bincount(rel, weights=held, minlength=n_rel)
    out = np.zeros((n_rel, len(COUNTS)), dtype=bool)
    top = rule.smallest_shown - 1.0
    for k in range(len(COUNTS)):
        v, lo, hi = values[cell, k], low[cell, k], high[cell, k]
        # how far each hidden member can move the sum: s x (bound - value), either way
        ends = np.stack([sign * (lo - v), sign * (hi - v)])
        least = np.where(held, ends.min(axis=0), 0.0)
        most = np.where(held, ends.max(axis=0), 0.0)
        r = rem[:, k]
        free_rest = np.nan_to_num(r) > 0  # the rest (a part never shown) moves the sum from -FAR to +rest
        least_sum = np.bincount(rel, weights=least, minlength=n_rel) - np.where(free_rest, FAR, 0.0)
        most_sum = np.bincount(rel, weights=most, minlength=n_rel) + np.where(free_rest, r, 0.0)
        sensitive = held & _small(v, rule)
        a, b = least_sum[rel] - least, most_sum[rel] - most
        reach = top - (high[cell, k] == rule.smallest_shown - 2.0)  # '<5' of '<5' leaves out at most 3
        stuck = sensitive & ~(_within(-sign * (1 - v), a, b) & _within(-sign * (reach - v), a, b))
        unprotected = np.bincount(rel, weights=stuck, minlength=n_rel) > 0
        rest_small = _small(r, rule)  # the rest, a part: to reach 1 and 4 the others move it by rest - 1 ...
        a_rest, b_rest = least_sum + FAR, most_sum - np.nan_to_num(r)
        rest_stuck = rest_small & ~(_within(1 - r, a_rest, b_rest) & _within(top - r, a_rest, b_rest))
        unknowns = count_hidden + free_rest
        # a hidden numerator or denominator worked out exactly can no longer protect another; the children
        # a percentage leaves out only matter where they are few (above)
        lone = (count_hidden >= 1) & (unknowns == 1) & (k < 2)
        out[:, k] = ~np.isnan(r) & (lone | unprotected | rest_stuck)
    return out


def _within(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.asarray((x >= low - 1e-9) & (x <= high + 1e-9), dtype=bool)


def _act(
    cells: np.ndarray, signs: np.ndarray, values: np.ndarray, hidden: np.ndarray, labelled: np.ndarray,
    rule: DisclosureRule,
) -> int:  # fmt: skip
    """Give a relation room: hide its smallest figure with room to move (`values`: the count that needs it),
    a group or area before a total; else the largest there is; with nothing left to hide, let its largest
    '<5' read 'withheld'. Returns 1 if anything changed."""
    v = values[cells]
    free = ~hidden[cells] & ~np.isnan(v)
    if free.any():
        spacious = free & (v >= _roomy(rule))
        for pool in (spacious & (signs < 0), spacious):
            if pool.any():
                options = np.flatnonzero(pool)
                hidden[cells[options[np.argmin(v[options])]]] = True
                return 1
        options = np.flatnonzero(free)
        hidden[cells[options[np.argmax(v[options])]]] = True
        return 1
    bounded = labelled[cells] & hidden[cells]
    if bounded.any():
        options = np.flatnonzero(bounded)
        labelled[cells[options[np.argmax(np.nan_to_num(v[options]) + (signs[options] > 0))]]] = False
        return 1
    return 0


def _hide_periods(cells: pd.DataFrame, hidden: np.ndarray, is_month: np.ndarray) -> np.ndarray:
    months = cells.loc[is_month, ["area", "kpi_id", "month"]].assign(hidden=hidden[is_month])
    out = hidden.copy()
    for label, part in cells.loc[~is_month].groupby("month"):
        period = _period_months(str(label), str(part["step"].iloc[0]))
        any_hidden = months.loc[months["month"].isin(period)].groupby(["area", "kpi_id"])["hidden"].any()
        keys = pd.MultiIndex.from_frame(part[["area", "kpi_id"]])
        out[part.index.to_numpy()] |= any_hidden.reindex(keys, fill_value=False).to_numpy()
    return out


def _period_months(label: str, end: str) -> list[str]:
    return next(months for name, months in periods_ending(end) if name == label)


def _pinned(
    values: np.ndarray, hidden: np.ndarray, rel: np.ndarray, cell: np.ndarray, sign: np.ndarray, rem: np.ndarray,
    blocks: np.ndarray, rule: DisclosureRule,
) -> list[int]:  # fmt: skip
    """Hidden cells with a count of 1-4 that the exact sums, taken together, pin to one value (a numerator
    or denominator; the children a percentage leaves out, when both are pinned)."""
    pinned_in = np.zeros((len(values), 2), dtype=bool)
    held = hidden[cell]
    for k in (0, 1):
        exact = ~np.isnan(rem[:, k]) & (rem[:, k] <= 0)  # parts add up to the total: an equation
        use = exact[rel] & held
        for block in np.unique(blocks[cell[use]]):
            here = use & (blocks[cell] == block)
            rows = np.unique(rel[here])
            columns = np.unique(cell[here])
            at_row, at_column = np.searchsorted(rows, rel[here]), np.searchsorted(columns, cell[here])
            # sums that share no hidden count are apart: each group of linked sums is solved on its own
            group = _linked(at_row, at_column, len(columns))
            for one in np.unique(group):
                chosen = group[at_column] == one
                sub_rows = np.unique(at_row[chosen])
                sub_columns = np.flatnonzero(group == one)
                matrix = np.zeros((len(sub_rows), len(sub_columns)))
                matrix[np.searchsorted(sub_rows, at_row[chosen]), np.searchsorted(sub_columns, at_column[chosen])] = (
                    sign[here][chosen]
                )
                _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
                rank = int((singular > 1e-9).sum())
                # a count is pinned where it lies in the sums' row space: no direction the hidden counts can move
                # in together moves it (1 - its diagonal of the row-space projector is 0)
                free = 1.0 - (vt[:rank] ** 2).sum(axis=0)
                pinned_in[columns[sub_columns], k] = free < 1e-12
    small = _small(values, rule)
    return [
        int(x)
        for x in np.flatnonzero(hidden)
        if (small[x, 0] and pinned_in[x, 0])
        or (small[x, 1] and pinned_in[x, 1])
        or (small[x, 2] and pinned_in[x, 0] and pinned_in[x, 1])
    ]


def _linked(row: np.ndarray, column: np.ndarray, n_columns: int) -> np.ndarray:
    """Per column (a hidden count), the group of counts linked to it through sums (`row`, `column`: the
    matrix's entries): union-find over the sums."""
    parent = list(range(n_columns))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = np.argsort(row, kind="stable")
    first_in_row: dict[int, int] = {}
    for r, c in zip(row[order].tolist(), column[order].tolist(), strict=True):
        head = first_in_row.setdefault(r, c)
        a, b = root(head), root(c)
        if a != b:
            parent[b] = a
    return np.array([root(c) for c in range(n_columns)])


def _narrowed(
    values: np.ndarray, hidden: np.ndarray, labelled: np.ndarray, rel: np.ndarray, cell: np.ndarray,
    sign: np.ndarray, rem: np.ndarray, links: list[list[int]], rule: DisclosureRule,
) -> tuple[list[int], list[tuple[int, int]]]:  # fmt: skip
    """Hidden cells with a count of 1-4 (and sums whose rest is such a count, with the count) that the sums,
    taken together with what each hidden count is known to be, keep from reaching 1 or 4. Bounds are
    propagated from sum to sum (each count's range, from the others' ranges in each sum it is in, until none
    narrows): what this finds is narrowed for certain; the tests' integer programme looks for anything it
    misses."""
    low, high = _bounds(values, labelled, rule)
    held_cells = np.flatnonzero(hidden)
    n_vars = 0
    var = np.full((len(values), 3), -1)
    for k in range(3):
        ok = ~np.isnan(values[held_cells, k])
        var[held_cells[ok], k] = np.arange(n_vars, n_vars + ok.sum())
        n_vars += int(ok.sum())
    lo = np.zeros(n_vars)
    hi = np.full(n_vars, np.inf)
    for k in range(3):
        at = var[:, k] >= 0
        lo[var[at, k]] = low[at, k]
        hi[var[at, k]] = np.where(high[at, k] >= FAR, np.inf, high[at, k])
    rows: list[tuple[np.ndarray, np.ndarray, float]] = []  # (variables, coefficients, constant): sum = constant
    held = hidden[cell]
    rest_of: dict[tuple[int, int], int] = {}
    by_relation = np.argsort(rel, kind="stable")  # each relation's members, in order, without a scan per relation
    with_hidden = np.unique(rel[held])
    first = np.searchsorted(rel[by_relation], with_hidden, side="left")
    last = np.searchsorted(rel[by_relation], with_hidden, side="right")
    for k in range(3):  # the children left out add up as the counts do: saying so narrows more
        for r, start, end in zip(with_hidden, first, last, strict=True):
            if np.isnan(rem[r, k]):
                continue
            here = by_relation[start:end]
            unknown, known = here[held[here]], here[~held[here]]
            constant = -float((sign[known] * values[cell[known], k]).sum())
            variables, coefficients = list(var[cell[unknown], k]), list(sign[unknown].astype(float))
            if rem[r, k] > 0:  # the rest, never shown: a count of its own, >= 0 (its bounds added below)
                rest_of[(r, k)] = n_vars
                variables.append(n_vars)
                coefficients.append(-1.0)
                n_vars += 1
            else:
                constant += float(rem[r, k])
            rows.append((np.array(variables), np.array(coefficients), constant))
    lo, hi = np.append(lo, np.zeros(len(rest_of))), np.append(hi, np.full(len(rest_of), np.inf))
    for c in held_cells:  # the children a percentage leaves out: denominator - numerator
        if var[c, 2] >= 0:
            rows.append((np.array([var[c, 1], var[c, 0], var[c, 2]]), np.array([1.0, -1.0, -1.0]), 0.0))
    for head, *groups in links:  # rest in the total = the rests in the groups
        for k in range(3):
            if np.isnan(rem[head, k]) or not any((r, k) in rest_of for r in (head, *groups)):
                continue
            ids, coefs, constant = [], [], 0.0
            for r, coef in ((head, 1.0), *((g, -1.0) for g in groups)):
                if (r, k) in rest_of:
                    ids.append(rest_of[(r, k)])
                    coefs.append(coef)
                else:
                    constant -= coef * float(np.nan_to_num(rem[r, k]))
            rows.append((np.array(ids), np.array(coefs), constant))
    for (r, k), v in rest_of.items():
        if k == 0 and (r, 1) in rest_of and (r, 2) in rest_of:  # the rest's own denominator - numerator
            rows.append((np.array([rest_of[(r, 1)], v, rest_of[(r, 2)]]), np.array([1.0, -1.0, -1.0]), 0.0))
    _propagate(rows, lo, hi)
    small = _small(values, rule)
    top = rule.smallest_shown - 1
    cells_out: list[int] = []
    for c in held_cells:
        for k in range(3):
            if small[c, k] and var[c, k] >= 0:
                reach = top - 1 if (k == 2 and high[c, 2] == rule.smallest_shown - 2.0) else top
                if lo[var[c, k]] > 1 or hi[var[c, k]] < reach:
                    cells_out.append(int(c))
                    break
    rests_out = [
        (r, k) for (r, k), v in rest_of.items() if _small(rem[r, k : k + 1], rule)[0] and (lo[v] > 1 or hi[v] < top)
    ]
    return cells_out, rests_out


def _propagate(rows: list[tuple[np.ndarray, np.ndarray, float]], lo: np.ndarray, hi: np.ndarray) -> None:
    """Narrow each count's [lo, hi] (in place) from the others' in every sum it is in, until none narrows."""
    if not rows:
        return
    row = np.concatenate([np.full(len(ids), i) for i, (ids, _, _) in enumerate(rows)])
    var = np.concatenate([ids for ids, _, _ in rows]).astype(int)
    coef = np.concatenate([coefs for _, coefs, _ in rows])
    constant = np.array([c for _, _, c in rows])
    n_rows = len(rows)
    for _ in range(200):
        least = np.where(coef > 0, lo[var], -hi[var])  # coef x counted at its smallest ...
        most = np.where(coef > 0, hi[var], -lo[var])  # ... and largest
        least_finite, least_open = np.where(np.isfinite(least), least, 0.0), ~np.isfinite(least)
        most_finite, most_open = np.where(np.isfinite(most), most, 0.0), ~np.isfinite(most)
        others_least = np.bincount(row, least_finite, n_rows)[row] - least_finite
        others_least[(np.bincount(row, least_open, n_rows)[row] - least_open) > 0] = -np.inf
        others_most = np.bincount(row, most_finite, n_rows)[row] - most_finite
        others_most[(np.bincount(row, most_open, n_rows)[row] - most_open) > 0] = np.inf
        # coef x = constant - the others, and coef is +1 or -1
        one, other = (constant[row] - others_most) * coef, (constant[row] - others_least) * coef
        new_lo, new_hi = lo.copy(), hi.copy()
        np.maximum.at(new_lo, var, np.ceil(np.minimum(one, other) - 1e-9))
        np.minimum.at(new_hi, var, np.floor(np.maximum(one, other) + 1e-9))
        if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            return
        lo[:], hi[:] = new_lo, new_hi


# A count that is the same children in two figures, as (figure, count): (KPI or measure, numerator or
# denominator). Whoever sees one sees the other, so the two are hidden together.
Twin = tuple[tuple[str, str], tuple[str, str]]


def suppressed(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:  # fmt: skip
    """Every figure that may be published up to the last month of `figures`, which of them are hidden, and
    the sums a reader can form among them (relation, cell, sign). `cohorts`: the cohorts and breakdowns the
    figures were measured by (default parameters/cohorts.yaml: every caller decides with the same sums, so every
    output hides the same). `same_children`: counts two figures share (a KPI's children looked after are another's
    denominator): where either is hidden, both are, and each figure's own sums are made safe again.
    `already_hidden`: keys hidden by a version of these months already published: hidden again."""
    cohorts = cohorts if cohorts is not None else load_cohorts()
    cells = figure_cells(figures, catalogue)
    members = relations(cells, authority, cohorts, rule)
    forced = _keys_in(cells, already_hidden) if already_hidden is not None else np.zeros(len(cells), dtype=bool)
    hidden = decide(cells, members, rule, authority, forced)
    for _ in range(SETTLE_ROUNDS):
        together = _hidden_with_twins(cells, hidden, same_children)
        if not (together & ~hidden).any():
            return cells, hidden, members
        forced = forced | together
        hidden = decide(cells, members, rule, authority, forced, previous=hidden)
    raise RuntimeError(f"disclosure control did not settle in {SETTLE_ROUNDS} rounds of figures hidden together")


SETTLE_ROUNDS = 20  # each round hides more figures, so it ends: this many is far beyond any seen


def _keys_in(cells: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Per cell, whether its key (month or period, area, KPI, cohort, breakdown, group) is among `keys`."""
    probe = (
        cells.loc[:, list(KEYS)]
        .astype(str)
        .merge(keys.loc[:, list(KEYS)].astype(str).drop_duplicates().assign(_in=True), on=list(KEYS), how="left")
    )
    return probe["_in"].fillna(False).to_numpy(dtype=bool)


def _hidden_with_twins(cells: pd.DataFrame, hidden: np.ndarray, same_children: tuple[Twin, ...]) -> np.ndarray:
    """`hidden`, and every cell sharing a count with a hidden cell (the same month, area, cohort and group)."""
    out = hidden.copy()
    on = ["month", "area", "cohort", "breakdown", "group"]
    for (one, _), (other, _) in same_children:
        a = cells.loc[cells["kpi_id"] == one, on].assign(a=lambda f: f.index)
        b = cells.loc[cells["kpi_id"] == other, on].assign(b=lambda f: f.index)
        pairs = a.merge(b, on=on)
        either = hidden[pairs["a"].to_numpy()] | hidden[pairs["b"].to_numpy()]
        out[pairs.loc[either, "a"].to_numpy()] = True
        out[pairs.loc[either, "b"].to_numpy()] = True
    return out


LOG_COLUMNS = (*KEYS, "numerator", "denominator", "complement", "reason", "protects", "sum")


@dataclass(frozen=True)
class Decision:
    """A month's one decision: the keys of every hidden figure (`hidden_keys`'s frame) and why each is hidden."""

    hidden: pd.DataFrame
    log: pd.DataFrame


def decision(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None,
) -> Decision:  # fmt: skip
    """What `hidden_keys` hides, with `disclosure_log`'s reasons, from one decision."""
    found = suppressed(
        figures, catalogue, rule, authority, cohorts, same_children=same_children, already_hidden=already_hidden
    )
    cells, hidden, _ = found
    keys = cells.loc[hidden, list(KEYS)].assign(shown=HIDDEN).reset_index(drop=True)
    return Decision(keys, _log(*found, rule, already_hidden))


def disclosure_log(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """A reason for every hidden figure, for the data-protection officer (the internal edition's
    disclosure-log.csv): `reason` primary (its numerator, denominator or the children a percentage leaves out
    are 1-4: which), secondary (hidden so that `protects`, hidden in `sum` with it, cannot be worked out), a
    period with a hidden month, the same children as a hidden figure of another KPI, or hidden by a version
    already published. Its exact counts are beside it: this log is not for publication."""
    found = suppressed(
        figures, catalogue, rule, authority, cohorts, same_children=same_children, already_hidden=already_hidden
    )
    return _log(*found, rule, already_hidden)


def _log(
    cells: pd.DataFrame, hidden: np.ndarray, members: pd.DataFrame, rule: DisclosureRule,
    already_hidden: pd.DataFrame | None,
) -> pd.DataFrame:  # fmt: skip
    values = cells[list(COUNTS)].to_numpy(float)
    small = _small(values, rule)
    earlier = _keys_in(cells, already_hidden) if already_hidden is not None else np.zeros(len(cells), dtype=bool)
    keys = cells.loc[:, list(KEYS)].astype(str).to_numpy()
    is_month = (cells["month"] == cells["step"]).to_numpy()
    # the sums each hidden cell is in, and their hidden members and totals
    cell, relation, sign = (members[c].to_numpy() for c in ("cell", "relation", "sign"))
    held = hidden[cell]
    relations_of: dict[int, list[int]] = {}
    for c, r in zip(cell[held], relation[held], strict=True):
        relations_of.setdefault(int(c), []).append(int(r))
    hidden_in: dict[int, list[int]] = {}
    for c, r in zip(cell[held], relation[held], strict=True):
        hidden_in.setdefault(int(r), []).append(int(c))
    total_of = dict(zip(relation[sign > 0].tolist(), cell[sign > 0].tolist(), strict=True))
    rows = []
    for c in np.flatnonzero(hidden):
        primary = [COUNTS[k] for k in range(len(COUNTS)) if small[c, k]]
        protects, where = "", ""
        if primary:
            reason = "primary: " + ", ".join(primary) + f" of 1-{rule.smallest_shown - 1}"
        elif earlier[c]:
            reason = "hidden by a version of this month already published"
        elif not is_month[c]:
            reason = "period: a month in it is hidden"
        else:
            reason = "secondary"
            for r in relations_of.get(int(c), []):
                others = [o for o in hidden_in[r] if o != c]
                if others:
                    protects = "; ".join(" / ".join(keys[o]) for o in others)
                    where = "total " + " / ".join(keys[total_of[r]])
                    break
            else:
                reason = "the same children as a hidden figure of another KPI"
        rows.append((*keys[c], *values[c], reason, protects, where))
    return pd.DataFrame(rows, columns=list(LOG_COLUMNS))


HIDDEN = "c"  # what stands for every hidden figure (the DfE's symbol): one wording, so it says nothing of size


def hidden_keys(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The keys (month or period, area, KPI, cohort, breakdown, group) of every figure to hide; `shown`: HIDDEN,
    what stands for each, alike whether it is small or hidden to protect another."""
    cells, mask, _ = suppressed(
        figures, catalogue, rule, authority, cohorts, same_children=same_children, already_hidden=already_hidden
    )
    log.info(
        "disclosure control: %d of %d figures hidden, up to %s",
        int(mask.sum()), len(cells), cells["step"].max() if len(cells) else "-",
    )  # fmt: skip
    return cells.loc[mask, list(KEYS)].assign(shown=HIDDEN).reset_index(drop=True)


def no_hidden() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in (*KEYS, "shown")})


def _shown(frame: pd.DataFrame, hidden: pd.DataFrame, month_column: str | None, month: str | None) -> np.ndarray:
    """Per row of `frame`, what a hidden figure shows instead ('' where it is shown)."""
    keys = [k for k in KEYS if k != "month"]
    probe = frame.loc[:, keys].copy()
    probe["month"] = frame[month_column] if month_column else month
    joined = probe.merge(hidden, on=list(KEYS), how="left")
    return joined["shown"].fillna("").astype(str).to_numpy()


def hide_in_card(card: pd.DataFrame, hidden: pd.DataFrame, month: str, previous: str) -> pd.DataFrame:
    """The scorecard with hidden figures blanked and flagged: `withheld` and `previous_withheld` say what
    each shows instead ('' where it is shown). A hidden figure has no rating, and no direction beside it
    ("fell from c to c", or "Amber" against 90/80, would narrow it)."""
    out = card.copy()
    out["withheld"] = _shown(out, hidden, None, month)
    out["previous_withheld"] = _shown(out, hidden, None, previous)
    out["suppressed"] = out["withheld"] != ""
    out["previous_suppressed"] = out["previous_withheld"] != ""
    for column in NOW_COLUMNS:
        if column in out:
            out.loc[out["suppressed"], column] = np.nan
    for column in PREVIOUS_COLUMNS:
        if column in out:
            out.loc[out["previous_suppressed"], column] = np.nan
    for rag, flag in (("rag", "suppressed"), ("previous_rag", "previous_suppressed")):
        if rag in out:
            out.loc[out[flag], rag] = rating.NOT_SHOWN
    if "direction" in out:
        either = out["suppressed"] | out["previous_suppressed"]
        out.loc[either, "direction"] = rating.NOT_SHOWN
    return out


def hide_in_history(history: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """Month-by-month rows (with a `month` column) with hidden figures blanked, unrated and flagged."""
    out = history.copy()
    out["withheld"] = _shown(out, hidden, "month", None)
    out["suppressed"] = out["withheld"] != ""
    for column in FIGURES:
        if column in out:
            out.loc[out["suppressed"], column] = np.nan
    if "rag" in out:
        out.loc[out["suppressed"], "rag"] = rating.NOT_SHOWN
    return out


# Only disclosure control makes a Published view: the token below is this module's own.
_DISCLOSURE_CONTROL = object()


@dataclass(frozen=True)
class Published:
    """Figures as they may leave the analyst's machine, in one edition: made only here. The public edition
    holds no figure it may not show, and everything worked out from one (`derived`) is worked out from what
    it shows; the internal edition holds every figure, for the council's own staff. A CSV is written from
    this type, never from a frame (`published_csv`), and says which edition it is."""

    frame: pd.DataFrame
    edition: Edition
    made_by: InitVar[object] = None

    def __post_init__(self, made_by: object) -> None:
        if made_by is not _DISCLOSURE_CONTROL:
            raise TypeError("a Published view is made by disclosure control only (lacperf_helpers.disclose)")

    def _repr_html_(self) -> str | None:  # shown as its table in JupyterLab
        shown: str | None = self.frame._repr_html_()  # type: ignore[operator]
        return shown


def _published(frame: pd.DataFrame, edition: Edition) -> Published:
    return Published(frame, edition, _DISCLOSURE_CONTROL)


def publish_figures(figures: pd.DataFrame, hidden: pd.DataFrame, edition: Edition) -> Published:
    """Every figure as the edition shows it: the public edition's hidden figures blanked and flagged
    (`withheld`, `suppressed`), before anything is worked out from them; the internal edition's all shown."""
    if edition is Edition.INTERNAL:
        return _published(figures.assign(withheld="", suppressed=False), edition)
    return _published(hide_in_history(figures, hidden), edition)


def derived(view: Published, work_out: Callable[[pd.DataFrame], pd.DataFrame]) -> Published:
    """What is worked out from published figures alone (ratings, changes, trends, the quarter's sums) is
    itself as published as they are: no figure it may not show goes in, so none can come out."""
    return _published(work_out(view.frame), view.edition)


def publish_card(card: Published, hidden: pd.DataFrame, month: str, previous: str) -> Published:
    """The month's scorecard, rated from published figures, with each hidden figure flagged and unrated
    (`hide_in_card`); in the internal edition nothing is hidden."""
    shown = no_hidden() if card.edition is Edition.INTERNAL else hidden
    return derived(card, lambda frame: hide_in_card(frame, shown, month, previous))


def published_rows(view: Published, rows: pd.Series | None = None, columns: list[str] | None = None) -> Published:
    """Some rows and columns of a published view: still published (nothing hidden is shown by leaving out)."""
    frame = view.frame if rows is None else view.frame.loc[rows]
    return _published(frame.loc[:, [c for c in columns if c in frame.columns]] if columns else frame, view.edition)


# In a CSV, each hidden figure's cells read HIDDEN: the flag column of each kind of figure, and its cells.
_HIDDEN_CELLS = {
    "withheld": (*NOW_COLUMNS, "rag"),
    "previous_withheld": (*PREVIOUS_COLUMNS, "previous_rag"),
}


def published_csv(view: Published) -> str:
    """The view as CSV, for a spreadsheet: every hidden figure's cells read 'c' (as the DfE publishes), and an
    `edition` column says which edition every row is ('internal: not for publication')."""
    frame = view.frame.drop(columns=[c for c in view.frame.columns if c.endswith("suppressed")])
    flags = {
        **_HIDDEN_CELLS,
        **{f"{p}withheld": (*(p + c for c in FIGURES), p + "rag") for p in _period_prefixes(frame)},
    }
    for flag, columns in flags.items():
        if flag not in frame:
            continue
        hidden = frame[flag].astype(str) != ""
        for column in columns:
            if column in frame and hidden.any():
                frame[column] = frame[column].astype(object).where(~hidden, HIDDEN)
    return csv_text(frame.assign(edition=MARKS[view.edition]))


# "Figures as shown": the columns a page shows as a KPI's value (to its decimals) and as counts (whole, or to
# one decimal for full-time equivalents), by the ends of their names (this month's, last month's, a period's).
_SHOWN_AS_VALUES = ("value", "target", "floor", "england", "change")
_SHOWN_AS_COUNTS = ("numerator", "denominator", "numerator_change", "denominator_change", "children_to_change_rating")


def shown_csv(view: Published, decimals: pd.Series, words: dict[str, pd.Series] | None = None) -> str:
    """`published_csv` of the figures as a page shows them, for its "download this table": each value to its
    KPI's `decimals` (a Series on the view's rows: 59.9, not 59.86159169550173), counts whole (or to one
    decimal: full-time equivalents), and each column of `words` (Series on the same rows) in the page's words
    ('Normal variation', not the SPC term 'Common cause'). Hidden figures read 'c' as in `published_csv`."""
    frame = view.frame.copy()
    places = decimals.reindex(frame.index)
    for column in frame.columns:
        if column.endswith(_SHOWN_AS_VALUES) and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = [_to_places(v, d) for v, d in zip(frame[column], places, strict=True)]
        elif column.endswith(_SHOWN_AS_COUNTS) and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = [_as_count(v) for v in frame[column]]
    for column, shown in (words or {}).items():
        if column in frame:
            frame[column] = shown.reindex(frame.index).fillna("")
    return published_csv(_published(frame, view.edition))


def _to_places(value: object, decimals: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    places = 1 if decimals is None or pd.isna(decimals) else int(decimals)  # type: ignore[call-overload]
    return f"{float(value):.{places}f}"  # type: ignore[arg-type]


def _as_count(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    text = f"{float(value):.1f}"  # type: ignore[arg-type]
    return text.removesuffix(".0")


def shown_table_csv(columns: tuple[str, ...], rows: list[tuple[str, ...]], edition: Edition) -> str:
    """A page's table as its cells read, for "download this table" where the table is made of figures already
    published (the DfE's national tables, rates shown only where their count is), with the edition's mark."""
    frame = pd.DataFrame(rows, columns=list(columns))
    return csv_text(frame.assign(edition=MARKS[edition]))


def _period_prefixes(frame: pd.DataFrame) -> list[str]:
    return [c.removesuffix("withheld") for c in frame.columns if c.endswith("_withheld") and c != "previous_withheld"]


def hide_in_measures(
    table: pd.DataFrame, rule: DisclosureRule, authority: str, cohorts: CohortCatalogue | None = None,
    edition: Edition = Edition.PUBLIC, same_children: tuple[Twin, ...] = (),
) -> Published:  # fmt: skip
    """The SSDA903 measures table for export. Public: its small figures hidden (`withheld` says what stands for
    each), decided as the KPI measured by a measure decides it (the same figures, the same sums); cohorts and
    breakdowns not published exactly (`CohortCatalogue.published_exactly`) not shown at all. Internal: every
    figure exact."""
    if edition is Edition.INTERNAL:
        return _published(table.assign(withheld=""), edition)
    figures = table.rename(columns={"measure": "kpi_id"})
    exact = _published_exactly(figures, cohorts)
    hidden = hidden_keys(
        figures.loc[exact], None, rule, authority, cohorts and cohorts.exact_only(), same_children=same_children
    )
    # Cohorts with conditions beyond UASC and breakdowns of the file's own overlap the exact ones every way: no
    # pattern of hidden cells covers every difference a reader can form, and counts rounded to the nearest 5
    # beside exact ones still narrowed hidden counts (an age group 0-4 of 15, rounded, less an exact 1-4 of 15,
    # put the hidden under-1s at 0-2; the audit found 22 such on the sample). They are the internal edition's.
    inexact = figures.loc[~exact, list(KEYS)].assign(shown=HIDDEN)
    hidden = pd.concat([hidden, inexact], ignore_index=True)
    out = hide_in_history(figures, hidden).rename(columns={"kpi_id": "measure"})
    return _published(out.drop(columns="suppressed"), edition)


def _published_exactly(figures: pd.DataFrame, cohorts: CohortCatalogue | None) -> pd.Series:
    if cohorts is None:
        return pd.Series(True, index=figures.index)
    pairs = zip(figures["cohort"], figures["breakdown"], strict=True)
    return pd.Series([cohorts.published_exactly(c, b) for c, b in pairs], index=figures.index, dtype=bool)


def hide_in_periods(card: pd.DataFrame, quarter: str, hidden: pd.DataFrame, catalogue: KpiCatalogue) -> pd.DataFrame:
    """A quarter's card (columns `<prefix>numerator` ...: the quarter, the previous quarter, the same quarter
    last year, the year to date, 12 months), every area's rows, with the figures the month's decision hides
    hidden: an added-up period by its own label, any other KPI's period by its last month's figure.
    `<prefix>withheld` says what stands for each."""
    summed = card["kpi_id"].isin({k.id for k in catalogue.kpis if k.aggregation == "sum"})
    out = card.assign(cohort="all", breakdown="total", group="all")
    for prefix, (label, end) in period_keys(quarter).items():
        if prefix + "numerator" not in out:
            continue
        as_summed = _shown(out, hidden, None, label)
        as_latest = _shown(out, hidden, None, end)
        out[prefix + "withheld"] = np.where(summed, as_summed, as_latest)
        for column in FIGURES:
            out.loc[out[prefix + "withheld"] != "", prefix + column] = np.nan
        if prefix + "rag" in out:
            out.loc[out[prefix + "withheld"] != "", prefix + "rag"] = rating.NOT_SHOWN
    for direction, prefix in (("direction", "previous_quarter_"), ("direction_on_last_year", "last_year_")):
        if direction in out and prefix + "withheld" in out:
            either = (out["withheld"] != "") | (out[prefix + "withheld"] != "")
            out.loc[either, direction] = rating.NOT_SHOWN
    return out.drop(columns=["cohort", "breakdown", "group"])
