"""The solver: which figures are hidden, and why (the disclosure log).

A figure is hidden when its numerator, its denominator or, for a percentage, the children it leaves out
(denominator - numerator: "46 of 50" gives away the 4 without) is a count of 1 to `smallest_shown` - 1
(settings.yaml, default 5): primary suppression. Then every sum a reader can form within a month (sums.py)
is made safe, jointly: in each sum no hidden count may stand alone, and each hidden count of 1-4 must be
able to be anything from 1 to 4 for all the others show; sums that pin a count together are found by
linear algebra and by carrying bounds from sum to sum. Secondary suppression takes the smallest figure with
room to move first, a group or an area before a total. Every hidden figure reads alike ('c'), whatever its
size, so a reader knows of a hidden count only that it is at least 0.

No sum crosses a month, and none a KPI but through the counts two figures share (`same_children`: both are
hidden together), so each month and KPI (a `Block`) is decided on its own figures: what an earlier month's
page showed (or hid) of a month is what every later page, CSV and quarter shows (or hides) of it. Stocks and
flows do cross months and measures (flows.py): they are made safe in the same settling rounds as the twins, each
month after the months before it, hiding only the month's own figures. A quarter,
the year to date or 12 months is shown only when all its months are. Staff figures (a KPI with
`disclosure: staff`) are never hidden. Only the month stage asks this module what to hide.
tests/test_disclosure_audit.py proves the public edition with an integer programme over everything it writes.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue
from lacperf_helpers.config.vocabulary import ALL, TOTAL
from lacperf_helpers.disclose.flow_tables import TABLE_REASON, FlowTables
from lacperf_helpers.disclose.flows import FLOW_REASON, FlowRule, FlowSystem, pinned_columns
from lacperf_helpers.disclose.sums import COUNTS, KEYS, Count, figure_cells, period_months, relations, remainders

log = logging.getLogger("lacperf.disclosure")

HIDDEN = "c"  # what stands for every hidden figure (the DfE's symbol): one wording, so it says nothing of size

# Sums of whole counts of children, worked out in floating point.
UNBOUNDED = 1e9  # a bound no count of children reaches: "no upper bound" that still adds and subtracts
ROUNDING = 1e-9  # within this of a whole number is that number (bounds, and whether a count is in reach)
PINNED = 1e-12  # a count whose freedom (1 - its diagonal of the row-space projector) is below this has none
PROPAGATION_ROUNDS = 200  # bounds carried from sum to sum narrow a whole number each round: far beyond any seen
SETTLE_ROUNDS = 20  # each round hides more figures, so it ends: this many is far beyond any seen


LEAVES_OUT = (Count.DENOMINATOR, Count.NUMERATOR, Count.COMPLEMENT)


class NotSettled(RuntimeError):
    """Disclosure control could not finish within its bound: nothing may be published from it."""


# A count that is the same children in two figures, as (figure, count): (KPI or measure, numerator or
# denominator). Whoever sees one sees the other, so the two are hidden together.
Twin = tuple[tuple[str, str], tuple[str, str]]
# A group of one figure that is another's count whole, as ((figure, count, breakdown, group), (figure, count)):
# the same children, in every month, area and cohort.
GroupTwin = tuple[tuple[str, str, str, str], tuple[str, str]]


@dataclass(frozen=True)
class Block:
    """One month and KPI's figures and the sums among them: what the solver decides on its own (no sum crosses
    a block). Members are in order of their sum.

    `counts[figure, Count]`: each figure's counts (NaN: it has no such count). `twin_shown[figure, Count]`:
    the same children are a shown figure of another KPI (a twin: `same_children`), so a reader knows the count
    though its figure is hidden, unless it was hidden for that count (`hidden_for[figure, Count]`, kept as the
    block is decided): then its twin is hidden too. Per member of a sum:
    `relation` (which sum, 0 to n_relations - 1), `figure` (a row of `counts`) and `sign` (+1 the total, -1 a
    part). `rest[relation, Count]`: the total less its parts, what no figure shows (the unaccompanied
    children, the children of no area; NaN where a member has no such count). `links`: sums of rests, each
    (the total's relation, the groups' relations ...): a reader can form them too."""

    counts: np.ndarray
    twin_shown: np.ndarray
    hidden_for: np.ndarray
    relation: np.ndarray
    figure: np.ndarray
    sign: np.ndarray
    rest: np.ndarray
    links: tuple[tuple[int, ...], ...] = ()
    preferred: np.ndarray | None = None  # per figure: hidden, it gives nothing back elsewhere (a flow): taken first

    @property
    def n_relations(self) -> int:
        return int(self.relation.max()) + 1

    @functools.cached_property
    def starts(self) -> np.ndarray:
        """Where each sum's members start (and, last, where the last one ends)."""
        return np.searchsorted(self.relation, np.arange(self.n_relations + 1))

    def members(self, relation: int) -> slice:
        return slice(int(self.starts[relation]), int(self.starts[relation + 1]))

    def known(self, hidden: np.ndarray, k: int) -> np.ndarray:
        """Per figure: is its count `k` known to a reader though it is hidden (shown by a twin; the children a
        percentage leaves out, where both its counts are)?"""
        if k == Count.COMPLEMENT:
            return np.asarray(self.known(hidden, Count.NUMERATOR) & self.known(hidden, Count.DENOMINATOR), dtype=bool)
        return np.asarray(hidden & self.twin_shown[:, k] & ~self.hidden_for[:, k], dtype=bool)

    def held(self, hidden: np.ndarray, k: int) -> np.ndarray:
        """Per figure: is its count `k` unknown to a reader (hidden, and not known through a twin)?"""
        return np.asarray(hidden & ~self.known(hidden, k), dtype=bool)


# --- the decision -------------------------------------------------------------------------------------


def _small(values: np.ndarray, rule: DisclosureRule) -> np.ndarray:
    return np.asarray((values >= 1) & (values < rule.smallest_shown), dtype=bool)


def _roomy(rule: DisclosureRule) -> int:
    """A hidden count this large that the page gives no bound for can move by smallest_shown - 2 either
    way: enough for a small count beside it to be anything from 1 to smallest_shown - 1."""
    return rule.smallest_shown - 2


def decide(
    cells: pd.DataFrame, members: pd.DataFrame, rule: DisclosureRule, authority: str = "",
    forced: np.ndarray | None = None, previous: np.ndarray | None = None, *,
    twin_shown: np.ndarray | None = None, hidden_for: np.ndarray | None = None, preferred: np.ndarray | None = None,
    rests: tuple[np.ndarray, list[list[int]]] | None = None,
) -> np.ndarray:  # fmt: skip
    """Which cells are hidden: primary, and `forced`; then, within each month and KPI, secondary until in every
    sum each hidden count of 1-4 can be anything from 1 to 4 for all the others in it show, and no hidden count
    is pinned by the sums together; then each added-up period whose months are not all shown (a period's figure
    would otherwise be one more sum). `previous`: a decision already made of these cells, kept for every month
    and KPI with no cell forced beyond it (each is decided on its own). `twin_shown`, `hidden_for` (per cell
    and count), `preferred` (per cell): as in `Block`; `hidden_for` is kept up to date in place. `rests`: the
    sums' rests and their links (`_rests`), the same every round of a decision."""
    values = cells[list(COUNTS)].to_numpy(float)
    small = _small(values, rule)
    twin_shown = twin_shown if twin_shown is not None else np.zeros(values.shape, dtype=bool)
    hidden_for = hidden_for if hidden_for is not None else np.zeros(values.shape, dtype=bool)
    hidden_for |= small  # a small count is hidden for itself: its twin too
    hidden_for[:, Count.NUMERATOR] |= small[:, Count.COMPLEMENT]  # the children left out: d - n, n not known
    hidden = np.asarray(small.any(axis=1), dtype=bool)
    if forced is not None:  # hidden by an earlier version of the month: hidden still
        hidden |= forced
    is_month = cells["month"].to_numpy() == cells["step"].to_numpy()
    if len(members):
        # sums never cross a month or a KPI: each (month, KPI) is decided on its own, and the same wherever
        blocks = cells.groupby(["month", "kpi_id"], sort=False).ngroup().to_numpy()
        member_cell, member_relation, member_sign = (members[c].to_numpy() for c in ("cell", "relation", "sign"))
        member_block = blocks[member_cell]
        order = np.argsort(member_block, kind="stable")
        bounds = np.searchsorted(member_block[order], np.arange(blocks.max() + 2))
        by_block = np.argsort(blocks, kind="stable")  # each block's cells, in order
        cell_bounds = np.searchsorted(blocks[by_block], np.arange(blocks.max() + 2))
        rem_all, links = rests if rests is not None else _rests(cells, members, authority)
        for b in range(blocks.max() + 1):
            rows = order[bounds[b] : bounds[b + 1]]
            if not len(rows):
                continue
            relation_ids, rel = np.unique(member_relation[rows], return_inverse=True)
            if not hidden[member_cell[rows]].any() and not _small(rem_all[relation_ids], rule).any():
                continue  # nothing small in it, shown or by subtraction
            mine = by_block[cell_bounds[b] : cell_bounds[b + 1]]
            if previous is not None and not (hidden[mine] & ~previous[mine]).any():
                hidden[mine] = previous[mine]  # nothing new in it: decided as before
                continue
            local = np.searchsorted(mine, member_cell[rows])
            sorting = np.argsort(rel, kind="stable")
            position = {int(r): i for i, r in enumerate(relation_ids)}
            block = Block(
                counts=values[mine], twin_shown=twin_shown[mine], hidden_for=hidden_for[mine],
                relation=rel[sorting], figure=local[sorting],
                sign=member_sign[rows][sorting], rest=rem_all[relation_ids],
                links=tuple(tuple(position[r] for r in link) for link in links if link[0] in position),
                preferred=None if preferred is None else preferred[mine],
            )  # fmt: skip
            block_hidden = hidden[mine]
            _decide_block(block, block_hidden, rule)
            hidden[mine] = block_hidden
            hidden_for[mine] = block.hidden_for
    return _hide_periods(cells, hidden, is_month)


def _rests(cells: pd.DataFrame, members: pd.DataFrame, authority: str) -> tuple[np.ndarray, list[list[int]]]:
    """Each sum's rest (`remainders`) and the sums of rests a reader forms (`_rest_links`)."""
    rem = remainders(cells, members)
    return rem, _rest_links(cells, members, rem, authority)


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
    # a cohort's sum: all children's figure less the cohort's same figure (one part, the same area and group);
    # not a figure of all children holding the cohort's figures of its areas (contained_sums), whose rest is
    # another count, and would break the rests' sums
    one_part = members.loc[members["sign"] < 0].groupby("relation").size().reindex(joined["relation"]).to_numpy() == 1
    is_cohort = (
        (total["cohort"] == ALL)
        & (part["cohort"] != ALL)
        & (total["area"] == part["area"])
        & (total["group"] == part["group"])
        & (total["breakdown"] == part["breakdown"])
        & one_part
    )
    keyed = pd.DataFrame({"relation": joined["relation"], "month": total["month"], "area": total["area"],
                          "kpi_id": total["kpi_id"], "cohort": part["cohort"], "breakdown": total["breakdown"],
                          "group": total["group"]}).loc[is_cohort.to_numpy()]  # fmt: skip
    links = []
    # in an area, over the groups of each breakdown; in the authority, over its areas
    for on, keys, head_is in (
        (["month", "area", "kpi_id", "cohort", "breakdown"], ["month", "area", "kpi_id", "cohort"],
         keyed["breakdown"] == TOTAL),
        (["month", "kpi_id", "cohort", "breakdown", "group"], ["month", "kpi_id", "cohort", "breakdown", "group"],
         keyed["area"] == authority),
    ):  # fmt: skip
        heads = keyed.loc[head_is].drop_duplicates(keys).loc[:, [*keys, "relation"]]
        body = keyed.loc[~head_is]
        if body.empty:
            continue
        # every group's rests added up at once (a loop over 10,000 groups was a quarter of a month's decision)
        group = body.groupby(on, sort=True).ngroup().to_numpy()
        ids = body["relation"].to_numpy()
        added = np.zeros((int(group.max()) + 1, rem.shape[1]))
        np.add.at(added, group, np.nan_to_num(rem[ids]))
        first = body.loc[:, keys].assign(_group=group).drop_duplicates("_group").sort_values("_group")
        head = first.merge(heads, on=keys, how="left")["relation"].to_numpy(dtype=float)
        found = ~np.isnan(head)
        rests = np.nan_to_num(rem[np.where(found, head, 0).astype(int)])
        adds_up = found & np.isclose(rests, added).all(axis=1)  # as np.allclose, group by group
        by_group = np.argsort(group, kind="stable")  # each group's relations in their order
        starts = np.searchsorted(group[by_group], np.arange(len(head) + 1))
        for g in np.flatnonzero(adds_up):
            links.append([int(head[g]), *map(int, ids[by_group[starts[g] : starts[g + 1]]])])
    return links


def _decide_block(block: Block, hidden: np.ndarray, rule: DisclosureRule) -> None:
    """Secondary suppression within one month and KPI: `hidden` (per figure of the block) in place."""
    counts, relation, figure = block.counts, block.relation, block.figure
    sign = block.sign
    while True:
        acted = 0
        needs = _needs_partner(block, hidden, rule)
        for r in np.flatnonzero(needs.any(axis=1)):
            k = int(np.flatnonzero(needs[r])[0])
            members = block.members(int(r))
            acted += _act(block, figure[members], sign[members], k, hidden, rule)
        if acted:
            continue
        pinned = _pinned(block, hidden, rule)
        narrowed, rests = ([], []) if pinned else _narrowed(block, hidden, rule)
        for x in pinned or narrowed:
            # give room in the sum around it that has the fewest hidden figures and something left to change
            around = sorted(np.unique(relation[figure == x]), key=lambda r: hidden[figure[block.members(r)]].sum())
            k = int(np.flatnonzero(_small(counts[x], rule))[0])
            for r in around:
                members = block.members(r)
                if _act(block, figure[members], sign[members], k, hidden, rule):
                    acted += 1
                    break
            if acted and pinned:
                break  # one at a time: the next may be unpinned by it
        for relation_id, count in rests:
            members = block.members(relation_id)
            acted += _act(block, figure[members], sign[members], count, hidden, rule)
        if not acted:
            return


def _needs_partner(block: Block, hidden: np.ndarray, rule: DisclosureRule) -> np.ndarray:
    """Per relation and count: is a hidden count in it alone (worked out exactly), a hidden count of 1-4
    unable, for the bounds of the others hidden with it, to be anything from 1 to 4, or are its hidden parts,
    beside a shown total, 1-4 children together (the total less the parts shown: "placement types X and Y
    hold 4 children" is a count of 1-4 worked out from what is shown)? A reader knows of each hidden count
    only that it is at least 0 (every hidden figure reads alike)."""
    rel, cell, sign, n_rel = block.relation, block.figure, block.sign, block.n_relations
    out = np.zeros((n_rel, len(Count)), dtype=bool)
    top = rule.smallest_shown - 1.0
    for k in Count:
        held = block.held(hidden, k)[cell]
        count_hidden = np.bincount(rel, weights=held, minlength=n_rel)
        v = block.counts[cell, k]
        # how far each hidden member can move the sum: s x (bound - value), either way (bounds 0 and none)
        ends = np.stack([sign * (0.0 - v), sign * (UNBOUNDED - v)])
        least = np.where(held, ends.min(axis=0), 0.0)
        most = np.where(held, ends.max(axis=0), 0.0)
        r = block.rest[:, k]
        free_rest = np.nan_to_num(r) > 0  # the rest (a part never shown) moves the sum from -UNBOUNDED to +rest
        least_sum = np.bincount(rel, weights=least, minlength=n_rel) - np.where(free_rest, UNBOUNDED, 0.0)
        most_sum = np.bincount(rel, weights=most, minlength=n_rel) + np.where(free_rest, r, 0.0)
        sensitive = held & _small(v, rule)
        a, b = least_sum[rel] - least, most_sum[rel] - most
        stuck = sensitive & ~(_within(-sign * (1 - v), a, b) & _within(-sign * (top - v), a, b))
        unprotected = np.bincount(rel, weights=stuck, minlength=n_rel) > 0
        rest_small = _small(r, rule)  # the rest, a part: to reach 1 and 4 the others move it by rest - 1 ...
        a_rest, b_rest = least_sum + UNBOUNDED, most_sum - np.nan_to_num(r)
        rest_stuck = rest_small & ~(_within(1 - r, a_rest, b_rest) & _within(top - r, a_rest, b_rest))
        unknowns = count_hidden + free_rest
        parts = held & (sign < 0)
        parts_hidden = np.bincount(rel, weights=parts, minlength=n_rel)
        together = np.bincount(rel, weights=np.where(parts, np.nan_to_num(v), 0.0), minlength=n_rel)
        small_together = (parts_hidden >= 2) & (parts_hidden == count_hidden) & ~free_rest & _small(together, rule)
        # a hidden numerator or denominator worked out exactly can no longer protect another; the children
        # a percentage leaves out only matter where they are few (above)
        lone = (count_hidden >= 1) & (unknowns == 1) & (k is not Count.COMPLEMENT)
        out[:, k] = ~np.isnan(r) & (lone | unprotected | rest_stuck | small_together)
    return out


def _within(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.asarray((x >= low - ROUNDING) & (x <= high + ROUNDING), dtype=bool)


def _act(block: Block, cells: np.ndarray, signs: np.ndarray, k: int, hidden: np.ndarray, rule: DisclosureRule) -> int:
    """Give a relation room in count `k`: hide its smallest figure with room to move, a group or area before a
    total, one whose twin shows the count last (its twin is hidden with it); else the largest there is.
    Returns 1 if anything changed, 0 if every figure in it is hidden already (for count `k`)."""
    v = block.counts[cells, k]
    free = ~np.isnan(v) & ~block.held(hidden, k)[cells]  # shown, or hidden with the count shown by its twin
    if not free.any():
        return 0
    alone = ~block.twin_shown[cells, k]
    spacious = free & (v >= _roomy(rule))
    pools = (spacious & (signs < 0) & alone, spacious & alone, spacious & (signs < 0), spacious)
    if block.preferred is not None:  # a figure whose hiding gives nothing back through a flow, in each pool first
        pools = tuple(p for pool in pools for p in (pool & block.preferred[cells], pool))
    for pool in pools:
        if pool.any():
            options = np.flatnonzero(pool)
            _hide_for(block, cells[options[np.argmin(v[options])]], k, hidden)
            return 1
    options = np.flatnonzero(free)
    _hide_for(block, cells[options[np.argmax(v[options])]], k, hidden)
    return 1


def _hide_for(block: Block, figure: int, k: int, hidden: np.ndarray) -> None:
    """Hide `figure` to give room in its count `k` (the children a percentage leaves out: in its numerator)."""
    hidden[figure] = True
    block.hidden_for[figure, Count.NUMERATOR if k == Count.COMPLEMENT else k] = True


def _hide_periods(cells: pd.DataFrame, hidden: np.ndarray, is_month: np.ndarray) -> np.ndarray:
    """`hidden`, and each added-up period's figure of an area and KPI where a figure of that area and KPI (of any
    cohort or group) is hidden in a month of the period. A table of area and KPI by month, not a groupby a period:
    a decision's two rounds took a tenth of a second so."""
    out = hidden.copy()
    if is_month.all():
        return out
    key, keys = pd.MultiIndex.from_arrays([cells["area"], cells["kpi_id"]]).factorize()
    # a figure of no area or KPI (none is) hides nothing and is hidden by nothing, as a groupby leaves it out
    key = np.where(cells["area"].isna().to_numpy() | cells["kpi_id"].isna().to_numpy(), len(keys), key)
    month, labels = pd.factorize(cells["month"])  # a figure of no month: -1, left as it is
    column = {str(label): i for i, label in enumerate(labels)}
    any_hidden = np.zeros((len(keys) + 1, len(labels)), dtype=bool)
    held = is_month & hidden & (key < len(keys)) & (month >= 0)
    any_hidden[key[held], month[held]] = True  # per area and KPI, the months hidden
    steps = cells["step"].to_numpy()
    periods = np.flatnonzero(~is_month & (month >= 0))
    for i in np.unique(month[periods]):
        rows = periods[month[periods] == i]
        # the months of a period in the figures: those not in them have nothing hidden
        columns = [column[m] for m in period_months(str(labels[i]), str(steps[rows[0]])) if m in column]
        out[cells.index.to_numpy()[rows]] |= any_hidden[np.ix_(key[rows], columns)].any(axis=1)
    return out


def _pinned(block: Block, hidden: np.ndarray, rule: DisclosureRule) -> list[int]:
    """Hidden figures with a count of 1-4 that the exact sums, taken together, pin to one value (a numerator
    or denominator; the children a percentage leaves out, when both are pinned)."""
    rel, cell, sign, rem = block.relation, block.figure, block.sign, block.rest
    pinned_in = np.zeros((len(block.counts), 2), dtype=bool)
    small = _small(block.counts, rule)
    for k in (Count.NUMERATOR, Count.DENOMINATOR):
        # only a count of 1-4 (or of a figure leaving out 1-4) pinned matters: sums holding none are not solved
        asked = small[:, k] | small[:, Count.COMPLEMENT]
        pinned_in[:, k] = hidden & ~block.held(hidden, k)  # shown by its twin
        exact = ~np.isnan(rem[:, k]) & (rem[:, k] <= 0)  # parts add up to the total: an equation
        here = exact[rel] & block.held(hidden, k)[cell]
        if not here.any():
            continue
        rows = np.unique(rel[here])
        columns = np.unique(cell[here])
        at_row, at_column = np.searchsorted(rows, rel[here]), np.searchsorted(columns, cell[here])
        # sums that share no hidden count are apart: each group of linked sums is solved on its own
        group = _linked(at_row, at_column, len(columns))
        for one in np.unique(group[asked[columns]]):
            chosen = group[at_column] == one
            sub_rows = np.unique(at_row[chosen])
            sub_columns = np.flatnonzero(group == one)
            matrix = np.zeros((len(sub_rows), len(sub_columns)))
            matrix[np.searchsorted(sub_rows, at_row[chosen]), np.searchsorted(sub_columns, at_column[chosen])] = sign[
                here
            ][chosen]
            pinned_in[columns[sub_columns], k] |= _pinned_once(matrix)
    numerator, denominator, complement = Count
    return [
        int(x)
        for x in np.flatnonzero(hidden)
        if (small[x, numerator] and pinned_in[x, numerator])
        or (small[x, denominator] and pinned_in[x, denominator])
        or (small[x, complement] and pinned_in[x, numerator] and pinned_in[x, denominator])
    ]


def _pinned_once(matrix: np.ndarray) -> np.ndarray:
    """Per column of the sums' matrix (a hidden count): is it pinned by the sums (`pinned_columns`)? The same
    matrix comes back round after round while the figures around it settle: each is solved once."""
    key = (matrix.shape, matrix.tobytes())
    if key not in _PINNED_ONCE:
        if len(_PINNED_ONCE) > 4096:  # a month's decisions ask for about a thousand
            _PINNED_ONCE.clear()
        pinned = pinned_columns(matrix, PINNED)
        pinned.setflags(write=False)  # handed to every caller with this matrix
        _PINNED_ONCE[key] = pinned
    return _PINNED_ONCE[key]


_PINNED_ONCE: dict[tuple[tuple[int, ...], bytes], np.ndarray] = {}


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


def _narrowed(block: Block, hidden: np.ndarray, rule: DisclosureRule) -> tuple[list[int], list[tuple[int, int]]]:
    """Hidden figures with a count of 1-4 (and sums whose rest is such a count, with the count) that the sums,
    taken together with what each hidden count is known to be (at least 0), keep from reaching 1 or 4. Bounds
    are propagated from sum to sum (each count's range, from the others' ranges in each sum it is in, until
    none narrows): what this finds is narrowed for certain; the tests' integer programme looks for anything it
    misses. Every sum is written at once, as arrays (a loop over them took a quarter of a month's decision)."""
    values, rel, cell, sign, rem = block.counts, block.relation, block.figure, block.sign, block.rest
    n_rel = len(rem)
    held_cells = np.flatnonzero(hidden)
    n_vars = 0
    var = np.full((len(values), len(Count)), -1)  # each hidden count's unknown, per figure and count (-1: none)
    for k in Count:
        ok = ~np.isnan(values[held_cells, k]) & block.held(hidden, k)[held_cells]  # not shown by a twin
        var[held_cells[ok], k] = np.arange(n_vars, n_vars + ok.sum())
        n_vars += int(ok.sum())
    rest_var = np.full(rem.shape, -1)  # each rest never shown, a count of its own (>= 0), per sum and count
    sums = []
    for k in Count:  # the children left out add up as the counts do: saying so narrows more
        held = block.held(hidden, k)[cell]
        asked = (np.bincount(rel, weights=held, minlength=n_rel) > 0) & ~np.isnan(rem[:, k])
        in_sum, free_rest = asked[rel], asked & (rem[:, k] > 0)
        rest_var[free_rest, k] = np.arange(n_vars, n_vars + free_rest.sum())
        n_vars += int(free_rest.sum())
        known = in_sum & ~held
        constant = -np.bincount(rel[known], weights=sign[known] * values[cell[known], k], minlength=n_rel)
        unknown, rests = in_sum & held, np.flatnonzero(free_rest)
        sums.append(Sums(
            row=np.concatenate([rel[unknown], rests]),
            variable=np.concatenate([var[cell[unknown], k], rest_var[rests, k]]),
            coefficient=np.concatenate([sign[unknown].astype(float), np.full(len(rests), -1.0)]),
            constant=np.where(free_rest, constant, constant + rem[:, k]),
        ))  # fmt: skip
    leaves_out = np.array([1.0, -1.0, -1.0])  # denominator - numerator - complement = 0 (LEAVES_OUT's order)
    percentages = held_cells[var[held_cells, Count.COMPLEMENT] >= 0]  # the children a percentage leaves out
    sums.append(
        _sums_of_terms(var[percentages][:, list(LEAVES_OUT)], leaves_out, values[percentages][:, list(LEAVES_OUT)])
    )
    if block.links:  # rest in the total = the rests in the groups
        sizes = np.array([len(link) for link in block.links])
        members = np.concatenate(block.links)
        in_link = np.repeat(np.arange(len(block.links)), sizes)
        coefficient = np.where(np.arange(len(members)) == np.repeat(np.cumsum(sizes) - sizes, sizes), 1.0, -1.0)
        heads = members[np.cumsum(sizes) - sizes]
        for k in Count:
            rest_known = rest_var[members, k] < 0
            asked = ~np.isnan(rem[heads, k]) & (np.bincount(in_link, weights=~rest_known, minlength=len(sizes)) > 0)
            entry = asked[in_link] & ~rest_known
            shown = coefficient[rest_known] * np.nan_to_num(rem[members[rest_known], k])  # the rests known
            constant = -np.bincount(in_link[rest_known], weights=shown, minlength=len(sizes))
            sums.append(Sums(row=in_link[entry], variable=rest_var[members[entry], k],
                             coefficient=coefficient[entry], constant=constant))  # fmt: skip
    own = np.flatnonzero((rest_var >= 0).all(axis=1))  # a rest's own children left out
    sums.append(_sums_of_terms(rest_var[own][:, list(LEAVES_OUT)], leaves_out, np.zeros((len(own), 3))))
    lo, hi = np.zeros(n_vars), np.full(n_vars, np.inf)  # every hidden count reads alike: it is >= 0
    propagate(Sums.joined(sums), lo, hi)
    top = rule.smallest_shown - 1
    reached = np.append((lo > 1) | (hi < top), False)  # index -1: no unknown
    cells_out = np.flatnonzero((_small(values, rule) & (var >= 0) & reached[var]).any(axis=1))
    rests_out = [
        (int(r), int(k))
        for k in Count
        for r in np.flatnonzero(rest_var[:, k] >= 0)
        if _small(rem[r, k : k + 1], rule)[0] and reached[rest_var[r, k]]
    ]
    return cells_out.tolist(), rests_out


def _sums_of_terms(variables: np.ndarray, coefficients: np.ndarray, values: np.ndarray) -> Sums:
    """One sum per row of `variables` (its terms' unknowns, -1 where the term is known): the terms, each times
    its coefficient, add up to 0; a known term's value (`values`) moves to the constant."""
    known = variables < 0
    row = np.broadcast_to(np.arange(len(variables))[:, None], variables.shape)
    weight = np.broadcast_to(coefficients, variables.shape)
    return Sums(row=row[~known], variable=variables[~known], coefficient=weight[~known],
                constant=-(np.where(known, weight * values, 0.0)).sum(axis=1))  # fmt: skip


@dataclass(frozen=True)
class Sums:
    """Sums of counts, as a sparse system: term i is `coefficient[i]` (+1 or -1) times unknown `variable[i]`, in
    sum `row[i]`; sum j equals `constant[j]` (a sum with no terms says nothing)."""

    row: np.ndarray
    variable: np.ndarray
    coefficient: np.ndarray
    constant: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[np.ndarray, np.ndarray, float]]) -> Sums:
        """From (unknowns, coefficients, constant) per sum."""
        if not rows:
            return cls(np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros(0))
        return cls(
            row=np.concatenate([np.full(len(ids), i) for i, (ids, _, _) in enumerate(rows)]),
            variable=np.concatenate([ids for ids, _, _ in rows]).astype(int),
            coefficient=np.concatenate([coefs for _, coefs, _ in rows]).astype(float),
            constant=np.array([c for _, _, c in rows], dtype=float),
        )

    @classmethod
    def joined(cls, parts: list[Sums]) -> Sums:
        """Every sum of `parts`, each its own."""
        offsets = np.cumsum([0, *(len(p.constant) for p in parts)])
        return cls(
            row=np.concatenate([p.row + offset for p, offset in zip(parts, offsets, strict=False)]).astype(int),
            variable=np.concatenate([p.variable for p in parts]).astype(int),
            coefficient=np.concatenate([p.coefficient for p in parts]).astype(float),
            constant=np.concatenate([p.constant for p in parts]).astype(float),
        )


def propagate(sums: Sums, lo: np.ndarray, hi: np.ndarray, rounds: int = PROPAGATION_ROUNDS) -> None:
    """Narrow each count's [lo, hi] (in place) from the others' in every sum it is in, until none narrows.
    Raises NotSettled if they still narrow after `rounds` rounds: what is found by then may miss a count the
    sums narrow, so nothing may be published from it."""
    row, var, coef = sums.row, sums.variable, sums.coefficient
    if not len(row):
        return
    n_rows = len(sums.constant)
    constant = sums.constant
    for _ in range(rounds):
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
        np.maximum.at(new_lo, var, np.ceil(np.minimum(one, other) - ROUNDING))
        np.minimum.at(new_hi, var, np.floor(np.maximum(one, other) + ROUNDING))
        if np.array_equal(new_lo, lo) and np.array_equal(new_hi, hi):
            return
        lo[:], hi[:] = new_lo, new_hi
    raise NotSettled(
        f"disclosure control: bounds carried across {n_rows} sums still narrowed after {rounds} rounds; "
        "nothing is published from a decision that may miss a count its sums give away"
    )


def suppressed(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None, flows: FlowRule | None = None,
    same_as_group: tuple[GroupTwin, ...] = (),
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:  # fmt: skip
    """Every figure that may be published up to the last month of `figures`, which of them are hidden, and
    the sums a reader can form among them (relation, cell, sign). `cohorts`: the cohorts and breakdowns the
    figures were measured by (default parameters/cohorts.yaml: every caller decides with the same sums, so every
    output hides the same). `same_children`: counts two figures share (a KPI's children looked after are another's
    denominator). A hidden figure's shared count is known to a reader while its twin shows it, and each figure is
    decided so; where a figure is hidden for its shared count (it is 1-4, or hidden to protect a count in a sum of
    such counts), its twin is hidden too, and each figure's own sums are made safe again.
    `already_hidden`: keys hidden from the start (by a version of these months already published, say: its
    `reason` column says why, for the log). `flows`: stocks and flows across months and measures (flows.py),
    made safe in the same rounds as the twins. `same_as_group`: twins of which one is a group of a breakdown."""
    cohorts = cohorts if cohorts is not None else load_cohorts()
    every = figure_cells(figures, catalogue)
    as_total = _one_group_holds_all(every, same_children)
    cells = every.loc[~as_total].reset_index(drop=True)  # decided; a breakdown of one group follows its total
    members = relations(cells, authority, cohorts, rule)
    forced = _keys_in(cells, already_hidden) if already_hidden is not None else np.zeros(len(cells), dtype=bool)
    twins = _twins(cells, same_children, same_as_group)
    system = flows.system(cells) if flows is not None else None
    tables = FlowTables.of(flows, cells, authority, rule) if flows is not None else None
    hidden, by_flow = _settled(cells, members, rule, authority, forced, twins, system, tables)
    cells = cells.assign(by_flow=by_flow)
    return (*_with_groups_as_totals(cells, hidden, every.loc[as_total], already_hidden), members)


def _settled(
    cells: pd.DataFrame, members: pd.DataFrame, rule: DisclosureRule, authority: str, forced: np.ndarray,
    twins: list[_TwinCells], system: FlowSystem | None, tables: FlowTables | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """`suppressed`'s rounds until nothing more is hidden: per round each month and KPI decided (`decide`), the
    twins of figures hidden for a count they share, then the flows (`system`, then `tables`). Which cells are
    hidden, and per cell the flows' reason it is hidden for ("" for none)."""
    hidden_for = np.zeros((len(cells), len(Count)), dtype=bool)
    hidden, previous = forced, None
    by_flow = np.full(len(cells), "", dtype=object)
    rests = _rests(cells, members, authority) if len(members) else None
    for _ in range(SETTLE_ROUNDS):
        # the twins shown before this round: a figure hidden in it only makes a reader know less
        shown = _twin_shown(twins, hidden)
        preferred = None if system is None else system.free_if_hidden(hidden)
        hidden = decide(
            cells, members, rule, authority, hidden, previous, twin_shown=shown, hidden_for=hidden_for,
            preferred=preferred, rests=rests,
        )  # fmt: skip
        together = _hidden_with_twins(twins, hidden_for)
        if system is not None:
            # every round, not once the twins settle: a month's rounds then depend on the months up to it only,
            # so deciding up to a later month hides of an earlier one what its own decision hid
            flowing = system.more_hidden(hidden | together, rule) & ~together
            by_flow[flowing & (by_flow == "")] = FLOW_REASON
            together |= flowing
        if tables is not None and not (together & ~hidden).any():
            # over the areas and the year, once every sum, twin and flow of the month is safe on its own: a
            # figure hidden this round has its partners in its sums only in the next
            tabled = tables.more_hidden(hidden, rule, hidden_for)
            by_flow[tabled & (by_flow == "")] = TABLE_REASON
            together |= tabled
        if not (together & ~hidden).any():
            return hidden, by_flow
        previous, hidden = hidden, hidden | together
    raise NotSettled(f"disclosure control did not settle in {SETTLE_ROUNDS} rounds of figures hidden together")


def _one_group_holds_all(cells: pd.DataFrame, same_children: tuple[Twin, ...]) -> np.ndarray:
    """Per cell, whether it is a group of a breakdown whose every child is in one group, in every area and
    cohort of the month (a care leaver's age band is 16 and over; their legal status, none): the group is its
    total's figure again, and the other groups have no children. Such a breakdown says nothing its totals do
    not, so it is not decided: its groups are hidden as their totals are (deciding them apart hid the totals
    of the care leavers' KPIs, to protect a group that was the total). The KPI's twins' breakdown must be such
    too: a shared count ties its groups to the twin's, which are decided."""
    on = ["month", "area", "kpi_id", "cohort"]
    is_group = ((cells["month"] == cells["step"]) & (cells["breakdown"] != TOTAL)).to_numpy()
    totals = cells.loc[(cells["breakdown"] == TOTAL) & (cells["month"] == cells["step"]), [*on, *COUNTS[:2]]]
    totals = totals.rename(columns={c: f"{c}_total" for c in COUNTS[:2]})
    probe = cells.loc[:, on].merge(totals, on=on, how="left", validate="many_to_one")
    same, none = np.ones(len(cells), dtype=bool), np.ones(len(cells), dtype=bool)
    for count in COUNTS[:2]:
        mine, total = cells[count].to_numpy(float), probe[f"{count}_total"].to_numpy(float)
        same &= (mine == total) | (np.isnan(mine) & np.isnan(total))
        none &= np.nan_to_num(mine) == 0
    breakdown = list(zip(cells["kpi_id"].astype(str), cells["month"].astype(str), cells["breakdown"], strict=True))
    whole: dict[tuple[str, str, str], bool] = {}
    for key, fits, group in zip(breakdown, same | none, is_group, strict=True):
        if group:
            whole[key] = whole.get(key, True) and bool(fits)
    tied: dict[str, set[str]] = {}
    for (one, _), (other, _) in same_children:
        tied.setdefault(one, set()).add(other)
        tied.setdefault(other, set()).add(one)
    changed = True
    while changed:  # a twin's twin too
        changed = False
        for (kpi, month, name), is_whole in list(whole.items()):
            if is_whole and not all(whole.get((t, month, name), True) for t in tied.get(kpi, ())):
                whole[(kpi, month, name)] = False
                changed = True
    return np.array([group and whole[key] for key, group in zip(breakdown, is_group, strict=True)], dtype=bool)


AS_ITS_TOTAL = "every child of its breakdown is in this group: hidden as its total is"


def _with_groups_as_totals(
    cells: pd.DataFrame, hidden: np.ndarray, groups: pd.DataFrame, already_hidden: pd.DataFrame | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The decided cells and `groups` (`_one_group_holds_all`'s) after them, each group hidden as its total is
    (or where it was hidden from the start); the sums' cell numbers still point at the decided cells."""
    if groups.empty:
        return cells, hidden
    on = ["month", "area", "kpi_id", "cohort"]
    totals = cells.loc[cells["breakdown"] == TOTAL, on].assign(_hidden=hidden[(cells["breakdown"] == TOTAL)])
    probe = groups.loc[:, on].merge(totals, on=on, how="left", validate="many_to_one")
    as_total = probe["_hidden"].fillna(True).to_numpy(dtype=bool, copy=True)  # no total decided: hidden, to be safe
    if already_hidden is not None:
        as_total |= _keys_in(groups, already_hidden)
    together = pd.concat([cells, groups.assign(as_total=True)], ignore_index=True)
    together["as_total"] = together["as_total"].fillna(False).astype(bool)
    return together, np.concatenate([hidden, as_total])


ALREADY_PUBLISHED = "hidden by a version of this month already published"


def _reasons_in(cells: pd.DataFrame, keys: pd.DataFrame | None) -> np.ndarray:
    """Per cell, why it is among the keys hidden from the start (their `reason`, else ALREADY_PUBLISHED); ''
    where it is not among them."""
    if keys is None or keys.empty:
        return np.full(len(cells), "", dtype=object)
    why = keys.get("reason", pd.Series(ALREADY_PUBLISHED, index=keys.index)).fillna(ALREADY_PUBLISHED)
    first = keys.loc[:, list(KEYS)].astype(str).assign(_why=why.astype(str)).drop_duplicates(list(KEYS))
    probe = cells.loc[:, list(KEYS)].astype(str).merge(first, on=list(KEYS), how="left", validate="many_to_one")
    return probe["_why"].fillna("").to_numpy(dtype=object)


def _keys_in(cells: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Per cell, whether its key (month or period, area, KPI, cohort, breakdown, group) is among `keys`."""
    probe = (
        cells.loc[:, list(KEYS)]
        .astype(str)
        .merge(keys.loc[:, list(KEYS)].astype(str).drop_duplicates().assign(_in=True), on=list(KEYS), how="left")
    )
    return probe["_in"].fillna(False).to_numpy(dtype=bool)


@dataclass(frozen=True)
class _TwinCells:
    """The cells of two figures that are the same children in one count each, row by row (the same month, area,
    cohort, breakdown and group): `one` with its count `one_count`, `other` with `other_count`."""

    one: np.ndarray
    one_count: Count
    other: np.ndarray
    other_count: Count


def _twins(
    cells: pd.DataFrame, same_children: tuple[Twin, ...], same_as_group: tuple[GroupTwin, ...] = ()
) -> list[_TwinCells]:
    on = ["month", "area", "cohort", "breakdown", "group"]
    pairs = []
    for (one, count), (other, its) in same_children:
        a = cells.loc[cells["kpi_id"] == one, on].assign(a=lambda f: f.index)
        b = cells.loc[cells["kpi_id"] == other, on].assign(b=lambda f: f.index)
        pairs.append((a.merge(b, on=on), count, its))
    for (one, count, breakdown, group), (other, its) in same_as_group:
        chosen = (cells["kpi_id"] == one) & (cells["breakdown"] == breakdown) & (cells["group"] == group)
        a = cells.loc[chosen, on[:3]].assign(a=lambda f: f.index)
        b = cells.loc[(cells["kpi_id"] == other) & (cells["breakdown"] == TOTAL), on[:3]].assign(b=lambda f: f.index)
        pairs.append((a.merge(b, on=on[:3]), count, its))
    return [
        _TwinCells(p["a"].to_numpy(), Count[count.upper()], p["b"].to_numpy(), Count[its.upper()])
        for p, count, its in pairs
    ]


def _twin_shown(twins: list[_TwinCells], hidden: np.ndarray) -> np.ndarray:
    """Per cell and count: is the count shown by a twin (the same children, in a figure not hidden)?"""
    out = np.zeros((len(hidden), len(Count)), dtype=bool)
    for t in twins:
        out[t.one, t.one_count] |= ~hidden[t.other]
        out[t.other, t.other_count] |= ~hidden[t.one]
    return out


def _hidden_with_twins(twins: list[_TwinCells], hidden_for: np.ndarray) -> np.ndarray:
    """Every cell whose twin is hidden for the count they share (marked hidden for it too, in `hidden_for`)."""
    out = np.zeros(len(hidden_for), dtype=bool)
    for _ in range(len(twins) + 1):  # a twin's twin: until no more are found
        before = hidden_for.copy()
        for t in twins:
            hidden_for[t.other, t.other_count] |= hidden_for[t.one, t.one_count]
            hidden_for[t.one, t.one_count] |= hidden_for[t.other, t.other_count]
        if np.array_equal(before, hidden_for):
            break
    for t in twins:
        out[t.one] |= hidden_for[t.one, t.one_count]
        out[t.other] |= hidden_for[t.other, t.other_count]
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
    already_hidden: pd.DataFrame | None = None, flows: FlowRule | None = None,
) -> Decision:  # fmt: skip
    """What `hidden_keys` hides, with `disclosure_log`'s reasons, from one decision."""
    found = suppressed(
        figures, catalogue, rule, authority, cohorts, same_children=same_children, already_hidden=already_hidden,
        flows=flows,
    )  # fmt: skip
    cells, hidden, _ = found
    keys = cells.loc[hidden, list(KEYS)].assign(shown=HIDDEN).reset_index(drop=True)
    return Decision(keys, _log(*found, rule, already_hidden))


def disclosure_log(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None, flows: FlowRule | None = None,
) -> pd.DataFrame:  # fmt: skip
    """A reason for every hidden figure, for the data-protection officer (the internal edition's
    disclosure-log.csv): `reason` primary (its numerator, denominator or the children a percentage leaves out
    are 1-4: which), secondary (hidden so that `protects`, hidden in `sum` with it, cannot be worked out), a
    period with a hidden month, the same children as a hidden figure of another KPI, a flow across months
    (`FLOW_REASON`), or hidden by a version already published. Its exact counts are beside it: this log is not
    for publication."""
    found = suppressed(
        figures, catalogue, rule, authority, cohorts, same_children=same_children, already_hidden=already_hidden,
        flows=flows,
    )  # fmt: skip
    return _log(*found, rule, already_hidden)


def _log(
    cells: pd.DataFrame, hidden: np.ndarray, members: pd.DataFrame, rule: DisclosureRule,
    already_hidden: pd.DataFrame | None,
) -> pd.DataFrame:  # fmt: skip
    values = cells[list(COUNTS)].to_numpy(float)
    small = _small(values, rule)
    earlier = _reasons_in(cells, already_hidden)
    keys = cells.loc[:, list(KEYS)].astype(str).to_numpy()
    is_month = (cells["month"] == cells["step"]).to_numpy()
    as_total = cells["as_total"].to_numpy(dtype=bool) if "as_total" in cells else np.zeros(len(cells), dtype=bool)
    by_flow = cells["by_flow"].fillna("").to_numpy(str) if "by_flow" in cells else np.full(len(cells), "")
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
            reason = earlier[c]
        elif not is_month[c]:
            reason = "period: a month in it is hidden"
        elif as_total[c]:
            reason = AS_ITS_TOTAL
        elif by_flow[c]:
            reason = by_flow[c]
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


def hidden_keys(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str,
    cohorts: CohortCatalogue | None = None, *, same_children: tuple[Twin, ...] = (),
    already_hidden: pd.DataFrame | None = None, flows: FlowRule | None = None,
    same_as_group: tuple[GroupTwin, ...] = (),
) -> pd.DataFrame:  # fmt: skip
    """The keys (month or period, area, KPI, cohort, breakdown, group) of every figure to hide; `shown`: HIDDEN,
    what stands for each, alike whether it is small or hidden to protect another."""
    cells, mask, _ = suppressed(
        figures, catalogue, rule, authority, cohorts, same_children=same_children, already_hidden=already_hidden,
        flows=flows, same_as_group=same_as_group,
    )  # fmt: skip
    log.info(
        "disclosure control: %d of %d figures hidden, up to %s",
        int(mask.sum()), len(cells), cells["step"].max() if len(cells) else "-",
    )  # fmt: skip
    return cells.loc[mask, list(KEYS)].assign(shown=HIDDEN).reset_index(drop=True)


def no_hidden() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in (*KEYS, "shown")})
