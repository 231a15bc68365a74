"""An independent reading of the DfE's SSDA903 definitions, child by child, for the headline figures.

Written apart from lacperf_helpers/measures (no call into it, no pandas): the CSVs are read with the csv
module and each child's episodes walked in a loop, so a rule the registry never thought of shows up as a
disagreement. Cohort: every child (no UASC reading), the authority as a whole. Each function returns, per
measure, (numerator, denominator) for a percent and (count, None) for a count.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SHORT_BREAKS = ("V3", "V4")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
NEW_PLACEMENT = ("S", "P", "B", "T", "U")  # RNE L: legal status only
WITH_CURRENT_CARER = ("A3", "A5")
ADOPTIVE = ("A3", "A4", "A5", "A6")
SUITABLE = ("B1", "C1", "D1", "E1", "G1", "H1", "K1", "R1", "T1", "U1", "V1", "W1", "Y1", "Z1")  # rule 133's, *1
EET = ("F1", "P1", "F2", "P2", "F3", "P3")


def day(text: str) -> date | None:
    return datetime.strptime(text.strip(), "%d/%m/%Y").date() if text and text.strip() else None


def years_back(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def months_back(d: date, months: int) -> date:
    month = d.month - 1 - months
    year, month = d.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(d.day, last))
        except ValueError:
            continue
    raise ValueError(d)


def age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass
class Episode:
    start: date
    end: date | None
    rne: str
    ls: str
    place: str
    where: tuple[str, ...]  # PLACE, provider, URN, postcode: the same place after a temporary one
    rec: str

    def open_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or self.end > d)


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        return []
    with path.open(newline="") as file:
        return [{k.strip().upper(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(file)]


@dataclass
class Extract:
    episodes: dict[str, list[Episode]]  # by child, in order of start, short breaks left out
    born: dict[str, date | None]
    missing: list[tuple[str, str, date]]
    oc2: dict[str, dict[str, str]]
    oc3: list[dict[str, str]]


def read(folder: Path) -> Extract:
    by_key: dict[tuple[str, date], Episode] = {}
    for row in rows(folder, "episodes.csv"):
        start = day(row["DECOM"])
        if start is None or row["LS"].upper() in SHORT_BREAKS:
            continue
        where = (row["PLACE"], row["PLACE_PROVIDER"], row["URN"], row["PL_POST"])
        by_key[(row["CHILD"], start)] = Episode(start, day(row["DEC"]), row["RNE"].upper(), row["LS"].upper(),
                                                row["PLACE"].upper(), where, row["REC"].upper())  # fmt: skip
    episodes: dict[str, list[Episode]] = defaultdict(list)
    for (child, _), episode in sorted(by_key.items()):
        episodes[child].append(episode)
    born: dict[str, date | None] = {}
    for row in rows(folder, "header.csv"):
        born.setdefault(row["CHILD"], day(row["DOB"]))
    missing = [(r["CHILD"], r["MISSING"].upper(), d) for r in rows(folder, "missing.csv") if (d := day(r["MIS_START"]))]
    oc2 = {r["CHILD"]: r for r in rows(folder, "oc2.csv")}
    return Extract(dict(episodes), born, missing, oc2, rows(folder, "oc3.csv"))


def continues(before: Episode, after: Episode) -> bool:
    """`after` is in the same period of care as `before`: X1, and no gap between them."""
    return before.rec == "X1" and (before.end is None or before.end >= after.start)


def period_start(episodes: list[Episode], index: int) -> date:
    while index > 0 and continues(episodes[index - 1], episodes[index]):
        index -= 1
    return episodes[index].start


def placements_in(episodes: list[Episode], first: date, last: date) -> int:
    count = 0
    held: tuple[str, ...] | None = None  # where the child was before the current run of temporary placements
    left_on: date | None = None  # the day that run began
    for i, e in enumerate(episodes):
        temporary = e.place in TEMPORARY
        previous = episodes[i - 1] if i else None
        starts_period = previous is None or not continues(previous, e)
        back = previous is not None and previous.place in TEMPORARY and not starts_period and e.where == held
        if temporary:
            if previous is None or previous.place not in TEMPORARY:
                held, left_on = (previous.where if previous else None), e.start
            continue
        if e.start < first and (e.end is None or e.end >= first):
            count += 1
        elif first <= e.start <= last:
            moved = e.rne in NEW_PLACEMENT and not back and e.place not in WITH_CURRENT_CARER
            if starts_period or moved or (back and left_on is not None and left_on < first):
                count += 1
        held, left_on = e.where, None
    return count


def figures(data: Extract, d: date) -> dict[str, tuple[int, int | None]]:
    month_first, year_first = d.replace(day=1), years_back(d, 1) + timedelta(days=1)
    now = {c for c, eps in data.episodes.items() if any(e.open_on(d) for e in eps)}
    out: dict[str, tuple[int, int | None]] = {"cla_count": (len(now), None)}

    def started(first: date) -> int:
        return sum(any(e.rne == "S" and first <= e.start <= d for e in eps) for eps in data.episodes.values())

    out["cla_starts"], out["cla_starts_12_months"] = (started(month_first), None), (started(year_first), None)
    ceased_month, leavers, adopted = 0, 0, 0
    for eps in data.episodes.values():
        endings = [e for e in eps if e.end is not None and e.rec != "X1"]
        ceased_month += any(month_first <= e.end <= d for e in endings)  # type: ignore[operator]
        in_year = [e for e in endings if year_first <= e.end <= d]  # type: ignore[operator]
        if in_year:
            leavers += 1
            adopted += max(in_year, key=lambda e: e.end).rec in ("E11", "E12")  # type: ignore[arg-type,return-value]
    out["cla_ceased"], out["adopted_of_leavers"] = (ceased_month, None), (adopted, leavers)
    out["placement_stability_short"] = (sum(placements_in(data.episodes[c], year_first, d) >= 3 for c in now), len(now))
    stable, in_scope = 0, 0
    for c in now:
        eps = data.episodes[c]
        current = max(i for i, e in enumerate(eps) if e.open_on(d))
        years = age(data.born.get(c), d)
        if years is None or years >= 16 or period_start(eps, current) > months_back(d, 30):
            continue
        in_scope += 1
        window = months_back(d, 24)
        moves = [
            i for i, e in enumerate(eps)
            if window < e.start <= d and e.rne in ("P", "B") and e.place not in TEMPORARY
            and e.place not in WITH_CURRENT_CARER
            and not (i and eps[i - 1].place in TEMPORARY and eps[i - 1].rec == "X1" and e.where == _before(eps, i))
        ]  # fmt: skip
        stable += all(i == current and eps[i].place in ADOPTIVE for i in moves)
    out["placement_stability_long"] = (stable, in_scope)
    went = {c for c, kind, start in data.missing if kind == "M" and month_first <= start <= d}
    during = {c for c, eps in data.episodes.items() if any(e.start <= d and (e.end is None or e.end >= month_first)
                                                           for e in eps)}  # fmt: skip
    out["missing_in_month"] = (len(went & during), None)
    out["missing_in_month_share"] = (len(went & during), len(during))  # of every child looked after in the month
    leavers_now = [r for r in data.oc3 if r["IN_TOUCH"].upper() not in ("DIED", "RHOM")]
    out["care_leavers_in_touch"] = (sum(r["IN_TOUCH"].upper() == "YES" for r in leavers_now), len(leavers_now))
    out["care_leavers_eet"] = (sum(r["ACTIV"].upper() in EET for r in leavers_now), len(leavers_now))
    out["care_leavers_suitable_accommodation"] = (sum(r["ACCOM"] in SUITABLE for r in leavers_now), len(leavers_now))
    march = date(d.year if d.month > 3 else d.year - 1, 3, 31)
    cohort = [
        c for c, eps in data.episodes.items()
        if any(e.open_on(march) and period_start(eps, i) <= years_back(march, 1) + timedelta(days=1)
               for i, e in enumerate(eps))
    ]  # fmt: skip
    for measure, column in (("health_assessment", "HEALTH_ASSESSMENT"), ("dental_check_903", "TEETH_CHECK")):
        out[measure] = (sum(data.oc2.get(c, {}).get(column) == "1" for c in cohort), len(cohort))
    return out


def _before(eps: list[Episode], index: int) -> tuple[str, ...] | None:
    """Where the child was before the run of temporary placements that ends just before `index`."""
    i = index - 1
    while i >= 0 and eps[i].place in TEMPORARY:
        i -= 1
    return eps[i].where if i >= 0 else None
