"""Synthetic Ofsted Annex A, cut from the same care histories as the synthetic SSDA903 extract.

`synthetic_annex_a(histories, at, ...)` gives the Annex A a council's system would produce at the month end
`at`, for the same children, periods of care, placements and dates as `extract_at(histories, at, since)`:

- List 8: every child looked after at any time in the 12 months to `at` (a child who left is there with the
  date and reason), with the latest review, social work visit, IRO contact, health assessment and dental
  check (most in timescale, some late, a few never held), placements in the 12 months (counted as the DfE
  counts them: the placement held when they began and each new one since, temporary ones and the return
  from them left out), missing and absent episodes and the return interview after the last, and the
  allocated team and worker (a few unallocated);
- List 9: care leavers aged 16 to 21 (care ended on or after their 16th birthday, after 13 weeks or more in
  care): eligibility, in touch, accommodation and its suitability, activity, pathway plan and contact;
- List 10: children with a decision that they should be placed for adoption, from those whose care went
  to a placement order (placement order, match, placed, adoption order dates from their episodes);
- List 11: the adopters those children were matched with, and a few still in assessment.

Everything about a child that Annex A adds to SSDA903 (review dates, leavers' circumstances ...) is drawn
from a generator seeded by the child and the event it follows, so a review held in March is the same review
in every later month's Annex A. Values are written as councils' systems write them, in one of three
`STYLES` (Ofsted's template "a) Yes", "d) U4: Foster placement - long term"; bare codes "Yes", "U4"; names
"Y", "Foster placement - long term"), with the LIIA schema's canonical column names.
`write_annex_a` writes the lists as a workbook (.xlsx, one sheet per list; written here, byte for byte the
same every time) or one CSV per list.
"""

from __future__ import annotations

import array
import bisect
import dataclasses
import functools
import itertools
import math
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from lacperf_helpers.config.vocabulary import UNNAMED_AUTHORITY
from lacperf_helpers.ingest.annex_a_codes import (
    ABSENT_12_MONTHS,
    ACCOMMODATION,
    ACTIVITY,
    ADOPTER_DISABILITY,
    ADOPTER_FFA,
    ADOPTER_ID,
    ADOPTER_MATCHED,
    ADOPTER_PLACED,
    ADOPTION_DECISION,
    ADOPTION_ORDER,
    AGE,
    ALLOCATED_TEAM,
    ALLOCATED_WORKER,
    APPLICATION_APPROVED,
    APPLICATION_SUBMITTED,
    CATEGORY_OF_NEED,
    CEASED_LOOKED_AFTER,
    CHILD_ID,
    CHILDREN_PLACED,
    DATE_OF_BIRTH,
    DISABILITY,
    ELIGIBILITY,
    ENQUIRY,
    ENTERED_CARE,
    ETHNICITY,
    FAMILY_ID,
    GENDER,
    IN_TOUCH,
    LAST_DENTAL_CHECK,
    LAST_HEALTH_ASSESSMENT,
    LAST_IRO_VISIT,
    LAST_SOCIAL_WORK_VISIT,
    LATEST_CONTACT,
    LATEST_PATHWAY_PLAN_REVIEW,
    LATEST_REVIEW,
    LEFT_PROCESS,
    LEFT_PROCESS_REASON,
    LEGAL_STATUS,
    LEGAL_STATUS_START,
    LIST_8,
    LIST_9,
    LIST_10,
    LIST_11,
    MATCHED,
    MISSING_12_MONTHS,
    NO_LONGER_ADOPTION_DECISION,
    NO_LONGER_ADOPTION_REASON,
    PERMANENCE_PLAN,
    PERSONAL_ADVISER,
    PLACED_FFA,
    PLACED_FOR_ADOPTION,
    PLACEMENT_LA,
    PLACEMENT_LOCATION,
    PLACEMENT_ORDER,
    PLACEMENT_POSTCODE,
    PLACEMENT_PROVIDER,
    PLACEMENT_START,
    PLACEMENT_TYPE,
    PLACEMENT_URN,
    PLACEMENTS_12_MONTHS,
    REASON_CEASED,
    RETURN_INTERVIEW_ACCEPTED,
    RETURN_INTERVIEW_OFFERED,
    STAGE_1_ENDED,
    STAGE_1_STARTED,
    STAGE_2_ENDED,
    STAGE_2_STARTED,
    STARTED_LOOKED_AFTER,
    SUBSEQUENT_PERIOD,
    SUITABILITY,
    UASC,
    UASC_LEAVER,
)
from lacperf_helpers.ingest.ssda903 import Ssda903
from lacperf_helpers.ingest.synthetic import EPOCH

# How a council's system writes its values: Ofsted's template, bare codes, or words
TEMPLATE, CODES, WORDS = "template", "codes", "words"
STYLES = (TEMPLATE, CODES, WORDS)
LIST_COLUMNS: dict[int, tuple[str, ...]] = {
    LIST_8: (CHILD_ID, GENDER, ETHNICITY, DATE_OF_BIRTH, AGE, UASC, DISABILITY, STARTED_LOOKED_AFTER,
             CATEGORY_OF_NEED, SUBSEQUENT_PERIOD, LEGAL_STATUS_START, LEGAL_STATUS, LATEST_REVIEW,
             LAST_SOCIAL_WORK_VISIT, PERMANENCE_PLAN, LAST_IRO_VISIT, LAST_HEALTH_ASSESSMENT, LAST_DENTAL_CHECK,
             PLACEMENTS_12_MONTHS, CEASED_LOOKED_AFTER, REASON_CEASED, PLACEMENT_START, PLACEMENT_TYPE,
             PLACEMENT_PROVIDER, PLACEMENT_POSTCODE, PLACEMENT_URN, PLACEMENT_LOCATION, PLACEMENT_LA,
             MISSING_12_MONTHS, ABSENT_12_MONTHS, RETURN_INTERVIEW_OFFERED, RETURN_INTERVIEW_ACCEPTED,
             ALLOCATED_TEAM, ALLOCATED_WORKER),
    LIST_9: (CHILD_ID, GENDER, ETHNICITY, DATE_OF_BIRTH, AGE, UASC_LEAVER, DISABILITY, ALLOCATED_TEAM,
             ALLOCATED_WORKER, PERSONAL_ADVISER, ELIGIBILITY, LATEST_PATHWAY_PLAN_REVIEW, IN_TOUCH, LATEST_CONTACT,
             ACCOMMODATION, SUITABILITY, ACTIVITY),
    LIST_10: (CHILD_ID, FAMILY_ID, GENDER, ETHNICITY, DATE_OF_BIRTH, AGE, DISABILITY, ENTERED_CARE,
              ADOPTION_DECISION, PLACEMENT_ORDER, MATCHED, PLACED_FOR_ADOPTION, ADOPTION_ORDER,
              NO_LONGER_ADOPTION_DECISION, NO_LONGER_ADOPTION_REASON, PLACED_FFA),
    LIST_11: (ADOPTER_ID, FAMILY_ID, GENDER, ETHNICITY, ADOPTER_DISABILITY, ADOPTER_FFA, ENQUIRY, STAGE_1_STARTED,
              STAGE_1_ENDED, STAGE_2_STARTED, STAGE_2_ENDED, APPLICATION_SUBMITTED, APPLICATION_APPROVED,
              ADOPTER_MATCHED, ADOPTER_PLACED, CHILDREN_PLACED, ADOPTION_ORDER, LEFT_PROCESS, LEFT_PROCESS_REASON),
}  # fmt: skip

# (code, Ofsted's template form, the words a system may write instead)
_YES_NO = {True: ("Yes", "a) Yes", "Y"), False: ("No", "b) No", "N")}
_SEX = {"M": ("Male", "a) Male", "M"), "F": ("Female", "b) Female", "F"), "U": ("Not stated", "c) Not stated/recorded",
                                                                             "Not stated")}  # fmt: skip
_ETHNIC_NAMES = {"WBRI": "White British", "WIRI": "White Irish", "WOTH": "Any other White background",
                 "MWBC": "White and Black Caribbean", "MWBA": "White and Black African",
                 "MOTH": "Any other Mixed background", "AIND": "Indian", "APKN": "Pakistani",
                 "AOTH": "Any other Asian background", "BAFR": "African", "BCRB": "Caribbean",
                 "BOTH": "Any other Black background", "CHNE": "Chinese", "OOTH": "Any other ethnic group",
                 "REFU": "Refused", "NOBT": "Information not yet obtained"}  # fmt: skip
_ETHNIC_LETTERS = dict(zip(["WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
                            "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"],
                           "abcdefghijklmnopqrss", strict=True))  # fmt: skip
_LEGAL = {"C1": "ICO", "C2": "FCO", "E1": "Placement order", "D1": "Freeing order", "V2": "Single period under S20",
          "L1": "Police protection LA accommodation", "L2": "EPO", "J1": "Remanded to LA or youth detention",
          "J2": "LA accommodation under PACE", "V3": "Short term breaks, episodes recorded"}  # fmt: skip
_PLACEMENTS = {"U1": ("a", "Foster placement - relatives - long term"),
               "U2": ("b", "Foster placement - relative - FFA"),
               "U3": ("c", "Foster placement - relative - not FFA"), "U4": ("d", "Foster placement - long term"),
               "U5": ("e", "Foster placement - FFA"), "U6": ("f", "Foster placement - not FFA"),
               "A3": ("g", "Placed for adoption - consent - current foster"),
               "A4": ("h", "Placed for adoption - consent - not foster"),
               "A5": ("i", "Placed for adoption - order - foster"),
               "A6": ("j", "Placed for adoption - order - not foster"), "P1": ("k", "Placed with parents"),
               "P2": ("l", "Independent living"), "H5": ("n", "Residential accommodation"),
               "K2": ("p", "Children's Homes"), "R1": ("q", "Residential Care Home"), "S1": ("u", "Residential school"),
               "T0": ("w", "Temporary placement")}  # fmt: skip
_PROVIDERS = {"PR0": ("a", "Parents/Parental responsibility"), "PR1": ("b", "Own provision"),
              "PR2": ("c", "Other LA provision"), "PR4": ("e", "Private provision"),
              "PR5": ("f", "Voluntary/third sector")}  # fmt: skip
_NEEDS = {"N1": "Abuse or neglect", "N2": "Child's disability", "N3": "Parental disability or illness",
          "N4": "Family in acute stress", "N5": "Family dysfunction", "N6": "Socially unacceptable behaviour",
          "N7": "Low income", "N8": "Absent parenting"}  # fmt: skip
_CEASED = {"E11": ("a", "Adopted - application unopposed"), "E12": ("b", "Adopted - consent dispensed"),
           "E2": ("c", "Died"), "E3": ("d", "Care taken by another LA"),
           "E4A": ("e", "Returned home to live with parents or relatives - part of planning"),
           "E4B": ("f", "Returned home to live with parents or relatives - not part of planning"),
           "E13": ("g", "Parents, relatives or other with no parental responsibility"),
           "E41": ("h", "Residence order granted"),
           "E45": ("i", "Special Guardianship Orders - former carer relative/friend"),
           "E47": ("k", "Special Guardianship Orders - relative/friend"),
           "E5": ("m", "Moved into independent living - supported"),
           "E6": ("n", "Moved into independent living - no support"), "E9": ("p", "Sentenced to custody"),
           "E8": ("t", "Care ceased for any other reason"),
           "E17": ("v", "Aged 18+ and remained with current carers")}  # fmt: skip
_PLANS = {"home": "a) Return to family", "adoption": "b) Adoption", "sgo": "c) SGO/CAO",
          "supported": "d) Supported living in the community", "residential": "e) Long-term residential placement",
          "fostering": "f) Long-term fostering", "other": "g) other"}  # fmt: skip
_ELIGIBILITY = {"relevant": "a) Relevant child", "former": "b) Former relevant child"}
_IN_TOUCH = (("YES", "a) Yes", "Yes", 0.93), ("NO", "b) No", "No", 0.04), ("REFU", "d) Refu", "Refused", 0.02),
             ("RHOM", "f) Rhom", "RHOM", 0.007), ("DIED", "c) Died", "Died", 0.003))  # fmt: skip
_ACCOMMODATION = (("D", "D: Semi-independent, transitional accommodation and self-contained accommodation", 0.28),
                  ("U", "U: Independent living", 0.2), ("Z", "Z: With former foster carers", 0.14),
                  ("B", "B: Parents/relatives", 0.15), ("E", "E: Supported lodgings", 0.08),
                  ("K", "K: Ordinary lodgings, without formal support", 0.04),
                  ("C", "C: Community home/residential care", 0.03), ("S", "S: No fixed adobe/homeless", 0.02),
                  ("W", "W: Bed and breakfast", 0.02), ("X", "X: In custody", 0.02),
                  ("R", "R: Residence not known", 0.02))  # fmt: skip
_NEVER_SUITABLE = {"S", "W", "X", "R"}
_ACTIVITY = (("F1", "F1: Full time in higher education", 0.04), ("P1", "P1: Part time in higher education", 0.01),
             ("F2", "F2: Full time in education other than higher", 0.2),
             ("P2", "P2: Part time in education other than higher", 0.04),
             ("F3", "F3: Full time in training or employment", 0.19),
             ("P3", "P3: Part time in training or employment", 0.07),
             ("G4", "G4: Not in education, employment or training - illness or disability", 0.1),
             ("G5", "G5: Not in education, employment or training - other", 0.28),
             ("G6", "G6: Not in education, employment or training - pregnancy or parenting", 0.07))  # fmt: skip
NEIGHBOURS = ("Medway", "East Sussex", "Bexley", "Surrey")
# What each series of dates is drawn for: one generator per child and the event the series follows
_REVIEWS, _VISITS, _HEALTH, _DENTAL, _LEAVER, _INTERVIEW, _ADOPTION, _WORKER = range(8)


def teams_of(areas: Sequence[str], sizes: Sequence[int] | None = None) -> dict[str, str]:
    """Children in care and care leaving teams of each area (TEAM -> AREA), the map team_area.csv holds."""
    teams = {}
    for area, size in zip(areas, sizes or [2] * len(areas), strict=True):
        for n in range(1, size + 1):
            teams[f"Children in Care {area} {n}"] = area
        teams[f"Care Leavers {area}"] = area
    return teams


def synthetic_annex_a(
    histories: Ssda903, at: pd.Timestamp, seed: int = 27, style: str = TEMPLATE, authority: str = UNNAMED_AUTHORITY,
    team_sizes: Mapping[str, int] | None = None,
) -> dict[int, pd.DataFrame]:  # fmt: skip
    """The Annex A at `at` (lists 8 to 11, the LIIA schema's column names), as a system of `style` writes
    it; dates are Timestamps (NaT blank), so a writer can give them as date cells or as dd/mm/yyyy."""
    if style not in STYLES:
        raise ValueError(f"style {style!r}: one of {', '.join(STYLES)}")
    children = _children(histories)
    context = _Context(seed, at, style, authority, dict(team_sizes or {}))
    context.histories = {
        child: history for child, record in children.items() if (history := record.known_at(context.day))
    }
    adoptions = _adoptions(children, context)
    return {
        LIST_8: _list_8(children, context),
        LIST_9: _list_9(children, context),
        LIST_10: _list_10(children, adoptions, context),
        LIST_11: _list_11(adoptions, context),
    }


# RNE of an episode that begins a placement: a new period (S) or a move (P, B, T, U)
_NEW_PLACEMENT = ("S", "P", "B", "T", "U")


class _Episode(NamedTuple):
    """An episode of care as the lists read it: its dates as day numbers (`dec` None while open), codes as text."""

    decom: int
    dec: int | None
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    pl_post: str
    urn: str  # "" when none
    rec: str
    placed_at: str  # PLACE, PLACE_PROVIDER, URN and PL_POST: where the child is (a return from a temporary one)
    period: int  # which of the child's periods of care (0, 1, ...): a period begins with RNE S


@dataclasses.dataclass(frozen=True)
class _Child:
    """What the lists draw on about one child of the histories, read once for every month's lists."""

    id: str
    born: pd.Timestamp
    sixteen: int  # the days of their 16th and 14th birthdays (a care leaver's)
    fourteen: int
    sex: str
    ethnic: str
    area: str
    uasc: bool  # in the UASC table
    uasc_until: int | None  # its DUC, the day they are no longer one (None: not given)
    episodes: tuple[_Episode, ...]  # their whole care history, in order
    starts: tuple[int, ...]  # each episode's DECOM
    missing: tuple[tuple[int, str], ...]  # their missing (M) and absent (A) episodes: (day it began, kind), in order
    placement_order: bool  # a placement order (LS E1) in their history: their adoption may be in lists 10 and 11

    def known_at(self, day: int) -> list[_Episode]:
        """The history as an extract taken on `day` holds it: episodes begun by then, one ending later open."""
        known = self.episodes[: bisect.bisect_right(self.starts, day)]
        return [e if e.dec is None or e.dec <= day else e._replace(dec=None, rec="") for e in known]

    def missing_in(self, first: int, last: int) -> tuple[tuple[int, str], ...]:
        """Their missing and absent episodes that began from day `first` to day `last`."""
        days = [went for went, _ in self.missing]
        return self.missing[bisect.bisect_left(days, first) : bisect.bisect_right(days, last)]


def _children(histories: Ssda903) -> dict[str, _Child]:
    """Every child with an episode in the histories, by CHILD in order: read once and kept in the histories'
    memo, as every month's lists (the sample makes 24) are cut from the same histories."""
    key = "synthetic_annex_a children"
    if key not in histories.memo:
        histories.memo[key] = _read_children(histories)
    children: dict[str, _Child] = histories.memo[key]
    return children


def _read_children(histories: Ssda903) -> dict[str, _Child]:
    episodes = histories.table("episodes").sort_values(["CHILD", "DECOM"])
    columns = ("CHILD", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN", "REC")
    text = {c: [str(v) for v in episodes[c].tolist()] for c in columns}
    urns = ["" if pd.isna(v) else str(v) for v in episodes["URN"].tolist()]
    histories_of: dict[str, list[_Episode]] = {}
    for i, (decom, dec) in enumerate(zip(_days(episodes["DECOM"]), _days(episodes["DEC"]), strict=True)):
        if decom is None:
            raise ValueError(f"child {text['CHILD'][i]}: an episode without a DECOM")
        history = histories_of.setdefault(text["CHILD"][i], [])
        period = history[-1].period + (text["RNE"][i] == "S") if history else 0
        placed_at = "|".join(text[c][i] for c in ("PLACE", "PLACE_PROVIDER", "URN", "PL_POST"))
        history.append(_Episode(decom, dec, text["RNE"][i], text["LS"][i], text["CIN"][i], text["PLACE"][i],
                                text["PLACE_PROVIDER"][i], text["PL_POST"][i], urns[i], text["REC"][i], placed_at,
                                period))  # fmt: skip
    header = histories.table("header")
    sixteen, fourteen = (_days(header["DOB"] + pd.DateOffset(years=years)) for years in (16, 14))  # (a leaver's)
    people = dict(zip(header["CHILD"].astype(str), zip(header["DOB"].tolist(), header["SEX"], header["ETHNIC"], sixteen,
                                                         fourteen, strict=True), strict=True))  # fmt: skip
    uasc = histories.table("uasc")
    uasc_until = dict(zip(uasc["CHILD"].astype(str), _days(uasc["DUC"]), strict=True))
    child_area = histories.table("child_area")
    areas = dict(zip(child_area["CHILD"].astype(str), child_area["AREA"].astype(str), strict=True))
    missing = histories.table("missing").dropna(subset=["MIS_START"]).sort_values(["CHILD", "MIS_START"])
    missing_of: dict[str, list[tuple[int, str]]] = {}
    went_on = _days(missing["MIS_START"])
    for who, kind, went in zip(missing["CHILD"].astype(str), missing["MISSING"].astype(str), went_on, strict=True):
        if went is not None:  # (none is: the rows without a date were dropped)
            missing_of.setdefault(who, []).append((went, kind))
    children = {}
    for child, history in histories_of.items():
        born, sex, ethnic, turns_16, turns_14 = people[child]
        if turns_16 is None or turns_14 is None:
            raise ValueError(f"child {child}: no date of birth")
        children[child] = _Child(
            child, born, turns_16, turns_14, str(sex),
            str(ethnic), areas.get(child, ""), child in uasc_until, uasc_until.get(child), tuple(history),
            tuple(e.decom for e in history), tuple(missing_of.get(child, [])), any(e.ls == "E1" for e in history),
        )  # fmt: skip
    return children


def _days(dates: pd.Series) -> list[int | None]:
    """Each date as its day number (None: no date)."""
    return [None if pd.isna(d) else int(d) for d in (dates - EPOCH).dt.days.tolist()]


class _Context:
    """What every list is drawn with: the seed, the month end as a day number, the style and the areas."""

    def __init__(self, seed: int, at: pd.Timestamp, style: str, authority: str, sizes: dict[str, int]) -> None:
        self.seed, self.at, self.day, self.style, self.authority = seed, at, _day(at), style, authority
        self.sizes = sizes
        self.since = _day(at - pd.DateOffset(years=1) + pd.Timedelta(days=1))  # the 12 months to `at` begin
        self.quarter = at.year * 4 + (at.month - 1) // 3
        self.histories: dict[str, list[_Episode]] = {}  # every child's episodes known at `at`

    def latest(self, kind: int, child: str, first: int, schedule: str, late_share: float, seeded_at: int | None = None,
               at: int | None = None) -> float:  # fmt: skip
        """The day of the latest event of a series (_event_days) on or before `at` (the list's day, or earlier)."""
        seeded = first if seeded_at is None else seeded_at
        days = _event_days(self.seed, kind, child, seeded, first, schedule, late_share, False)[1]
        return _latest(days, self.day if at is None else at)

    def team(self, child: _Child, leaver: bool = False) -> tuple[str, str]:
        """The child's allocated team (one of their area's) and worker, or no worker (a few, for a while)."""
        area = child.area
        team_number, worker_number = _allocation(self.seed, child.id, self.sizes.get(area, 2), leaver)
        team = f"Care Leavers {area}" if leaver else f"Children in Care {area} {team_number}"
        worker = f"{'Personal adviser' if leaver else 'Social worker'} {_initials(area)}{worker_number:02d}"
        if _chance(self.seed, _WORKER, child.id, self.quarter) < 0.02:  # between workers this quarter
            worker = "Unallocated" if self.style != CODES else ""
        return team, worker

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        code, template, word = _YES_NO[value]
        return {TEMPLATE: template, CODES: code, WORDS: word}[self.style]

    def coded(self, code: str, letter: str | None, name: str, sep: str = ": ") -> str:
        """A code as the style writes it: "d) U4: Foster placement - long term", "U4", "Foster placement ..."."""
        if self.style == CODES:
            return code
        if self.style == WORDS:
            return name
        return f"{letter}) {code}{sep}{name}" if letter else f"{code}{sep}{name}"


@functools.lru_cache(maxsize=1_000)
def _initials(area: str) -> str:
    """What an area's workers' names begin with: "EK" for East Kent."""
    return "".join(word[0] for word in area.split()) or "X"


def _age(dob: Any, at: pd.Timestamp) -> int:
    """Completed years at `at` of someone born on `dob`."""
    return int((at.year - dob.year) - ((at.month, at.day) < (dob.month, dob.day)))


def _day(when: pd.Timestamp) -> int:
    return int((when - EPOCH).days)


def _date(day: float | None) -> Any:  # a Timestamp, or NaT
    return pd.NaT if day is None or math.isnan(day) else _timestamp(int(day))


@functools.lru_cache(maxsize=100_000)
def _timestamp(day: int) -> pd.Timestamp:
    return EPOCH + pd.Timedelta(days=day)


def _latest(days: Sequence[int], at: int) -> float:
    """The day of the latest of a series of events (`_event_days`) on or before `at` (NaN: none yet)."""
    i = bisect.bisect_right(days, at)
    return float(days[i - 1]) if i else float("nan")


def _schedule(first: int, second: int, then: int, n: int = 60) -> np.ndarray:
    return np.array([first, second, *[then] * (n - 2)])


REVIEWS = _schedule(27, 91, 182)  # within 20 working days, 3 months after it, then every 6 months
VISITS = _schedule(7, 42, 42, 200)  # within a week of the placement starting, then every 6 weeks
HEALTH_UNDER_5, HEALTH_5_AND_OVER = _schedule(27, 182, 182), _schedule(27, 365, 365)
DENTAL = _schedule(90, 365, 365)
PATHWAY_PLANS = np.full(60, 182)  # a care leaver's pathway plan, reviewed every 6 months
SCHEDULES = {
    "reviews": REVIEWS, "visits": VISITS, "health under 5": HEALTH_UNDER_5, "health 5 and over": HEALTH_5_AND_OVER,
    "dental": DENTAL, "pathway plans": PATHWAY_PLANS,
}  # fmt: skip
# each schedule's gaps, with the bounds of the days early (up to a third of a gap) and late (up to a quarter)
_GAPS = {name: (nominal, nominal // 3 + 1, nominal // 4 + 2) for name, nominal in SCHEDULES.items()}


# What a child draws from their generator for an event is the same in every month's lists: each draw below is made
# once per child and event (the sample makes 24 months' lists from the same histories), in the order it always was.


def _rng(seed: int, kind: int, child: str, anchor: int) -> np.random.Generator:
    """The child's generator for the event of `kind` on (or numbered) `anchor`."""
    return np.random.default_rng([seed, kind, int(child), anchor + 100_000])


@functools.lru_cache(maxsize=200_000)
def _event_days(
    seed: int, kind: int, child: str, seeded_at: int, first: int, schedule: str, late_share: float, chance: bool
) -> tuple[float, array.array[int]]:
    """The days of a series of events that begins at day `first`, each `SCHEDULES[schedule]` days after the one
    before, at most (most a little early, `late_share` late), drawn from the child's generator for the event it
    follows (seeded at day `seeded_at`), after a chance in [0, 1) where `chance` asks for one (else NaN)."""
    rng = _rng(seed, kind, child, seeded_at)
    drawn = rng.random() if chance else float("nan")
    nominal, early_by, late_by = _GAPS[schedule]
    early = rng.integers(0, early_by)
    late = rng.random(len(nominal)) < late_share
    gaps = np.where(late, nominal + rng.integers(1, late_by), nominal - early)
    # whole numbers, compactly (the cache keeps a series per child and event; read, never changed), for bisect
    return drawn, array.array("q", (first + np.cumsum(gaps)).tolist())


@functools.lru_cache(maxsize=200_000)
def _chance(seed: int, kind: int, child: str, anchor: int) -> float:
    """The first draw in [0, 1) of the child's generator for the event."""
    return float(_rng(seed, kind, child, anchor).random())


@functools.lru_cache(maxsize=200_000)
def _allocation(seed: int, child: str, teams: int, leaver: bool) -> tuple[int, int]:
    """The number of the child's team among their area's `teams` (0 for a care leaver: their area has one) and of
    their worker."""
    rng = _rng(seed, _WORKER, child, 0)
    team = 0 if leaver else int(rng.integers(1, teams + 1))
    return team, int(rng.integers(1, 40))


@functools.lru_cache(maxsize=200_000)
def _days_before(seed: int, kind: int, child: str, anchor: int, low: int, high: int) -> int:
    """Days (from `low` to `high` - 1) an event came before the one on day `anchor` (an IRO's contact, a review)."""
    return int(_rng(seed, kind, child, anchor).integers(low, high))


@functools.lru_cache(maxsize=200_000)
def _return_interview(seed: int, child: str, went_missing: int) -> tuple[bool, bool | None]:
    """Whether the child was offered a return interview after going missing on that day, and accepted it."""
    rng = _rng(seed, _INTERVIEW, child, went_missing)
    offered = bool(rng.random() < 0.88)
    return offered, bool(rng.random() < 0.65) if offered else None


@functools.lru_cache(maxsize=200_000)
def _choice(seed: int, kind: int, child: str, anchor: int, options: tuple[str, ...], chances: tuple[float, ...]) -> str:
    """One of `options`, as likely as `chances` say."""
    return str(_rng(seed, kind, child, anchor).choice(list(options), p=list(chances)))


@functools.lru_cache(maxsize=200_000)
def _leaver_circumstances(seed: int, child: str, quarter: int) -> tuple[int, int, int, bool, int]:
    """A care leaver's circumstances at their latest contact in the quarter: in touch, accommodation and activity
    (which of _IN_TOUCH, _ACCOMMODATION and _ACTIVITY), whether it is suitable, and the days since the contact."""
    rng = _rng(seed, _LEAVER, child, quarter)
    touch = _pick(rng, [p for *_, p in _IN_TOUCH])
    accommodation = _pick(rng, [p for *_, p in _ACCOMMODATION])
    activity = _pick(rng, [p for *_, p in _ACTIVITY])
    suitable = _ACCOMMODATION[accommodation][0] not in _NEVER_SUITABLE and bool(rng.random() < 0.95)
    since_contact = int(rng.integers(1, 120 if _IN_TOUCH[touch][0] == "YES" else 400))
    return touch, accommodation, activity, suitable, since_contact


def _pick(rng: np.random.Generator, chances: list[float]) -> int:
    weights = np.array(chances)
    return int(rng.choice(len(weights), p=weights / weights.sum()))


class _AdoptionDays(NamedTuple):
    """The days between the steps of a child's adoption, and their adopter's sex."""

    decision: int  # the decision, before the placement order
    match: int  # the match, before the placement
    approval: int  # the adopter's approval, before the match
    stage_2: int  # the adopter's stage 2 began, before the approval
    stage_1: int  # stage 1 began, before stage 2
    enquiry: int  # their enquiry, before stage 1
    adopter_sex: str


@functools.lru_cache(maxsize=200_000)
def _adoption_days(seed: int, child: str, order: int) -> _AdoptionDays:
    """Drawn from the child's generator for the placement order made on day `order`."""
    rng = _rng(seed, _ADOPTION, child, order)
    decision, match, approval, stage_2, stage_1, enquiry = (
        int(rng.integers(low, high)) for low, high in ((30, 120), (14, 60), (30, 200), (90, 130), (40, 70), (10, 60))
    )
    return _AdoptionDays(decision, match, approval, stage_2, stage_1, enquiry, str(rng.choice(["M", "F"])))


def _placements_in_year(episodes: list[_Episode], since: int, at: int) -> int:
    """Placements in the 12 months as the DfE counts them: the one held when they began and each new one in them
    (new period, or RNE P, B, T, U; not a change of legal status alone), leaving out temporary placements
    (T0-T4) and the return from one."""
    count, held_before, was_temporary = 0, "", False
    for episode in episodes:
        temporary = episode.place.startswith("T")
        returning = was_temporary and episode.placed_at == held_before
        was_temporary = temporary
        if not temporary:
            held_before = episode.placed_at
        if temporary or returning:
            continue
        start, end = episode.decom, episode.dec
        open_at_start = start < since and (end is None or end >= since)
        if open_at_start or (since <= start <= at and episode.rne in _NEW_PLACEMENT):
            count += 1
    return count


def _list_8(children: dict[str, _Child], c: _Context) -> pd.DataFrame:
    """Every child looked after at any time in the 12 months to `at` (the extract's children), with their
    whole history."""
    rows = []
    for child_id, history in c.histories.items():
        if all(e.dec is not None and e.dec < c.since for e in history):
            continue  # left care before the 12 months
        child = children[child_id]
        last = history[-1]
        current = [e for e in history if e.period == last.period]
        start = current[0].decom
        ended = last.dec
        before = [e for e in history if e.period < last.period]
        subsequent = bool(before) and before[-1].dec is not None and before[-1].dec >= _years_after(start, -1)
        age = _age(child.born, c.at)
        ls_start = current[0].decom
        for earlier, later in itertools.pairwise(current):
            if later.ls != earlier.ls:
                ls_start = later.decom
        placement_start = [e.decom for e in current if e.rne in _NEW_PLACEMENT][-1]
        end_day = c.day if ended is None else min(c.day, ended)
        review = c.latest(_REVIEWS, child_id, start, "reviews", 0.04, at=end_day)
        visit = c.latest(_VISITS, child_id, placement_start, "visits", 0.05, at=end_day)
        iro = review - _days_before(c.seed, _REVIEWS, child_id, int(review) if review == review else 0, 0, 10)
        health = c.latest(_HEALTH, child_id, start, "health under 5" if age < 5 else "health 5 and over", 0.08,
                          at=end_day)  # fmt: skip
        no_dentist, dental_days = _event_days(c.seed, _DENTAL, child_id, start, start, "dental", 0.1, True)
        dental = float("nan") if age < 1 or no_dentist < 0.05 else _latest(dental_days, end_day)
        went = child.missing_in(c.since, c.day)
        went_missing = [went_on for went_on, kind in went if kind == "M"]
        offered, accepted = _return_interview(c.seed, child_id, went_missing[-1]) if went_missing else (None, None)
        plan = _plan(c.seed, child_id, start + 1, last, age)
        team, worker = c.team(child)
        place, provider = last.place, last.provider
        out_of_area = int(last.pl_post.split()[0][2:] or 0) > 33
        letter, name = _PLACEMENTS.get(place, ("z", "Other placements"))
        p_letter, p_name = _PROVIDERS.get(provider, ("d", "Other public provision"))
        reason = last.rec if ended is not None else ""
        r_letter, r_name = _CEASED.get(reason, ("t", "Care ceased for any other reason"))
        rows.append({
            CHILD_ID: child_id,
            GENDER: _sex(c, child.sex),
            ETHNICITY: _ethnicity(c, child.ethnic),
            DATE_OF_BIRTH: child.born,
            AGE: age,
            UASC: c.yes_no(child.uasc and (child.uasc_until is None or child.uasc_until >= c.since)),
            DISABILITY: c.yes_no(_chance(c.seed, _WORKER, child_id, 1) < 0.08),
            STARTED_LOOKED_AFTER: _timestamp(start),
            CATEGORY_OF_NEED: c.coded(last.cin, None, _NEEDS.get(last.cin, "Cases other"), " - "),
            SUBSEQUENT_PERIOD: c.yes_no(subsequent),
            LEGAL_STATUS_START: _timestamp(ls_start),
            LEGAL_STATUS: c.coded(last.ls, None, _LEGAL.get(last.ls, "Other")),
            LATEST_REVIEW: _date(review),
            LAST_SOCIAL_WORK_VISIT: _date(visit),
            PERMANENCE_PLAN: plan if c.style == TEMPLATE else plan.split(") ", 1)[1],
            LAST_IRO_VISIT: _date(iro),
            LAST_HEALTH_ASSESSMENT: _date(health),
            LAST_DENTAL_CHECK: _date(dental),
            PLACEMENTS_12_MONTHS: _placements_in_year(history, c.since, c.day),  # an earlier period's too
            CEASED_LOOKED_AFTER: _date(ended),
            REASON_CEASED: c.coded(reason, r_letter, r_name) if reason else "",
            PLACEMENT_START: _timestamp(placement_start),
            PLACEMENT_TYPE: c.coded(place, letter, name),
            PLACEMENT_PROVIDER: c.coded(provider, p_letter, p_name),
            PLACEMENT_POSTCODE: last.pl_post,
            PLACEMENT_URN: last.urn,
            PLACEMENT_LOCATION: c.coded("Out" if out_of_area else "In", "b" if out_of_area else "a", ""
                                        ).rstrip(": ") if c.style != WORDS else ("Out" if out_of_area else "In"),
            PLACEMENT_LA: NEIGHBOURS[int(last.pl_post[-1], 36) % len(NEIGHBOURS)] if out_of_area else c.authority,
            MISSING_12_MONTHS: len(went_missing),
            ABSENT_12_MONTHS: sum(kind == "A" for _, kind in went),
            RETURN_INTERVIEW_OFFERED: c.yes_no(offered),
            RETURN_INTERVIEW_ACCEPTED: c.yes_no(accepted),
            ALLOCATED_TEAM: team,
            ALLOCATED_WORKER: worker if ended is None else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_8]))


@functools.lru_cache(maxsize=100_000)
def _years_after(day: int, years: int) -> int:
    """The same day `years` years later (earlier if negative; 29 February becomes the 28th)."""
    return _day(_timestamp(day) + pd.DateOffset(years=years))


def _sex(c: _Context, sex: str) -> str:
    code, template, word = _SEX.get(sex, _SEX["U"])
    return {TEMPLATE: template, CODES: word, WORDS: code}[c.style]


def _ethnicity(c: _Context, code: str) -> str:
    if c.style == TEMPLATE:
        return f"{_ETHNIC_LETTERS.get(code, 'r')}) {code}"
    return code if c.style == CODES else _ETHNIC_NAMES.get(code, "Any other ethnic group")


# The permanence plans a child might have, and how likely each is: by their age, else their placement
_PLANS_16_AND_OVER: tuple[tuple[str, ...], tuple[float, ...]] = (("supported", "fostering", "home"), (0.5, 0.35, 0.15))
_PLANS_IN_RESIDENTIAL_CARE = (("residential", "home", "fostering"), (0.6, 0.2, 0.2))
_PLANS_OTHERWISE = (("fostering", "home", "sgo", "other"), (0.55, 0.25, 0.15, 0.05))


def _plan(seed: int, child: str, anchor: int, last: _Episode, age: int) -> str:
    """The permanence plan a child of this age, legal status and placement might have."""
    if last.ls == "E1" or last.place.startswith("A"):
        return _PLANS["adoption"]
    if age >= 16:
        plans = _PLANS_16_AND_OVER
    elif last.place in ("K2", "R1", "S1"):
        plans = _PLANS_IN_RESIDENTIAL_CARE
    else:
        plans = _PLANS_OTHERWISE
    return _PLANS[_choice(seed, _REVIEWS, child, anchor, *plans)]


def _list_9(children: dict[str, _Child], c: _Context) -> pd.DataFrame:
    """Care leavers at `at`: care ended on or after their 16th birthday, after 13 weeks or more in care since
    their 14th, and under 22 now (not adopted, not died; a child back in care is in List 8 instead)."""
    rows = []
    for child_id, history in c.histories.items():
        row = history[-1]
        if row.dec is None or row.dec > c.day or row.rec in ("E11", "E12", "E2"):
            continue
        child = children[child_id]
        age = _age(child.born, c.at)
        if row.dec < child.sixteen or age > 21:
            continue
        days = sum(max(0, min(c.day if e.dec is None else e.dec, c.day) - max(e.decom, child.fourteen))
                   for e in history)  # fmt: skip
        if days < 91:
            continue
        touch, accommodation, activity, suitable, since_contact = _leaver_circumstances(c.seed, child_id, c.quarter)
        touch_code, touch_template, touch_word, _ = _IN_TOUCH[touch]
        accommodation_code, accommodation_text, _ = _ACCOMMODATION[accommodation]
        activity_code, activity_text, _ = _ACTIVITY[activity]
        left_day = row.dec
        plan = c.latest(_LEAVER, child_id, left_day - 150, "pathway plans", 0.12, seeded_at=left_day)
        contact = c.day - since_contact
        team, worker = c.team(child, leaver=True)
        adviser = worker.replace("Social worker", "Personal adviser")
        in_touch = touch_code == "YES"
        rows.append({
            CHILD_ID: child_id,
            GENDER: _sex(c, child.sex),
            ETHNICITY: _ethnicity(c, child.ethnic),
            DATE_OF_BIRTH: child.born,
            AGE: age,
            UASC_LEAVER: c.yes_no(child.uasc),
            DISABILITY: c.yes_no(_chance(c.seed, _WORKER, child_id, 1) < 0.08),
            ALLOCATED_TEAM: team,
            ALLOCATED_WORKER: worker,
            PERSONAL_ADVISER: adviser,
            ELIGIBILITY: _ELIGIBILITY["former" if age >= 18 else "relevant"] if c.style == TEMPLATE else
            ("Former relevant child" if age >= 18 else "Relevant child"),
            LATEST_PATHWAY_PLAN_REVIEW: _date(plan),
            IN_TOUCH: touch_template if c.style == TEMPLATE else touch_word,
            LATEST_CONTACT: _date(max(contact, left_day)) if touch_code in ("YES", "NO", "REFU") else pd.NaT,
            ACCOMMODATION: (accommodation_text if c.style != CODES else accommodation_code) if in_touch else "",
            SUITABILITY: (("a) Suitable" if suitable else "b) Unsuitable") if c.style == TEMPLATE else
                          ("Suitable" if suitable else "Unsuitable")) if in_touch else "",
            ACTIVITY: (activity_text if c.style != CODES else activity_code) if in_touch else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_9]))


class _Adoption(NamedTuple):
    """A period of care that went to a placement order (LS E1), its days as known at `at` (None: not yet)."""

    child: str
    start: int
    order: int
    placed: int | None
    adopted: int | None


def _adoptions(children: dict[str, _Child], c: _Context) -> list[_Adoption]:
    """Every period of care known at `at` that went to a placement order, child by child (lists 10 and 11)."""
    adoptions = []
    for child, history in c.histories.items():
        if not children[child].placement_order:
            continue
        for number in sorted({e.period for e in history if e.ls == "E1"}):
            period = [e for e in history if e.period == number]
            order = next(e.decom for e in period if e.ls == "E1")
            placed = [e.decom for e in period if e.place in ("A3", "A4", "A5", "A6")]
            last = period[-1]
            adopted = last.dec if last.rec in ("E11", "E12") and last.dec is not None and last.dec <= c.day else None
            adoptions.append(_Adoption(child, period[0].decom, order, placed[0] if placed else None, adopted))
    return adoptions


def _list_10(children: dict[str, _Child], adoptions: list[_Adoption], c: _Context) -> pd.DataFrame:
    """Children with a decision that they should be placed for adoption: waiting, placed, or adopted in the
    12 months to `at`."""
    rows = []
    for a in adoptions:
        if a.adopted is not None and a.adopted < c.since:
            continue
        child = children[a.child]
        days = _adoption_days(c.seed, a.child, a.order)
        matched = a.placed - days.match if a.placed is not None else None
        rows.append({
            CHILD_ID: a.child, FAMILY_ID: "", GENDER: _sex(c, child.sex), ETHNICITY: _ethnicity(c, child.ethnic),
            DATE_OF_BIRTH: child.born, AGE: _age(child.born, c.at), DISABILITY: c.yes_no(False),
            ENTERED_CARE: _timestamp(a.start), ADOPTION_DECISION: _timestamp(a.order - days.decision),
            PLACEMENT_ORDER: _timestamp(a.order), MATCHED: _date(matched if matched is not None and matched <= c.day
                                                                 else None),
            PLACED_FOR_ADOPTION: _date(a.placed), ADOPTION_ORDER: _date(a.adopted), NO_LONGER_ADOPTION_DECISION: pd.NaT,
            NO_LONGER_ADOPTION_REASON: "", PLACED_FFA: pd.NaT,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_10]))


def _list_11(adoptions: list[_Adoption], c: _Context) -> pd.DataFrame:
    """The adopters matched with List 10's children in the 12 months to `at` (one adopter each, by the child's
    match), their approval before it."""
    # numbered in the order of the placement orders, as pandas sorts them (its quicksort: ties as it leaves them)
    orders = pd.DataFrame({"order": [_timestamp(a.order) for a in adoptions]}, dtype="datetime64[us]")
    rows = []
    for n, i in enumerate(orders.sort_values("order").index, start=1):
        a = adoptions[i]
        if a.placed is None or a.placed < c.since:
            continue
        days = _adoption_days(c.seed, a.child, a.order)
        matched = a.placed - days.match
        approved = matched - days.approval
        stage_2 = approved - days.stage_2
        stage_1 = stage_2 - days.stage_1
        rows.append({
            ADOPTER_ID: f"ADP{n:04d}", FAMILY_ID: "", GENDER: _sex(c, days.adopter_sex),
            ETHNICITY: _ethnicity(c, "WBRI"), ADOPTER_DISABILITY: c.yes_no(False), ADOPTER_FFA: c.yes_no(False),
            ENQUIRY: _timestamp(stage_1 - days.enquiry), STAGE_1_STARTED: _timestamp(stage_1),
            STAGE_1_ENDED: _timestamp(stage_2 - 1), STAGE_2_STARTED: _timestamp(stage_2),
            STAGE_2_ENDED: _timestamp(approved - 14), APPLICATION_SUBMITTED: _timestamp(stage_2 + 7),
            APPLICATION_APPROVED: _timestamp(approved), ADOPTER_MATCHED: _date(matched if matched <= c.day else None),
            ADOPTER_PLACED: _date(a.placed if a.placed <= c.day else None), CHILDREN_PLACED: 1,
            ADOPTION_ORDER: _date(a.adopted), LEFT_PROCESS: pd.NaT, LEFT_PROCESS_REASON: "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_11]))


# --- writing ----------------------------------------------------------------------------------------------------


def write_annex_a(
    lists: Mapping[int, pd.DataFrame], folder: Path, form: str = "xlsx", sheet_name: str = "List {n}",
    file_name: str = "Annex_A.xlsx", team_areas: Mapping[str, str] | None = None,
) -> list[Path]:  # fmt: skip
    """The lists in `folder` as a workbook of one sheet per list (`form` "xlsx"; sheets named by `sheet_name`,
    "List {n}" or "List_{n}") or one CSV per list (`form` "csv", named by `sheet_name` + .csv, e.g.
    "list_{n}"); dates dd/mm/yyyy in CSVs, date cells in the workbook; with team_area.csv when `team_areas`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if form == "xlsx":
        sheets = {sheet_name.format(n=n): frame for n, frame in sorted(lists.items())}
        written.append(write_xlsx(sheets, folder / file_name))
    elif form == "csv":
        for n, frame in sorted(lists.items()):
            out = frame.copy()
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].dt.strftime("%d/%m/%Y").fillna("")
            path = folder / f"{sheet_name.format(n=n)}.csv"
            out.to_csv(path, index=False, lineterminator="\n")
            written.append(path)
    else:
        raise ValueError(f"form {form!r}: xlsx or csv")
    if team_areas is not None:
        path = folder / "team_area.csv"
        pd.DataFrame({"TEAM": list(team_areas), "AREA": list(team_areas.values())}).to_csv(
            path, index=False, lineterminator="\n"
        )
        written.append(path)
    return written


_FIXED_TIME = (2019, 1, 1, 0, 0, 0)  # every part of the zip stamped alike: the same bytes each time
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# one cell format besides the default: dates shown dd/mm/yyyy
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/>'
    "</font></fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: object, style: int = 0) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT or value == "":
        return ""
    if isinstance(value, pd.Timestamp):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    text = escape(str(value))
    preserve = ' xml:space="preserve"' if text != text.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{styled}><is><t{preserve}>{text}</t></is></c>'


def _sheet_xml(frame: pd.DataFrame) -> str:
    rows = ['<row r="1">' + "".join(_cell(f"{_column_letter(j)}1", name, 2) for j, name in enumerate(frame.columns))
            + "</row>"]  # fmt: skip
    for i, values in enumerate(frame.itertuples(index=False), start=2):
        cells = "".join(_cell(f"{_column_letter(j)}{i}", v) for j, v in enumerate(values))
        rows.append(f'<row r="{i}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """A minimal .xlsx workbook (Office Open XML) of these sheets: header row in bold, text as text (IDs keep
    their leading zeros), whole numbers as numbers, Timestamps as date cells shown dd/mm/yyyy."""
    names = list(sheets)
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}"><sheets>'
        + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in range(1, len(names) + 1))
        + f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    )  # fmt: skip
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
        for i in range(1, len(names) + 1)
    )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES.format(sheets=overrides),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
        "xl/styles.xml": _STYLES,
        **{f"xl/worksheets/sheet{i}.xml": _sheet_xml(sheets[n]) for i, n in enumerate(names, start=1)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return path
