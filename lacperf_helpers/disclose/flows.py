"""Stocks and flows: sums a reader forms across measures and months (`measures.registry.FLOWS`).

The children looked after at any time in a month are those looked after at the last month end and those who
started in the month; they are also those looked after at the month end and those who ceased in it. So two
months' shown stocks give the month's starts and ceasings, which are small counts in most areas' months (a
reader's attack on the sample got 17 of 39 hidden counts of 1-4 back from twelve months of measures tables,
26 with the pages). The solver's sums never cross a month or pair two measures' counts, so these are made
safe here, as one more rule of the decision's settling rounds (`solver.suppressed`):

For each month, area, cohort and group, the flows formed there are a small linear system over their terms: a
term is shown (some figure carrying its count is shown: the measure's own, a KPI measured by it, a twin), hidden
(every figure carrying it is hidden), never published (nothing carries it: the starts, on the KPIs' pages; a
reader works it out or does not) or not formed (a month before any figure, a breakdown a figure lacks). A
hidden count, or a never-published count of 1-4, that the system pins to one value is given back: the month's
shown term first in `hiding_order` (its starts and ceasings, then going missing's denominator, the headline
children looked after last) is hidden, until nothing is pinned. The solver, choosing a figure to hide in one of
its sums, takes first one whose flows would not give it back (`FlowSystem.free_if_hidden`). Only the month's
own terms are hidden, never an earlier month's: what an earlier month's page showed stays as it was, and each
month is decided against the months before it. Bounds (a flow narrowing a count without pinning it) are not
carried here; the reader's attack, re-run, is the check (tests/test_disclosure_flows.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import DisclosureRule
from lacperf_helpers.disclose.sums import KEYS, Count
from lacperf_helpers.measures.registry import FLOW_HIDING_ORDER, FLOWS, ROLLING_TOTALS, Flow, RollingTotal

PLACE = ("area", "cohort", "breakdown", "group")
SHOWN, HIDDEN, NEVER_PUBLISHED, NOT_FORMED = range(4)
SINGULAR = 1e-9  # a singular value below this is zero (the system's rank)
PINNED = 1e-9  # a term whose freedom (1 - its diagonal of the row-space projector) is below this has none
FLOW_REASON = "stocks and flows: shown, it and the months before would give a hidden count back"
ROUNDS = 16  # each round hides one more of a month's few terms: far beyond any needed

Carriers = dict[tuple[str, str], tuple[tuple[str, Count], ...]]


def carriers_of(
    figures: dict[str, str], same_children: tuple[tuple[tuple[str, str], tuple[str, str]], ...]
) -> Carriers:
    """Per measure's count in a flow, the figures (kpi_id, count) that show it: `figures` maps each figure to
    its measure (a measure to itself in the measures table, a KPI to the measure it is computed by), and a
    measure's count shows in its twins' (`same_children`, a twin's twin too)."""
    linked: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for one, other in same_children:
        group = linked.get(one, {one}) | linked.get(other, {other})
        for member in group:
            linked[member] = group
    out: Carriers = {}
    terms = {(t.measure, t.count) for flow in FLOWS for t in flow.terms}
    for term in terms | {r.total for r in ROLLING_TOTALS} | {r.of for r in ROLLING_TOTALS}:
        same = linked.get(term, {term})
        out[term] = tuple(
            sorted(
                (figure, Count[count.upper()])
                for figure, measure in figures.items()
                for m, count in same
                if m == measure
            )
        )
    return out


@dataclass(frozen=True)
class FlowRule:
    """What a decision needs to keep `flows` from giving a hidden count back: which figures carry each term's
    count (`carriers_of`: only figures a reader can be shown); the earlier months' figures with which their
    decisions hid (`history`, `flow_tables.history_of`) and which months were decided (`earlier_months`), for a
    decision that holds one month only: a term of a decided month is shown only where a figure carrying it is
    there and not hidden (a figure its table lacks, a group no child is in, shows nothing); and the measures
    whose count in a month before any this decision holds is read as shown (`unheld_shown`: for the measures
    table, the stocks a return's KPI pages show before any extract), where any other is a sum not formed.
    `history` serves the tables of areas by months too (flow_tables.py, with the `rolling` totals as sums of
    their months)."""

    carriers: Carriers
    earlier_months: frozenset[str] = frozenset()
    unheld_shown: frozenset[str] = frozenset()
    flows: tuple[Flow, ...] = FLOWS
    hiding_order: tuple[str, ...] = FLOW_HIDING_ORDER
    history: pd.DataFrame | None = None
    rolling: tuple[RollingTotal, ...] = ROLLING_TOTALS

    def system(self, cells: pd.DataFrame) -> FlowSystem:
        """The flows formed among `cells` (a decision's), to ask of again as more of them are hidden."""
        return FlowSystem.of(self, cells)

    def more_hidden(self, cells: pd.DataFrame, hidden: np.ndarray, rule: DisclosureRule) -> np.ndarray:
        """The cells to hide as well as `hidden` (month figures only), so that no flow pins a hidden count."""
        return self.system(cells).more_hidden(hidden, rule)


def month_number(month: pd.Series | np.ndarray) -> np.ndarray:
    text = pd.Series(month).astype(str)
    return (text.str[:4].astype(int) * 12 + text.str[5:7].astype(int) - 1).to_numpy()


def month_text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


@dataclass
class FlowSystem:
    """The flows of every month, area, cohort and group of a decision (an anchor), as arrays: per anchor and
    term, its state's ingredients, and per term the cells carrying it (`anchor_of[j]`, `cell_of[j]`: pairs)."""

    rule: FlowRule
    terms: list[tuple[str, str, int]]  # (measure, count, months back), each once
    matrix: np.ndarray  # flows x terms: the signs
    formed: np.ndarray  # anchors x flows
    fixed: np.ndarray  # anchors x terms: the state where no cell of the decision carries it (else -1)
    values: np.ndarray  # anchors x terms: the count (NaN: not known to the decision)
    anchor_of: list[np.ndarray]  # per term: the anchor of each cell carrying it
    cell_of: list[np.ndarray]  # per term: the cells carrying it (the decision's row numbers)
    own: np.ndarray  # terms: of the anchor's own month (those the rule may hide)

    @classmethod
    def of(cls, rule: FlowRule, cells: pd.DataFrame) -> FlowSystem:
        terms = list(dict.fromkeys((t.measure, t.count, t.months_back) for f in rule.flows for t in f.terms))
        matrix = np.zeros((len(rule.flows), len(terms)))
        for i, f in enumerate(rule.flows):
            for t in f.terms:
                matrix[i, terms.index((t.measure, t.count, t.months_back))] += t.sign
        is_month = (cells["month"] == cells["step"]).to_numpy()
        month_cells = cells.loc[is_month]
        number = month_number(month_cells["month"]) if len(month_cells) else np.zeros(0, dtype=int)
        place = [month_cells[c].astype(str).to_numpy() for c in PLACE]
        rows = np.flatnonzero(is_month)
        held_months = set(number.tolist())
        first = min(held_months) if held_months else 0
        # anchors: every month and place where a figure carries a term of the month itself
        by_figure = month_cells["kpi_id"].to_numpy()
        carrying = np.zeros(len(month_cells), dtype=bool)
        for measure, count, back in terms:
            if back == 0:
                carrying |= np.isin(by_figure, [f for f, _ in rule.carriers[(measure, count)]])
        anchor_index = pd.MultiIndex.from_arrays([number[carrying], *(p[carrying] for p in place)]).unique()
        n = len(anchor_index)
        anchor_month = anchor_index.get_level_values(0).to_numpy(dtype=int) if n else np.zeros(0, dtype=int)
        anchor_place = [anchor_index.get_level_values(i + 1).to_numpy() if n else np.zeros(0, str) for i in range(4)]
        fixed = np.full((n, len(terms)), -1)
        values = np.full((n, len(terms)), np.nan)
        anchor_of, cell_of = [], []
        # the breakdowns each figure has in each month (an absent group of one it has is a known 0)
        breakdowns = pd.MultiIndex.from_arrays([by_figure, number, *place[:3]]).unique()
        shown_before = _shown_keys(rule.history, rule.earlier_months)
        for j, (measure, count, back) in enumerate(terms):
            figures = rule.carriers[(measure, count)]
            target = anchor_month - back
            wanted = pd.MultiIndex.from_arrays([target, *anchor_place])
            anchors, carried = [], []
            for figure, k in figures:
                mine = np.flatnonzero(by_figure == figure)
                at = pd.MultiIndex.from_arrays([number[mine], *(p[mine] for p in place)]).get_indexer(wanted)
                found = np.flatnonzero(at >= 0)
                cell = rows[mine[at[found]]]
                unset = np.isnan(values[found, j])
                values[found[unset], j] = cells[k.column].to_numpy(float)[cell[unset]]
                anchors.append(found)
                carried.append(cell)
            anchor_of.append(np.concatenate(anchors) if anchors else np.zeros(0, dtype=int))
            cell_of.append(np.concatenate(carried) if carried else np.zeros(0, dtype=int))
            missing = np.ones(n, dtype=bool)
            missing[anchor_of[j]] = False
            if not figures:
                fixed[missing, j] = NEVER_PUBLISHED
                continue
            held = missing & np.isin(target, list(held_months))
            # a figure has the breakdown there: the group is empty (a known 0); else it is not given
            given = np.zeros(n, dtype=bool)
            for figure, _ in figures:
                probe = pd.MultiIndex.from_arrays([np.full(n, figure, dtype=object), target, *anchor_place[:3]])
                given |= breakdowns.get_indexer(probe) >= 0
            fixed[held & given, j], values[held & given, j] = SHOWN, 0.0
            fixed[held & ~given, j] = NOT_FORMED
            for a in np.flatnonzero(missing & ~held):
                month = int(target[a])
                if month_text(month) in rule.earlier_months:
                    key = (month_text(month), anchor_place[0][a], *(p[a] for p in anchor_place[1:]))
                    shown = any((key[0], key[1], f, *key[2:]) in shown_before for f, _ in figures)
                    fixed[a, j] = SHOWN if shown else HIDDEN
                elif measure in rule.unheld_shown and month < first:
                    fixed[a, j] = SHOWN  # another output (a return's KPI page) may show it; its value is not known
                else:
                    fixed[a, j] = NOT_FORMED
        formed = np.ones((n, len(rule.flows)), dtype=bool)
        for i in range(len(rule.flows)):
            for column in np.flatnonzero(matrix[i]):
                formed[:, i] &= fixed[:, column] != NOT_FORMED
        own = np.array([back == 0 for _, _, back in terms])
        return cls(rule, terms, matrix, formed, fixed, values, anchor_of, cell_of, own)

    def more_hidden(self, hidden: np.ndarray, rule: DisclosureRule) -> np.ndarray:
        """The cells to hide as well as `hidden`, so that no flow pins a hidden count."""
        now = hidden.copy()
        for _ in range(ROUNDS):
            chosen = self.to_hide(now, rule)
            if not len(chosen):
                break
            now[chosen] = True
        return np.asarray(now & ~hidden, dtype=bool)

    def free_if_hidden(self, hidden: np.ndarray) -> np.ndarray:
        """Per cell: does it carry a term of its own month that, hidden, no flow would pin (another term of each of
        its flows is not shown)? Hidden to protect a count in its own sums, such a cell gives nothing back
        through its flows, so the solver takes it before another: else each area's hidden figure pins the next
        area's partner, and every area's go."""
        states = self._states(hidden)
        unknown = (states == HIDDEN) | (states == NEVER_PUBLISHED)
        free = np.zeros(unknown.shape, dtype=bool)
        pattern = np.concatenate([self.formed, unknown], axis=1)
        patterns, which = np.unique(pattern, axis=0, return_inverse=True)
        which = which.reshape(-1)
        n_flows = len(self.rule.flows)
        for p, row in enumerate(patterns):
            flows = np.flatnonzero(row[:n_flows])
            for j in np.flatnonzero(self.own & ~row[n_flows:]):
                unknowns = np.union1d(np.flatnonzero(row[n_flows:]), [j])
                if not pinned_columns(self.matrix[np.ix_(flows, unknowns)])[np.searchsorted(unknowns, j)]:
                    free[which == p, j] = True
        out = np.zeros(len(hidden), dtype=bool)
        out[self._cells_where(free)] = True
        return out

    def _cells_where(self, chosen: np.ndarray) -> np.ndarray:
        """The cells carrying term j at anchor a for every (a, j) `chosen` (anchors x terms)."""
        out = np.zeros(0, dtype=int)
        for j in np.flatnonzero(chosen.any(axis=0)):
            out = np.concatenate([out, self.cell_of[j][chosen[self.anchor_of[j], j]]])
        return out

    def _states(self, hidden: np.ndarray) -> np.ndarray:
        states = self.fixed.copy()
        n = len(states)
        for j in range(len(self.terms)):
            anchors, carried = self.anchor_of[j], self.cell_of[j]
            if not len(carried):
                continue
            has = np.bincount(anchors, minlength=n) > 0
            shown = np.bincount(anchors, weights=~hidden[carried], minlength=n) > 0
            states[has, j] = np.where(shown[has], SHOWN, HIDDEN)
        return states

    def to_hide(self, hidden: np.ndarray, rule: DisclosureRule) -> np.ndarray:
        """The cells to hide next: per anchor where a flow pins a hidden count, the carriers of one term."""
        states = self._states(hidden)
        carried = np.zeros(states.shape, dtype=bool)
        for j in range(len(self.terms)):
            carried[self.anchor_of[j], j] = True
        unknown = (states == HIDDEN) | (states == NEVER_PUBLISHED)
        pattern = np.concatenate([self.formed, unknown], axis=1)
        patterns, which = np.unique(pattern, axis=0, return_inverse=True)
        which = which.reshape(-1)
        chosen = np.zeros(states.shape, dtype=bool)
        order = {m: i for i, m in enumerate(self.rule.hiding_order)}
        for p, row in enumerate(patterns):
            flows, unknowns = np.flatnonzero(row[: len(self.rule.flows)]), np.flatnonzero(row[len(self.rule.flows) :])
            if not len(flows) or not len(unknowns):
                continue
            anchors = np.flatnonzero(which == p)
            a_u = self.matrix[np.ix_(flows, unknowns)]
            used = np.abs(a_u).sum(axis=1) > 0
            pinned = pinned_columns(a_u)
            if not pinned.any():
                continue
            a_u = a_u[used]
            # what a reader works a pinned count out to: the known terms moved to the other side
            knowns = np.setdiff1d(np.arange(len(self.terms)), unknowns)
            a_k = self.matrix[np.ix_(flows[used], knowns)]
            known_values = self.values[np.ix_(anchors, knowns)]
            known_values[:, ~np.abs(a_k).any(axis=0)] = 0.0  # a term of no flow here: its value is not needed
            rhs = -(known_values @ a_k.T)
            solved = rhs @ np.linalg.pinv(a_u).T
            states_here = states[np.ix_(anchors, unknowns)]
            small = (solved >= 1 - 1e-9) & (solved < rule.smallest_shown - 1e-9) | np.isnan(solved)
            given_back = pinned & ((states_here == HIDDEN) | ((states_here == NEVER_PUBLISHED) & small))
            for a_local in np.flatnonzero(given_back.any(axis=1)):
                anchor = anchors[a_local]
                # the month's own shown terms in a flow with a count given back, the least read first
                pinned_terms = unknowns[given_back[a_local]]
                in_flows = flows[np.abs(self.matrix[np.ix_(flows, pinned_terms)]).sum(axis=1) > 0]
                candidates = [
                    j for j in np.flatnonzero(np.abs(self.matrix[in_flows]).sum(axis=0) > 0)
                    if self.own[j] and states[anchor, j] == SHOWN and carried[anchor, j]
                ]  # fmt: skip
                if candidates:
                    best = min(candidates, key=lambda j: (order.get(self.terms[j][0], len(order)), j))
                    chosen[anchor, best] = True
        return np.unique(self._cells_where(chosen))


def pinned_columns(matrix: np.ndarray, tolerance: float = PINNED) -> np.ndarray:
    """Per column (an unknown): is it pinned by the rows (sums, flows) together? It is where it lies in their row
    space: no direction the unknowns can move in together moves it (1 - its diagonal of the row-space projector
    is below `tolerance`)."""
    if not matrix.size or not np.abs(matrix).any():
        return np.zeros(matrix.shape[1], dtype=bool)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > SINGULAR).sum())
    return np.asarray(1.0 - (vt[:rank] ** 2).sum(axis=0) < tolerance, dtype=bool)


def _shown_keys(history: pd.DataFrame | None, months: frozenset[str]) -> set[tuple[str, ...]]:
    """The keys of the figures the decisions of `months` showed (`history`: those months' figures, hidden or
    not)."""
    if history is None or history.empty or not months:
        return set()
    shown = history.loc[history["month"].astype(str).isin(months) & ~history["hidden"].astype(bool)]
    return set(zip(*(shown[k].astype(str).tolist() for k in KEYS), strict=True))
