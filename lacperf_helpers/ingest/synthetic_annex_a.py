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

import functools
import itertools
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
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
from lacperf_helpers.ingest.synthetic import EPOCH, extract_at

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
    since = at - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    extract = extract_at(histories, at, since=since)
    areas = histories.table("child_area").set_index("CHILD")["AREA"]
    sizes = dict(team_sizes or {})
    context = _Context(seed, at, style, authority, areas, sizes)
    cut = extract_at(histories, at).table("episodes")
    context.histories = _by_child(_periods(cut))
    return {
        LIST_8: _list_8(extract, context),
        LIST_9: _list_9(histories, context),
        LIST_10: _list_10(histories, context),
        LIST_11: _list_11(histories, context),
    }


class _Context:
    """What every list is drawn with: the seed, the month end as a day number, the style and the areas."""

    def __init__(
        self, seed: int, at: pd.Timestamp, style: str, authority: str, areas: pd.Series, sizes: dict[str, int]
    ) -> None:
        self.seed, self.at, self.day, self.style, self.authority = seed, at, _day(at), style, authority
        self.areas, self.sizes = areas, sizes
        self.histories: dict[str, list[dict[str, Any]]] = {}  # every child's episodes known at `at`

    def rng(self, kind: int, child: str, anchor: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, kind, int(child), anchor + 100_000])

    def latest(self, kind: int, child: str, first: int, schedule: str, late_share: float, seeded_at: int | None = None,
               at: int | None = None) -> float:  # fmt: skip
        """The day of the latest event of a series (_event_days) on or before `at` (the list's day, or earlier)."""
        seeded = first if seeded_at is None else seeded_at
        days = _event_days(self.seed, kind, child, seeded, first, schedule, late_share, False)[1]
        return _latest(days, self.day if at is None else at)

    def team(self, child: str, leaver: bool = False) -> tuple[str, str]:
        """The child's allocated team (one of their area's) and worker, or no worker (a few, for a while)."""
        area = str(self.areas.get(child, ""))
        rng = self.rng(_WORKER, child, 0)
        team = (
            f"Care Leavers {area}"
            if leaver
            else f"Children in Care {area} {rng.integers(1, self.sizes.get(area, 2) + 1)}"
        )
        initials = "".join(word[0] for word in area.split()) or "X"
        worker = f"{'Personal adviser' if leaver else 'Social worker'} {initials}{rng.integers(1, 40):02d}"
        quarter = self.at.year * 4 + (self.at.month - 1) // 3
        if self.rng(_WORKER, child, quarter).random() < 0.02:  # between workers this quarter
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


def _age(dob: Any, at: pd.Timestamp) -> int:
    """Completed years at `at` of someone born on `dob`."""
    return int((at.year - dob.year) - ((at.month, at.day) < (dob.month, dob.day)))


def _day(when: pd.Timestamp) -> int:
    return int((when - EPOCH).days)


def _date(day: float | None) -> Any:  # a Timestamp, or NaT
    return pd.NaT if day is None or np.isnan(day) else EPOCH + pd.Timedelta(days=int(day))


def _latest(days: np.ndarray, at: int) -> float:
    """The day of the latest of a series of events (`_event_days`) on or before `at` (NaN: none yet)."""
    i = int(np.searchsorted(days, at, side="right"))
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


@functools.lru_cache(maxsize=200_000)
def _event_days(
    seed: int, kind: int, child: str, seeded_at: int, first: int, schedule: str, late_share: float, chance: bool
) -> tuple[float, np.ndarray]:
    """The days of a series of events that begins at day `first`, each `SCHEDULES[schedule]` days after the one
    before, at most (most a little early, `late_share` late), drawn from the child's generator for the event it
    follows (seeded at day `seeded_at`), after a chance in [0, 1) where `chance` asks for one (else NaN).
    The same series whatever month a list is made at: made once per child and event (the sample makes 24
    months' lists from the same histories)."""
    rng = np.random.default_rng([seed, kind, int(child), seeded_at + 100_000])
    drawn = rng.random() if chance else float("nan")
    nominal = SCHEDULES[schedule]
    early = rng.integers(0, nominal // 3 + 1)
    late = rng.random(len(nominal)) < late_share
    gaps = np.where(late, nominal + rng.integers(1, nominal // 4 + 2), nominal - early)
    days = first + np.cumsum(gaps)
    days.flags.writeable = False  # shared by every list made from the cache
    return drawn, days


def _periods(episodes: pd.DataFrame) -> pd.DataFrame:
    """Each episode with its period of care's first day (a period begins with RNE S), by CHILD and DECOM."""
    eps = episodes.sort_values(["CHILD", "DECOM"]).reset_index(drop=True)
    starts = (eps["RNE"] == "S") | ~eps["CHILD"].eq(eps["CHILD"].shift())
    eps["period"] = starts.cumsum()
    eps["period_start"] = eps.groupby("period")["DECOM"].transform("first")
    return eps


def _placements_in_year(episodes: list[dict[str, Any]], since: pd.Timestamp, at: pd.Timestamp) -> int:
    """Placements in the 12 months as the DfE counts them: the one held when they began and each new one in them
    (new period, or RNE P, B, T, U; not a change of legal status alone), leaving out temporary placements
    (T0-T4) and the return from one."""
    count, held_before, was_temporary = 0, "", False
    for episode in episodes:
        where = "|".join(str(episode[k]) for k in ("PLACE", "PLACE_PROVIDER", "URN", "PL_POST"))
        temporary = str(episode["PLACE"]).startswith("T")
        returning = was_temporary and where == held_before
        was_temporary = temporary
        if not temporary:
            held_before = where
        if temporary or returning:
            continue
        start, end = episode["DECOM"], episode["DEC"]
        open_at_start = start < since and (pd.isna(end) or end >= since)
        if open_at_start or (since <= start <= at and episode["RNE"] in ("S", "P", "B", "T", "U")):
            count += 1
    return count


def _by_child(eps: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Each child's episodes in order, as plain records (quicker than frames, child by child)."""
    out: dict[str, list[dict[str, Any]]] = {}
    records: list[dict[str, Any]] = eps.to_dict("records")  # type: ignore[assignment]
    for record in records:
        if pd.isna(record["DEC"]):
            record["DEC"] = pd.NaT
        out.setdefault(str(record["CHILD"]), []).append(record)
    return out


def _list_8(extract: Ssda903, c: _Context) -> pd.DataFrame:
    eps = _periods(extract.table("episodes"))
    header = extract.table("header").set_index("CHILD")
    uasc = extract.table("uasc").set_index("CHILD")["DUC"]
    missing = extract.table("missing")
    since = c.at - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    missing = missing.loc[missing["MIS_START"] >= since].sort_values(["CHILD", "MIS_START"])
    missing_of: dict[str, list[tuple[str, pd.Timestamp]]] = {}
    for who, kind, went_on in zip(missing["CHILD"], missing["MISSING"], missing["MIS_START"], strict=True):
        missing_of.setdefault(str(who), []).append((str(kind), went_on))
    people = header.to_dict("index")
    rows = []
    for child, history in _by_child(eps).items():
        current = [e for e in history if e["period"] == history[-1]["period"]]
        last = current[-1]
        start = current[0]["DECOM"]
        ended = last["DEC"]
        before = [e for e in history if e["period"] < last["period"]]
        subsequent = bool(before) and before[-1]["DEC"] >= start - pd.DateOffset(years=1)
        dob = people[child]["DOB"]
        age = _age(dob, c.at)
        ls_start = current[0]["DECOM"]
        for earlier, later in itertools.pairwise(current):
            if later["LS"] != earlier["LS"]:
                ls_start = later["DECOM"]
        placement_start = [e["DECOM"] for e in current if e["RNE"] in ("S", "P", "B", "T", "U")][-1]
        end_day = _day(min(c.at, ended)) if pd.notna(ended) else c.day
        start_day = _day(start)
        review = c.latest(_REVIEWS, child, start_day, "reviews", 0.04, at=end_day)
        visit = c.latest(_VISITS, child, _day(placement_start), "visits", 0.05, at=end_day)
        iro = review - c.rng(_REVIEWS, child, int(review) if review == review else 0).integers(0, 10)
        health = c.latest(_HEALTH, child, start_day, "health under 5" if age < 5 else "health 5 and over", 0.08,
                          at=end_day)  # fmt: skip
        no_dentist, dental_days = _event_days(c.seed, _DENTAL, child, start_day, start_day, "dental", 0.1, True)
        dental = float("nan") if age < 1 or no_dentist < 0.05 else _latest(dental_days, end_day)
        went = missing_of.get(child, [])
        went_missing = [went_on for kind, went_on in went if kind == "M"]
        offered = accepted = None
        if went_missing:
            rng = c.rng(_INTERVIEW, child, _day(went_missing[-1]))
            offered = bool(rng.random() < 0.88)
            accepted = bool(rng.random() < 0.65) if offered else None
        plan = _plan(last, age, c.rng(_REVIEWS, child, start_day + 1))
        team, worker = c.team(child)
        place, provider = str(last["PLACE"]), str(last["PLACE_PROVIDER"])
        out_of_area = int(str(last["PL_POST"]).split()[0][2:] or 0) > 33
        letter, name = _PLACEMENTS.get(place, ("z", "Other placements"))
        p_letter, p_name = _PROVIDERS.get(provider, ("d", "Other public provision"))
        reason = str(last["REC"]) if pd.notna(ended) else ""
        r_letter, r_name = _CEASED.get(reason, ("t", "Care ceased for any other reason"))
        ethnic = str(people[child]["ETHNIC"])
        rows.append({
            CHILD_ID: child,
            GENDER: _sex(c, str(people[child]["SEX"])),
            ETHNICITY: _ethnicity(c, ethnic),
            DATE_OF_BIRTH: dob,
            AGE: age,
            UASC: c.yes_no(child in uasc.index and (pd.isna(uasc[child]) or uasc[child] >= since)),
            DISABILITY: c.yes_no(bool(c.rng(_WORKER, child, 1).random() < 0.08)),
            STARTED_LOOKED_AFTER: start,
            CATEGORY_OF_NEED: c.coded(str(last["CIN"]), None, _NEEDS.get(str(last["CIN"]), "Cases other"), " - "),
            SUBSEQUENT_PERIOD: c.yes_no(bool(subsequent)),
            LEGAL_STATUS_START: ls_start,
            LEGAL_STATUS: c.coded(str(last["LS"]), None, _LEGAL.get(str(last["LS"]), "Other")),
            LATEST_REVIEW: _date(review),
            LAST_SOCIAL_WORK_VISIT: _date(visit),
            PERMANENCE_PLAN: plan if c.style == TEMPLATE else plan.split(") ", 1)[1],
            LAST_IRO_VISIT: _date(iro),
            LAST_HEALTH_ASSESSMENT: _date(health),
            LAST_DENTAL_CHECK: _date(dental),
            PLACEMENTS_12_MONTHS: _placements_in_year(history, since, c.at),  # an earlier period's too
            CEASED_LOOKED_AFTER: ended,
            REASON_CEASED: c.coded(reason, r_letter, r_name) if reason else "",
            PLACEMENT_START: placement_start,
            PLACEMENT_TYPE: c.coded(place, letter, name),
            PLACEMENT_PROVIDER: c.coded(provider, p_letter, p_name),
            PLACEMENT_POSTCODE: str(last["PL_POST"]),
            PLACEMENT_URN: str(last["URN"]) if pd.notna(last["URN"]) else "",
            PLACEMENT_LOCATION: c.coded("Out" if out_of_area else "In", "b" if out_of_area else "a", ""
                                        ).rstrip(": ") if c.style != WORDS else ("Out" if out_of_area else "In"),
            PLACEMENT_LA: NEIGHBOURS[int(str(last["PL_POST"])[-1], 36) % len(NEIGHBOURS)] if out_of_area
            else c.authority,
            MISSING_12_MONTHS: len(went_missing),
            ABSENT_12_MONTHS: sum(kind == "A" for kind, _ in went),
            RETURN_INTERVIEW_OFFERED: c.yes_no(offered),
            RETURN_INTERVIEW_ACCEPTED: c.yes_no(accepted),
            ALLOCATED_TEAM: team,
            ALLOCATED_WORKER: worker if pd.isna(ended) else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_8]))


def _sex(c: _Context, sex: str) -> str:
    code, template, word = _SEX.get(sex, _SEX["U"])
    return {TEMPLATE: template, CODES: word, WORDS: code}[c.style]


def _ethnicity(c: _Context, code: str) -> str:
    if c.style == TEMPLATE:
        return f"{_ETHNIC_LETTERS.get(code, 'r')}) {code}"
    return code if c.style == CODES else _ETHNIC_NAMES.get(code, "Any other ethnic group")


def _plan(last: dict[str, Any], age: int, rng: np.random.Generator) -> str:
    """The permanence plan a child of this age, legal status and placement might have."""
    if last["LS"] == "E1" or str(last["PLACE"]).startswith("A"):
        return _PLANS["adoption"]
    if age >= 16:
        return _PLANS[str(rng.choice(["supported", "fostering", "home"], p=[0.5, 0.35, 0.15]))]
    if last["PLACE"] in ("K2", "R1", "S1"):
        return _PLANS[str(rng.choice(["residential", "home", "fostering"], p=[0.6, 0.2, 0.2]))]
    return _PLANS[str(rng.choice(["fostering", "home", "sgo", "other"], p=[0.55, 0.25, 0.15, 0.05]))]


def _list_9(histories: Ssda903, c: _Context) -> pd.DataFrame:
    """Care leavers at `at`: care ended on or after their 16th birthday, after 13 weeks or more in care since
    their 14th, and under 22 now (not adopted, not died; a child back in care is in List 8 instead)."""
    header = histories.table("header").set_index("CHILD")
    people = header.to_dict("index")
    uasc = set(histories.table("uasc")["CHILD"])
    rows = []
    for child, history in c.histories.items():
        row = history[-1]
        dob = people[child]["DOB"]
        if pd.isna(row["DEC"]) or row["DEC"] > c.at or row["REC"] in ("E11", "E12", "E2"):
            continue
        sixteen, fourteen = dob + pd.DateOffset(years=16), dob + pd.DateOffset(years=14)
        age = _age(dob, c.at)
        if row["DEC"] < sixteen or age > 21:
            continue
        days = sum(max(0, (min(e["DEC"], c.at) - max(e["DECOM"], fourteen)).days) for e in history)
        if days < 91:
            continue
        quarter = c.at.year * 4 + (c.at.month - 1) // 3
        rng = c.rng(_LEAVER, child, quarter)  # their circumstances, as at their latest contact this quarter
        touch = _pick(rng, [(code, template if c.style == TEMPLATE else word, p) for code, template, word, p
                            in _IN_TOUCH])  # fmt: skip
        accommodation = _pick(rng, [(code, text if c.style != CODES else code, p) for code, text, p
                                    in _ACCOMMODATION])  # fmt: skip
        activity = _pick(rng, [(code, text if c.style != CODES else code, p) for code, text, p in _ACTIVITY])
        suitable = accommodation[0] not in _NEVER_SUITABLE and rng.random() < 0.95
        left_day = _day(row["DEC"])
        plan = c.latest(_LEAVER, child, left_day - 150, "pathway plans", 0.12, seeded_at=left_day)
        contact = c.day - int(rng.integers(1, 120 if touch[0] == "YES" else 400))
        team, worker = c.team(child, leaver=True)
        adviser = worker.replace("Social worker", "Personal adviser")
        rows.append({
            CHILD_ID: child,
            GENDER: _sex(c, str(people[child]["SEX"])),
            ETHNICITY: _ethnicity(c, str(people[child]["ETHNIC"])),
            DATE_OF_BIRTH: dob,
            AGE: age,
            UASC_LEAVER: c.yes_no(child in uasc),
            DISABILITY: c.yes_no(bool(c.rng(_WORKER, child, 1).random() < 0.08)),
            ALLOCATED_TEAM: team,
            ALLOCATED_WORKER: worker,
            PERSONAL_ADVISER: adviser,
            ELIGIBILITY: _ELIGIBILITY["former" if age >= 18 else "relevant"] if c.style == TEMPLATE else
            ("Former relevant child" if age >= 18 else "Relevant child"),
            LATEST_PATHWAY_PLAN_REVIEW: _date(plan),
            IN_TOUCH: touch[1],
            LATEST_CONTACT: _date(max(contact, left_day)) if touch[0] in ("YES", "NO", "REFU") else pd.NaT,
            ACCOMMODATION: accommodation[1] if touch[0] == "YES" else "",
            SUITABILITY: (("a) Suitable" if suitable else "b) Unsuitable") if c.style == TEMPLATE else
                          ("Suitable" if suitable else "Unsuitable")) if touch[0] == "YES" else "",
            ACTIVITY: activity[1] if touch[0] == "YES" else "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_9]))


def _pick(rng: np.random.Generator, options: list[tuple[str, str, float]]) -> tuple[str, str]:
    weights = np.array([p for _, _, p in options])
    code, text, _ = options[int(rng.choice(len(options), p=weights / weights.sum()))]
    return code, text


def _adoptions(c: _Context) -> pd.DataFrame:
    """Periods of care that went to a placement order (LS E1), with their adoption dates as known at `at`."""
    rows = []
    for child, history in c.histories.items():
        for number in sorted({e["period"] for e in history if e["LS"] == "E1"}):
            period = [e for e in history if e["period"] == number]
            order = next(e["DECOM"] for e in period if e["LS"] == "E1")
            placed = [e["DECOM"] for e in period if e["PLACE"] in ("A3", "A4", "A5", "A6")]
            last = period[-1]
            adopted = last["DEC"] if last["REC"] in ("E11", "E12") and last["DEC"] <= c.at else pd.NaT
            rows.append({"CHILD": child, "start": period[0]["DECOM"], "order": order,
                         "placed": placed[0] if placed else pd.NaT, "adopted": adopted})  # fmt: skip
    return pd.DataFrame(rows, columns=["CHILD", "start", "order", "placed", "adopted"])


def _list_10(histories: Ssda903, c: _Context) -> pd.DataFrame:
    """Children with a decision that they should be placed for adoption: waiting, placed, or adopted in the
    12 months to `at`."""
    header = histories.table("header").set_index("CHILD")
    since = c.at - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    rows = []
    for _, a in _adoptions(c).iterrows():
        if pd.notna(a["adopted"]) and a["adopted"] < since:
            continue
        child = str(a["CHILD"])
        rng = c.rng(_ADOPTION, child, _day(a["order"]))
        decision = a["order"] - pd.Timedelta(days=int(rng.integers(30, 120)))
        matched = a["placed"] - pd.Timedelta(days=int(rng.integers(14, 60))) if pd.notna(a["placed"]) else pd.NaT
        dob = header.at[child, "DOB"]
        age = _age(dob, c.at)
        rows.append({
            CHILD_ID: child, FAMILY_ID: "", GENDER: _sex(c, str(header.at[child, "SEX"])),
            ETHNICITY: _ethnicity(c, str(header.at[child, "ETHNIC"])), DATE_OF_BIRTH: dob, AGE: age,
            DISABILITY: c.yes_no(False), ENTERED_CARE: a["start"], ADOPTION_DECISION: decision,
            PLACEMENT_ORDER: a["order"], MATCHED: matched if matched <= c.at else pd.NaT,
            PLACED_FOR_ADOPTION: a["placed"], ADOPTION_ORDER: a["adopted"], NO_LONGER_ADOPTION_DECISION: pd.NaT,
            NO_LONGER_ADOPTION_REASON: "", PLACED_FFA: pd.NaT,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(LIST_COLUMNS[LIST_10]))


def _list_11(histories: Ssda903, c: _Context) -> pd.DataFrame:
    """The adopters matched with List 10's children in the 12 months to `at` (one adopter each, by the child's
    match), their approval before it."""
    since = c.at - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    rows = []
    for n, (_, a) in enumerate(_adoptions(c).sort_values("order").iterrows(), start=1):
        if pd.isna(a["placed"]) or a["placed"] < since:
            continue
        rng = c.rng(_ADOPTION, str(a["CHILD"]), _day(a["order"]))
        rng.integers(30, 120)  # the draws _list_10 makes, so the match is the same day
        matched = a["placed"] - pd.Timedelta(days=int(rng.integers(14, 60)))
        approved = matched - pd.Timedelta(days=int(rng.integers(30, 200)))
        stage_2 = approved - pd.Timedelta(days=int(rng.integers(90, 130)))
        stage_1 = stage_2 - pd.Timedelta(days=int(rng.integers(40, 70)))
        enquiry = stage_1 - pd.Timedelta(days=int(rng.integers(10, 60)))
        rows.append({
            ADOPTER_ID: f"ADP{n:04d}", FAMILY_ID: "", GENDER: _sex(c, str(rng.choice(["M", "F"]))),
            ETHNICITY: _ethnicity(c, "WBRI"), ADOPTER_DISABILITY: c.yes_no(False), ADOPTER_FFA: c.yes_no(False),
            ENQUIRY: enquiry, STAGE_1_STARTED: stage_1, STAGE_1_ENDED: stage_2 - pd.Timedelta(days=1),
            STAGE_2_STARTED: stage_2, STAGE_2_ENDED: approved - pd.Timedelta(days=14),
            APPLICATION_SUBMITTED: stage_2 + pd.Timedelta(days=7), APPLICATION_APPROVED: approved,
            ADOPTER_MATCHED: matched if matched <= c.at else pd.NaT,
            ADOPTER_PLACED: a["placed"] if a["placed"] <= c.at else pd.NaT, CHILDREN_PLACED: 1,
            ADOPTION_ORDER: a["adopted"], LEFT_PROCESS: pd.NaT, LEFT_PROCESS_REASON: "",
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
