"""An attacker's audit of disclosure control: everything published, as linear relations over the true counts.

The unknowns are the hidden figures' numerators and denominators. What a reader knows of them:
- every sum a reader can form (`disclosure.relations`, `disclosure.period_relations`): where its parts add
  up exactly to its total, an equation; where they do not (unaccompanied children outside a cohort,
  children of no area), only that the rest, total - parts, is a count (>= 0);
- each hidden count is a whole number of at least 0; a figure shown as '<5' has its numerator or
  denominator of 1-4, and the reader is taken to know which (more than the page says);
- a percentage's numerator is at most its denominator;
- (if given) a rating shown for a hidden figure: where its value lies against the target and floor.
For every count truly of 1-4 that is hidden (a numerator, a denominator, the children a percentage leaves
out, the rest of a sum) an integer programme (scipy.optimize.milp) asks whether it can be as small as 1 and
as large as smallest_shown - 1 for all of that. Each integer solution found shows every count at the value
it takes there, so one answers for many. A count that cannot reach both is worked out exactly: recoverable
if it has one value, narrowed if its range is narrower than '<5' says.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from lacperf_helpers.disclose.disclosure import COUNTS, remainders

BIG = 1e7  # no child count reaches this: an upper bound the solver can use for "unbounded"


@dataclass
class Audit:
    published: int = 0
    hidden: int = 0
    sensitive: int = 0  # hidden counts of 1-4 (including the rests of sums), each checked
    recoverable: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"cells published {self.published}, cells hidden {self.hidden}, hidden counts of 1-4 checked "
            f"{self.sensitive}, hidden cells recoverable {len(self.recoverable)}, narrower than '<5' "
            f"{len(self.narrowed)}"
        )


def _bounds(value: float, smallest: int, labelled_small: bool) -> tuple[float, float]:
    """What a reader knows of a hidden count: 1-4 where the page says '<5' of it, else only that it is >= 0."""
    if labelled_small and 1 <= value < smallest:
        return 1.0, smallest - 1.0
    return 0.0, BIG


def audit(
    cells: pd.DataFrame,
    hidden: np.ndarray,
    members: pd.DataFrame,
    smallest: int,
    labelled: np.ndarray,
    ratings: pd.DataFrame | None = None,
    in_scope: np.ndarray | None = None,
) -> Audit:
    """`cells`, `hidden`, `members` and `labelled` (hidden cells shown as '<5') as disclosure.suppressed and
    disclosure.relations make them;
    `ratings`: for hidden percentage cells whose rating is shown, the cell and the range its value is
    known to lie in (low, high, in percent); `in_scope`: the cells whose counts are checked (default all)."""
    in_scope = np.ones(len(cells), bool) if in_scope is None else in_scope
    lowest = _lowest(cells, members, labelled, smallest)
    values = cells[list(COUNTS)].to_numpy(float)
    result = Audit(published=int((~hidden & in_scope).sum()), hidden=int((hidden & in_scope).sum()))
    # the unknowns: numerator and denominator of each hidden cell
    index: dict[tuple[int, int], int] = {}
    for c in np.flatnonzero(hidden):
        for k in (0, 1):
            if not np.isnan(values[c, k]):
                index[(c, k)] = len(index)
    lower, upper = np.zeros(len(index)), np.full(len(index), BIG)
    for (c, k), i in index.items():
        lower[i], upper[i] = _bounds(values[c, k], smallest, bool(labelled[c]))
    rows: list[dict[int, float]] = []  # linear expressions; each with its own bounds
    row_lo: list[float] = []
    row_hi: list[float] = []
    # (row, its known constant, the lowest and highest values it must reach, description) of counts to protect
    checks: list[tuple[int, float, int, int, str]] = []

    def expression(terms: list[tuple[int, int, float]]) -> tuple[dict[int, float], float]:
        """sum of coef x count(cell, k), split into unknowns and a known constant."""
        coefs: dict[int, float] = {}
        constant = 0.0
        for c, k, coef in terms:
            if k == 2:  # complement = denominator - numerator
                for kk, sign in ((1, 1.0), (0, -1.0)):
                    part = expression([(c, kk, coef * sign)])
                    for i, v in part[0].items():
                        coefs[i] = coefs.get(i, 0.0) + v
                    constant += part[1]
                continue
            if (c, k) in index:
                coefs[index[(c, k)]] = coefs.get(index[(c, k)], 0.0) + coef
            else:
                constant += coef * values[c, k]
        return {i: v for i, v in coefs.items() if v}, constant

    def add(coefs: dict[int, float], constant: float, lo: float, hi: float) -> int:
        rows.append(coefs)
        row_lo.append(lo - constant)
        row_hi.append(hi - constant)
        return len(rows) - 1

    for c in np.flatnonzero(hidden):
        if not np.isnan(values[c, 2]):  # a percentage: the children it leaves out
            coefs, constant = expression([(c, 2, 1.0)])
            row = add(coefs, constant, 0.0, BIG)
            if 1 <= values[c, 2] < smallest and in_scope[c]:
                both = labelled[c] and all(1 <= values[c, k] < smallest for k in (0, 1))  # '<5' of '<5': 0 to 3
                label = f"children left out of {_name(cells, c)}"
                checks.append((row, constant, 1, smallest - 2 if both else smallest - 1, label))
        for k in (0, 1):
            if (c, k) in index and 1 <= values[c, k] < smallest and in_scope[c]:
                row = add({index[(c, k)]: 1.0}, 0.0, -BIG, BIG)
                checks.append((row, 0.0, lowest[c, k], smallest - 1, f"{COUNTS[k]} of {_name(cells, c)}"))
    rests = remainders(cells, members)
    for r, one in members.groupby("relation"):
        who = one["cell"].to_numpy()
        if not hidden[who].any():
            continue
        for k in range(3):
            if np.isnan(rests[r, k]):
                continue
            coefs, constant = expression([(c, k, float(s)) for c, s in zip(who, one["sign"], strict=True)])
            if not coefs:
                continue
            rest = rests[r, k]
            if rest == 0:
                add(coefs, constant, 0.0, 0.0)
            elif rest > 0:  # the rest (unaccompanied children, children of no area) is only known to be >= 0
                row = add(coefs, constant, 0.0, BIG)
                if rest < smallest and in_scope[who[one["sign"].to_numpy() > 0][0]]:
                    label = f"the rest of a sum at {_name(cells, who[0])} ({COUNTS[k]})"
                    checks.append((row, constant, 1, smallest - 1, label))
            else:  # the parts add up to more than the total: the reader is taken to know by how much
                add(coefs, constant, rest, rest)
    for c, low, high in [] if ratings is None else ratings.itertuples(index=False):
        if (c, 0) in index and (c, 1) in index:  # low <= 100 n / d < high
            n, d = index[(c, 0)], index[(c, 1)]
            add({n: 100.0, d: -low}, 0.0, 0.0, BIG)
            if high < np.inf:
                add({n: 100.0, d: -high}, 0.0, -BIG, -1e-6)
    result.sensitive = len(checks)
    if not checks:
        return result
    _solve(rows, row_lo, row_hi, lower, upper, checks, smallest, result)
    return result


def _lowest(cells: pd.DataFrame, members: pd.DataFrame, labelled: np.ndarray, smallest: int) -> np.ndarray:
    """Per cell and count, the least a hidden count must be able to reach: 1; but an added-up period's count
    is at least its months' that read '<5' (one each), whatever the period shows: its months said so first."""
    values = cells[list(COUNTS)].to_numpy(float)
    out = np.ones((len(cells), 2), dtype=int)
    periods = (cells["month"] != cells["step"]).to_numpy()
    tight = ((values[:, :2] >= 1) & (values[:, :2] < smallest)) & labelled[:, None]
    for _, one in members.groupby("relation"):
        who, signs = one["cell"].to_numpy(), one["sign"].to_numpy()
        total = who[signs > 0][0]
        if periods[total]:
            out[total] = np.maximum(1, tight[who[signs < 0]].sum(axis=0))
    return out


def _name(cells: pd.DataFrame, c: int) -> str:
    row = cells.iloc[c]
    return f"{row['month']} {row['area']} {row['kpi_id']} {row['cohort']} {row['breakdown']}={row['group']}"


def _solve(
    rows: list[dict[int, float]], row_lo: list[float], row_hi: list[float], lower: np.ndarray, upper: np.ndarray,
    checks: list[tuple[int, float, str]], smallest: int, result: Audit,
) -> None:  # fmt: skip
    """Min and max of each checked expression, one connected block of unknowns at a time."""
    parent = list(range(len(lower)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefs in rows:
        ids = list(coefs)
        for other in ids[1:]:
            parent[find(other)] = find(ids[0])
    blocks: dict[int, list[int]] = {}
    for row, coefs in enumerate(rows):
        if coefs:
            blocks.setdefault(find(next(iter(coefs))), []).append(row)
    by_block: dict[int, list[tuple[int, float, int, int, str]]] = {}
    for check in checks:
        by_block.setdefault(find(next(iter(rows[check[0]]))), []).append(check)
    for root, mine in by_block.items():
        block = blocks[root]
        variables = sorted({i for r in block for i in rows[r]})
        local = {v: j for j, v in enumerate(variables)}
        data, r_idx, c_idx = [], [], []
        for j, r in enumerate(block):
            for i, v in rows[r].items():
                data.append(v)
                r_idx.append(j)
                c_idx.append(local[i])
        matrix = coo_matrix((data, (r_idx, c_idx)), shape=(len(block), len(variables))).tocsr()
        constraint = LinearConstraint(matrix, [row_lo[r] for r in block], [row_hi[r] for r in block])
        bounds = Bounds(lower[variables], upper[variables])
        objectives = np.zeros((len(mine), len(variables)))
        for n, (row, *_) in enumerate(mine):
            for i, v in rows[row].items():
                objectives[n, local[i]] = v
        # Integer solutions found so far: each shows every checked count at the value it takes there, so one
        # solution can show many counts reaching 1 (or 4). The first two push all the counts down, then up.
        pool = [
            x
            for x in (_solution(sense * objectives.sum(axis=0), constraint, bounds) for sense in (1, -1))
            if x is not None
        ]
        for n, (_, constant, lowest_allowed, highest, label) in enumerate(mine):
            objective = objectives[n]
            reaches = []
            for low, high in ((-BIG, lowest_allowed - constant), (highest - constant, BIG)):
                if any(low - 1e-6 <= objective @ x <= high + 1e-6 for x in pool):
                    reaches.append(True)
                    continue
                held = LinearConstraint(objective.reshape(1, -1), [low], [high])
                x = _solution(np.zeros(len(objective)), [constraint, held], bounds)
                if x is not None:
                    pool.append(x)
                reaches.append(x is not None)
            if all(reaches):
                continue
            low, high = (round(_extreme(sense, objective, constraint, bounds) + constant) for sense in (1.0, -1.0))
            if low == high:
                result.recoverable.append(f"{label}: {low}")
            else:
                result.narrowed.append(f"{label}: {low} to {high}")


def _solution(
    objective: np.ndarray, constraints: LinearConstraint | list[LinearConstraint], bounds: Bounds
) -> np.ndarray | None:
    """An integer solution (the best for `objective`), or None if there is none."""
    found = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(objective)))
    return np.round(found.x) if found.status == 0 else None


def _extreme(sense: float, objective: np.ndarray, constraint: LinearConstraint, bounds: Bounds) -> float:
    found = milp(sense * objective, constraints=constraint, bounds=bounds, integrality=np.ones(len(objective)))
    assert found.success, found.message
    return float(sense * found.fun)
