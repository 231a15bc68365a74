"""The flows of each cohort and group as one table of areas by months, with the twelve-month totals as sums.

flows.py makes the stocks and flows safe one month and area at a time. A reader also adds a year of monthly
tables up (adoption's denominator, the children who ceased in the 12 months, is exactly its months' ceasings:
`measures.registry.ROLLING_TOTALS`) and adds the areas up to the authority, over every month at once: a table of
areas by months whose rows (an area's twelve-month totals) and columns (the authority's month) are shown gives
back a hidden month of one area that no one month's or area's sum pins (a reader's attack on 29fd64b got 3
counts of 1-4 back so: West Kent's ceasings and starts in September 2019, and its starts in September 2018, a
month before any extract, published nowhere).

So the measures table's decision of a month forms, per cohort, breakdown and group, one linear system over the
counts of the flows' measures in every area and the `HORIZON` months to it: each flow of each area and month,
each twelve-month total as the sum of its months, each month's areas as their authority. A count is shown (a
figure carrying it is: the month's own decision, an earlier month's, or the pages' of the months before any
extract, all in `FlowRule.history`), hidden, or not published (a count no figure carries, a month before any
extract's starts: a reader works it out or does not). The month may give back nothing its own figures did not:
a count hidden to protect it, or a not-published count of 1-4, that the system pins to one value but would not
pin with the month's own counts unknown is protected by hiding one of the month's own shown counts (`_to_hide`:
the count's own area's first, the authority's last, then `FLOW_HIDING_ORDER`; the children looked after at the
month end, the headline, only where nothing else will do), until none is.
The system is the same for every round of the decision but for which of the month's counts are shown, so its
null space is worked out once with the month's counts unknown, and each round only asks which of its
directions the shown ones fix. The cohort's breakdown groups adding to its total are not in one system with
the areas and months (the solver's sums hold them month by month).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import DisclosureRule
from lacperf_helpers.config.vocabulary import TOTAL
from lacperf_helpers.disclose.flows import PLACE, FlowRule, month_number
from lacperf_helpers.disclose.sums import KEYS, Count

HORIZON = 13  # months of flows and totals in a system: each twelve-month total sharing a month with the month's
FREE = 1e-9  # a count whose squared reach into the system's null space is below this is pinned
RANK = 1e-9  # a singular value below this share of the largest is zero (the system's rank)
SHOWN, HIDDEN, UNPUBLISHED = range(3)
TABLE_REASON = "stocks and flows over areas and months: shown, it and the year before would give a hidden count back"

Variable = tuple[tuple[str, str], str, int]  # (measure, count), area, month number


@dataclass(frozen=True)
class Template:
    """The system's rows (one per flow, twelve-month total and areas' sum) over its variables, the same for every
    cohort, breakdown and group."""

    variables: list[Variable]
    matrix: np.ndarray  # rows x variables

    @classmethod
    def of(cls, rule: FlowRule, areas: list[str], authority: str, month: int) -> Template:
        first = month - HORIZON + 1
        rows: list[dict[Variable, float]] = []
        totals = {r.total for r in rule.rolling}
        for area in areas:
            for k in range(first, month + 1):
                for flow in rule.flows:  # the differences of two twelve-month totals are the sums' own
                    if any((t.measure, t.count) in totals for t in flow.terms):
                        continue
                    row: dict[Variable, float] = {}
                    for t in flow.terms:
                        key = ((t.measure, t.count), area, k - t.months_back)
                        row[key] = row.get(key, 0.0) + t.sign
                    rows.append(row)
                for rolling in rule.rolling:
                    row = {(rolling.total, area, k): 1.0}
                    for back in range(rolling.months):
                        row[(rolling.of, area, k - back)] = -1.0
                    rows.append(row)
        variables = sorted({v for row in rows for v in row})
        if authority in areas:
            for count, k in sorted({(c, k) for c, _, k in variables}):
                row = {(count, a, k): 1.0 for a in areas if a != authority}
                row[(count, authority, k)] = -1.0
                rows.append(row)
            variables = sorted({v for row in rows for v in row})
        index = {v: i for i, v in enumerate(variables)}
        matrix = np.zeros((len(rows), len(variables)))
        for i, row in enumerate(rows):
            for v, sign in row.items():
                matrix[i, index[v]] += sign
        return cls(variables, matrix)


@dataclass
class Place:
    """One cohort, breakdown and group's system: each variable's state and value, the month's own counts (the
    cells carrying each), and (`solve`, once a round finds one of the month's counts shown) the null space of
    the system with the month's own counts unknown."""

    state: np.ndarray  # variables: SHOWN, HIDDEN or UNPUBLISHED, the month's own as first decided
    value: np.ndarray  # variables: the count (NaN: not known to the decision)
    protected: np.ndarray  # variables: hidden in an earlier month to protect it (not its figure's other count)
    own: dict[int, tuple[np.ndarray, np.ndarray]]  # variable -> the cells carrying it (the month's own), and count
    unknown: np.ndarray  # the variables unknown with the month's own counts unknown (indices)
    null: np.ndarray | None = None  # unknown x directions: the null space of the system's columns of `unknown`
    pinned_before: np.ndarray | None = None  # unknown: pinned with the month's own counts unknown

    def solve(self, template: Template) -> None:
        if self.null is not None:
            return
        matrix = template.matrix[:, self.unknown]
        matrix = matrix[np.abs(matrix).sum(axis=1) > 0]
        self.null = _null_space(matrix, len(self.unknown))
        self.pinned_before = (self.null**2).sum(axis=1) < FREE


@dataclass
class FlowTables:
    """The table of areas by months of every cohort, breakdown and group of a month's measures decision."""

    rule: FlowRule
    template: Template
    places: list[Place]
    authority: str

    @classmethod
    def of(cls, rule: FlowRule, cells: pd.DataFrame, authority: str, disclosure: DisclosureRule) -> FlowTables | None:
        """The month's tables, or None where the decision has no history to form them with (the KPIs')."""
        is_month = (cells["month"] == cells["step"]).to_numpy()
        if rule.history is None or not is_month.any():
            return None
        months = cells.loc[is_month, "month"].astype(str).unique()
        if len(months) != 1:
            raise ValueError("the flows' tables are formed for a decision of one month")
        month = int(month_number(np.asarray(months))[0])
        carried = {term: figures for term, figures in rule.carriers.items() if figures}
        mine = _carrying(cells.loc[is_month].assign(cell=np.flatnonzero(is_month), hidden=False), carried, disclosure)
        past = _carrying(rule.history.assign(cell=-1), carried, disclosure)
        areas = sorted(set(mine["area"]) | set(past["area"]))
        template = Template.of(rule, areas, authority, month)
        n = len(template.variables)
        counts = sorted({c for c, _, _ in template.variables})
        first = min(k for _, _, k in template.variables)
        lookup = np.full((len(counts), len(areas), month - first + 1), -1)
        for i, (count, area, k) in enumerate(template.variables):
            lookup[counts.index(count), areas.index(area), k - first] = i
        held = set(month_number(past["month"].unique()).tolist()) | {month}
        unheld_shown = np.array(
            [k < min(held) and count[0] in rule.unheld_shown for count, _, k in template.variables], dtype=bool
        )  # a return's KPI page may show it; its value is not known here
        both = pd.concat([past, mine], ignore_index=True)
        count_of = {c: i for i, c in enumerate(counts)}
        term = pd.Series(list(zip(both["term_measure"], both["term_count"], strict=True))).map(count_of)
        offset = month_number(both["month"]) - first
        inside = term.notna().to_numpy() & (offset >= 0) & (offset <= month - first)
        variable = np.full(len(both), -1)
        variable[inside] = lookup[
            term[inside].astype(int).to_numpy(), both.loc[inside, "area"].map(areas.index).to_numpy(), offset[inside]
        ]
        both = both.assign(variable=variable).loc[variable >= 0]
        # the rows' columns as arrays, each place's rows by position: hundreds of places a month
        variable, cell, column = (both[c].to_numpy(int) for c in ("variable", "cell", "column"))
        is_shown, guards = (both[c].to_numpy(bool) for c in ("shown", "protected"))
        count_value = both["count_value"].to_numpy(float)
        places = []
        groups = both.groupby(list(PLACE[1:])).indices
        rows_of = {cast(tuple[str, str, str], k): np.asarray(v) for k, v in groups.items()}  # place -> positions
        for place_key in sorted(rows_of):
            _, breakdown, _ = place_key
            at = rows_of[place_key]
            mine_at = at[cell[at] >= 0]
            if not len(mine_at):
                continue
            # a return gives its KPIs' totals only: no breakdown's group is shown before any extract
            state = np.where(unheld_shown & (breakdown == TOTAL), SHOWN, UNPUBLISHED)
            value = np.full(n, np.nan)
            protected = np.zeros(n, dtype=bool)
            # hidden first, then shown: a count is shown where any figure carrying it is
            for shown in (False, True):
                chosen = at[is_shown[at] == shown]
                state[variable[chosen]] = SHOWN if shown else HIDDEN
                value[variable[chosen]] = count_value[chosen]
            protected[variable[at[~is_shown[at] & guards[at]]]] = True
            places.append(_place(state, value, protected, _own(variable[mine_at], cell[mine_at], column[mine_at])))
        return cls(rule, template, places, authority)

    def more_hidden(self, hidden: np.ndarray, rule: DisclosureRule, hidden_for: np.ndarray | None = None) -> np.ndarray:
        """The cells to hide as well as `hidden` so that the month's figures give back, over the areas and the
        year, no count hidden to protect it (`hidden_for`, per cell and count: default every count of a hidden
        figure) and no unpublished count of 1-4 that the months before did not."""
        now = hidden.copy()
        order = {m: i for i, m in enumerate(self.rule.hiding_order)}
        for place in self.places:
            shown = {i for i, (cells, _) in place.own.items() if not now[cells].all()}
            guarded = {
                i for i, (cells, columns) in place.own.items() if hidden_for is None or hidden_for[cells, columns].any()
            }  # fmt: skip
            if not shown:  # the month shows nothing here: it gives nothing back
                continue
            place.solve(self.template)
            while True:
                given_back = _given_back(place, self.template, shown, guarded, rule)
                if given_back is None:
                    break
                chosen = _to_hide(place, self.template, shown, given_back, order, self.authority)
                shown.discard(chosen)
                guarded.add(chosen)  # hidden now for what it would give back
                now[place.own[chosen][0]] = True
        return np.asarray(now & ~hidden, dtype=bool)


def _carrying(
    frame: pd.DataFrame, carried: dict[tuple[str, str], tuple[tuple[str, Count], ...]], rule: DisclosureRule
) -> pd.DataFrame:  # fmt: skip
    """Per figure carrying a flow's count: the count's (measure, count), its value, its column among the
    figure's counts (`Count`), whether it is shown, and (for a hidden one) whether it was hidden to protect it:
    it is 1-4 (a numerator: or its complement is), or no count of its figure is (hidden for a sum: each, as
    flows.py reads every hidden count). With the figure's row (`cell`) and place. `frame`: a decision's cells
    or a history, with `cell` and `hidden`."""
    parts = []
    base = frame.reset_index(drop=True)
    counts = base.loc[:, [c.column for c in Count]].to_numpy(float)
    small: np.ndarray = (counts >= 1) & (counts < rule.smallest_shown)
    small[:, Count.NUMERATOR] |= small[:, Count.COMPLEMENT]
    secondary = np.asarray(~small.any(axis=1), dtype=bool)
    for (measure, count), figures in carried.items():
        for figure, k in figures:
            at = np.flatnonzero((base["kpi_id"] == figure).to_numpy())
            if not len(at):
                continue
            rows = base.iloc[at]
            parts.append(rows.assign(
                term_measure=measure, term_count=count, count_value=counts[at, k], column=int(k),
                shown=~rows["hidden"].astype(bool), protected=small[at, k] | secondary[at],
            ))  # fmt: skip
    if not parts:
        return base.iloc[0:0].assign(term_measure="", term_count="", count_value=0.0, column=0, shown=True,
                                     protected=False)  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    for column in ("month", "area", "cohort", "breakdown", "group"):
        out[column] = out[column].astype(str)
    return out


def _own(variable: np.ndarray, cell: np.ndarray, column: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per variable (ascending), the month's cells carrying it and the count's column in each, in row order."""
    order = np.argsort(variable, kind="stable")
    variable, cell, column = variable[order], cell[order], column[order]
    starts = np.flatnonzero(np.r_[True, variable[1:] != variable[:-1]])
    ends = np.r_[starts[1:], len(variable)]
    return {int(variable[a]): (cell[a:b], column[a:b]) for a, b in zip(starts, ends, strict=True)}


def _place(
    state: np.ndarray, value: np.ndarray, protected: np.ndarray, own: dict[int, tuple[np.ndarray, np.ndarray]]
) -> Place:  # fmt: skip
    unknown_mask = state != SHOWN
    unknown_mask[list(own)] = True
    return Place(state, value, protected, own, np.flatnonzero(unknown_mask))


def _null_space(matrix: np.ndarray, columns: int) -> np.ndarray:
    """An orthonormal basis of the null space of `matrix` (columns x directions): the right singular vectors
    beyond its rank."""
    if not matrix.size or not np.abs(matrix).any():
        return np.eye(columns)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((singular > RANK * singular[0]).sum())
    return np.asarray(vt[rank:].T, dtype=float)


def _directions(place: Place, shown: set[int]) -> np.ndarray:
    """The null space's directions that leave every shown own count where it is (unknown x directions)."""
    assert place.null is not None
    rows = np.searchsorted(place.unknown, sorted(shown))
    if not len(rows):
        return place.null
    fixed = place.null[rows]
    return np.asarray(place.null @ _null_space(fixed, place.null.shape[1]), dtype=float)


def _given_back(
    place: Place, template: Template, shown: set[int], guarded: set[int], rule: DisclosureRule
) -> int | None:  # fmt: skip
    """The first count (a variable) the month's shown counts give back, or None: an earlier month's count hidden
    to protect it, the month's own hidden for itself (`guarded`), an unpublished count of 1-4."""
    free = _directions(place, shown)
    assert place.pinned_before is not None
    pinned = ((free**2).sum(axis=1) < FREE) & ~place.pinned_before
    own_shown = np.isin(place.unknown, sorted(shown))
    candidates = np.flatnonzero(pinned & ~own_shown)
    if not len(candidates):
        return None
    variables = place.unknown[candidates]
    state = place.state[variables]
    own = np.isin(variables, list(place.own))
    hidden = np.where(own, np.isin(variables, sorted(guarded)), (state == HIDDEN) & place.protected[variables])
    if hidden.any():
        return int(variables[np.flatnonzero(hidden)[0]])
    variables = variables[~own & (state == UNPUBLISHED)]
    if not len(variables):
        return None
    values = _solved(place, template, shown, variables)
    small = np.isnan(values) | ((values >= 1 - 1e-9) & (values < rule.smallest_shown - 1e-9))
    return int(variables[np.flatnonzero(small)[0]]) if small.any() else None


def _solved(place: Place, template: Template, shown: set[int], variables: np.ndarray) -> np.ndarray:
    """What a reader works each of `variables` (pinned) out to from the shown counts (NaN: from a count whose
    value the decision does not know)."""
    known = np.setdiff1d(np.arange(len(template.variables)), np.setdiff1d(place.unknown, sorted(shown)))
    unknown = np.setdiff1d(place.unknown, sorted(shown))
    a_u, a_k = template.matrix[:, unknown], template.matrix[:, known]
    values = place.value[known]
    missing = np.isnan(values)
    rhs = -(a_k @ np.where(missing, 0.0, values))
    uncertain = np.abs(a_k[:, missing]).sum(axis=1) > 0
    weights = np.linalg.pinv(a_u)[np.searchsorted(unknown, variables)]
    solved = weights @ rhs
    solved[np.abs(weights[:, uncertain]).sum(axis=1) > FREE] = np.nan
    return np.asarray(solved)


def _to_hide(
    place: Place, template: Template, shown: set[int], given_back: int, order: dict[str, int], authority: str
) -> int:  # fmt: skip
    """Which of the month's shown counts to hide for `given_back`: one that alone stops giving it back if any
    (else one of two that together do), the count's own area's first and the authority's last, the least read
    first (`order`)."""
    area = template.variables[given_back][1]
    row = int(np.searchsorted(place.unknown, given_back))

    def rank(i: int) -> tuple[bool, bool, int, int]:
        (measure, _), own_area, _ = template.variables[i]
        return (own_area != area, own_area == authority, order.get(measure, len(order)), i)

    ranked = sorted(shown, key=rank)
    headline = max(order, key=lambda m: order[m]) if order else ""
    spare = [i for i in ranked if template.variables[i][0][0] != headline]
    for pool in (spare, ranked):  # the headline (the children looked after) only where nothing else will do
        for i in pool:
            if (_directions(place, shown - {i})[row] ** 2).sum() >= FREE:
                return i
        for i, j in itertools.combinations(pool, 2):  # two together (an area's and its partner in a sum)
            if (_directions(place, shown - {i, j})[row] ** 2).sum() >= FREE:
                return i
    return ranked[0]


def history_of(cells: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """An earlier month's measures (`cells`: KEYS with the measure as kpi_id, numerator, denominator) with which
    its decision hid (`hidden`: KEYS), as `FlowRule.history` takes them."""
    keys = hidden.loc[:, list(KEYS)].astype(str).drop_duplicates().assign(hidden=True)
    out = cells.assign(**{k: cells[k].astype(str) for k in KEYS}).merge(keys, on=list(KEYS), how="left")
    out["hidden"] = out["hidden"].fillna(False).astype(bool)
    out["complement"] = out["denominator"] - out["numerator"]
    return out


__all__ = ["HORIZON", "TABLE_REASON", "FlowTables", "history_of"]
