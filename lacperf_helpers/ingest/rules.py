"""lacperf's own rules for its inputs, each with a stable code (as the DfE names its SSDA903 rules: `120`).

A problem's identity is its code, never its sentence: a page groups, counts and links findings by the
`code` column of a problem row, and the sentence may be reworded without breaking any of that. Codes are
never reused or renumbered; a retired rule keeps its code unused. docs/rules.md lists every one (a test
holds the table to this catalogue). The DfE's own rules (ingest/dfe_rules.py) keep their own codes.
"""

from __future__ import annotations

import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A rule as a problem row states it: its code ('LP003') and the sentence a person reads. A rule of the
    catalogue may name fields ('{column} is a number'): `of` fills them in, keeping the code."""

    code: str
    text: str

    def of(self, **fields: object) -> Rule:
        return Rule(self.code, self.text.format(**fields))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.text) if name)

    def __str__(self) -> str:
        return self.text


# --- any file read as a table (ingest/validation.py) ----------------------------------------------------
READABLE = Rule("LP001", "the file can be read as the table it should be")  # the text says what was wrong
REQUIRED_COLUMN = Rule("LP002", "the header has every required column")
EMPTY_ROW = Rule("LP003", "empty rows are skipped")
NUMBER_GIVEN = Rule("LP004", "{column} is a number")
NOT_NEGATIVE = Rule("LP005", "{column} is not negative")
REAL_DATE = Rule("LP006", "{column} is a real date in the form dd/mm/yyyy")
ISO_DATE_WRITTEN = Rule("LP007", "{column} is dd/mm/yyyy (not yyyy-mm-dd, as Excel rewrites it)")
EARLIEST_DATE = Rule("LP008", "{column} is on or after {date}")
GIVEN = Rule("LP009", "{column} is given")

# --- the KPI return (ingest/returns.py) ------------------------------------------------------------------
RETURN_MONTH = Rule("LP101", "month is the folder's month, {month}")
AREA_GIVEN = Rule("LP102", "area is not blank")
VISIBLE_AREA = Rule("LP103", "area has no invisible or control characters (a zero-width space would make another area)")
RETURN_KPI_KNOWN = Rule("LP104", "kpi_id is a KPI in the KPI definitions")
# LP105 (retired): a return may give a KPI lacperf computes; the page shows the computed one, the annex both
DENOMINATOR_WITH_NUMERATOR = Rule("LP106", "a percent KPI gives its denominator with its numerator")
NUMERATOR_WITH_DENOMINATOR = Rule("LP107", "a percent KPI gives its numerator with its denominator")
NOT_VALUE_ONLY = Rule("LP108", "a percent KPI gives numerator and denominator, not only a value")
NOT_OVER_ZERO = Rule("LP109", "no numerator over a denominator of 0")
AT_MOST_DENOMINATOR = Rule("LP110", "the numerator is at most the denominator")
VALUE_AGREES = Rule("LP111", "value agrees with 100 x numerator / denominator (to within {tolerance})")
ONE_ROW_PER_KPI = Rule("LP112", "one row per month, area, KPI and cohort")
RETURN_COHORT = Rule("LP113", "cohort is blank (all children) or one published exactly: {cohorts}")
WITHIN_ALL_CHILDREN = Rule(
    "LP114", "a cohort's numerator and denominator are at most all children's (its children are some of them)"
)

# --- the SSDA903 extract (ingest/ssda903.py) -------------------------------------------------------------
HEADER_ROW = Rule("LP201", "the first row names the DfE's columns (CHILD, ...), separated by commas")
KNOWN_TABLE = Rule("LP202", "the file holds an SSDA903 table lacperf reads")
EPISODES_TABLE = Rule("LP203", "the folder holds an SSDA903 episodes table ({columns}, ...) that can be read")
CODE_IN_LIST = Rule("LP204", "{column} is a code in the DfE's list")
ONE_ROW_PER_KEY = Rule("LP205", "one row per {keys} in a file (the last is kept)")
OPEN_EPISODE_AGAIN = Rule("LP206", "an open episode is in the latest year's file too (kept as the earlier file has it)")
DATE_AFTER_MONTH_END = Rule("LP207", "{column} is not after the extract's month end, {date}")
DATE_YEAR_AFTER_MONTH_END = Rule("LP208", "{column} is not a year after the extract's month end, {date}")
EPISODE_ENDS_AFTER_START = Rule("LP209", "an episode ends on or after the day it starts")
BORN_BEFORE_EPISODE = Rule("LP210", "a child is born on or before the day an episode starts")
CHILD_IN_HEADER = Rule("LP211", "a child in episodes is in header")
EPISODES_DO_NOT_OVERLAP = Rule(
    "LP212",
    "one child's episodes do not overlap (where they do, the one begun later gives the child's legal status "
    "and placement)",
)
DFE_RULES_READ_FILE = Rule(
    "LP213", "the DfE rules read each SSDA903 table once: this file is not one of them (or a second copy)"
)

# --- what the measures need of the inputs (measures/) -----------------------------------------------------
PERIOD_START_ON_RECORD = Rule(
    "LP301",
    "a child's period of care starts on record (an episode whose reason for new episode, RNE, is S: started "
    "to be looked after), or 30 months before the month end (else long-term stability may leave them out)",
)
ACCOMMODATION_CODE = Rule(
    "LP302", "OC3 ACCOM is a code in the DfE's list (an invalid code is never counted as suitable)"
)
AREA_KNOWN = Rule("LP303", "a looked-after child is in child_area.csv (else counted in '{area_not_known}')")
RETURN_BESIDE_EXTRACT = Rule(
    "LP304", "a month with SSDA903 data or an Annex A has its {return_file} too (else its return KPIs read No data)"
)

# --- the benchmarks file (rate/benchmarks.py) ------------------------------------------------------------
BENCHMARK_KPI_KNOWN = Rule("LP401", "kpi_id is a KPI in the KPI definitions (rows for other KPIs are left out)")
FINANCIAL_YEAR = Rule("LP402", "year is a financial year such as 2018/19")
ONE_ROW_PER_KPI_AND_YEAR = Rule("LP403", "one row per KPI and year")

# --- Ofsted's Annex A lists (ingest/annex_a.py, measures/annex_a.py) ---------------------------------------
ANNEX_A_XLSX = Rule("LP501", "an Annex A workbook is saved as .xlsx (lacperf reads no macros and no older format)")
ANNEX_A_NOT_A_LIST = Rule(
    "LP502", "the file is an Annex A list lacperf reads (list_8.csv ... list_11.csv) or an area file"
)
ANNEX_A_ONE_SOURCE = Rule("LP503", "each list comes from one sheet or file")
ANNEX_A_HEADER = Rule("LP504", "the sheet's first filled row names Annex A's columns")
ANNEX_A_AMBIGUOUS_HEADER = Rule("LP505", "a header names one Annex A column (it could be several)")
ANNEX_A_DATE = Rule("LP515", "{column} is a real date in the form dd/mm/yyyy, on or after {date}")
ANNEX_A_CODE = Rule("LP506", "{column} is one of Annex A's codes (as the LIIA schema reads them)")
ANNEX_A_WHOLE_NUMBER = Rule("LP507", "{column} is a whole number, not negative")
ANNEX_A_YEARS = Rule("LP508", "{column} is a number of years")
ANNEX_A_CEASED_AFTER_STARTED = Rule(
    "LP509", "Date Ceased to be Looked After is on or after Date Started to be Looked After"
)
ANNEX_A_DUPLICATE = Rule(
    "LP510",
    "one row per child in a list (List 8: the row with the latest Date Started to be Looked After is kept; other "
    "lists: the last)",
)
ANNEX_A_LOOKED_AFTER = Rule(
    "LP511",
    "a child in List 8 is looked after at the month end or was in the 12 months to it, by its own dates (Date "
    "Started on or before the month end, Date Ceased blank or in the 12 months): else it is in no measure",
)
ANNEX_A_AREA_FILE = Rule(
    "LP512", "an area file has the columns CHILD and AREA (child_area.csv) or TEAM and AREA (team_area.csv)"
)
ANNEX_A_NOT_AFTER_MONTH_END = Rule(
    "LP513", "{column} is not after the month end, {date} (an Annex A records what had happened by then)"
)
ANNEX_A_AREA_KNOWN = Rule(
    "LP514",
    "a looked-after child's area is known: in child_area.csv, or its Allocated Team in team_area.csv (else counted "
    "in '{area_not_known}')",
)

CATALOGUE: tuple[Rule, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, Rule))
CODES = frozenset(r.code for r in CATALOGUE)
