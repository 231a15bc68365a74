"""Child-level SSDA903 extracts: read as every English authority exports them, and stitched across years.

Each file is recognised by its columns, not its name (as the DfE's own validator does), so a folder may
hold several collection years of the same table (`2017-episodes.csv`, `2018-episodes.csv`). Files of one
table are stitched oldest first, keeping one row per key (episodes: CHILD x DECOM) with the latest
year's version; an episode found only in an earlier year's file is kept as that file has it, and if it
is still open there, that is counted as a data-quality warning. CHILD is text (leading zeros kept);
dates are dd/mm/yyyy; SEX is read as 1/2 or M/F/U. Files of a table lacperf does not use are listed,
not refused.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import is_month, month_end
from lacperf_helpers.config.vocabulary import ETHNIC_CODES, LEGAL_STATUSES, PLACEMENT_TYPE_OF, SEX_CODES
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.layout import extract_files
from lacperf_helpers.ingest.rules import Rule
from lacperf_helpers.ingest.validation import (
    ERROR,
    PERSONAL,
    WARNING,
    as_problems,
    combine,
    date_checks,
    iso_date_rule,
    mask_personal,
    no_problems,
    parse_dates,
    problems_at,
    raise_on_errors,
    read_csv_text,
    rule,
    schema_problems,
    text_column,
)

if TYPE_CHECKING:
    import pandera.pandas as pa

TABLES: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
            "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "placed_adoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "prev_perm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "child_area": ("CHILD", "AREA"),
}  # fmt: skip
KEYS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD",), "episodes": ("CHILD", "DECOM"), "uasc": ("CHILD",), "missing": ("CHILD", "MIS_START"),
    "oc2": ("CHILD",), "oc3": ("CHILD",), "ad1": ("CHILD",), "placed_adoption": ("CHILD", "DATE_PLACED"),
    "prev_perm": ("CHILD",), "reviews": ("CHILD", "REVIEW"), "child_area": ("CHILD",),
}  # fmt: skip
DATE_COLUMNS = frozenset(
    {"DOB", "MC_DOB", "DECOM", "DEC", "DUC", "MIS_START", "MIS_END", "DATE_INT", "DATE_MATCH", "DATE_PLACED",
     "DATE_PLACED_CEASED", "DATE_PERM", "REVIEW"}
)  # fmt: skip
# The DfE's code lists for the columns the measures read. A code outside them would put a child in the
# wrong count (RNE, REC, MISSING, SEX: errors) or in an 'Other'/'unknown' group (the rest: warnings).
CODES: dict[str, frozenset[str]] = {
    "SEX": frozenset(SEX_CODES),
    "RNE": frozenset({"S", "P", "L", "T", "U", "B"}),
    "REC": frozenset({"E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E41", "E45", "E46", "E47",
                      "E48", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "X1"}),
    "MISSING": frozenset({"M", "A"}),
    "LS": frozenset(LEGAL_STATUSES),
    "PLACE": frozenset(PLACEMENT_TYPE_OF),
    "ETHNIC": frozenset(ETHNIC_CODES),
}  # fmt: skip
CODE_WARNINGS = frozenset({"LS", "PLACE", "ETHNIC"})
GIVEN: dict[str, tuple[str, ...]] = {"episodes": ("DECOM", "RNE", "LS"), "header": ("SEX", "DOB"), "uasc": ("DOB",)}
# A problem report leaves the analyst's machine beside the appendices: the file, row and column find the
# cell; the value of a column that identifies a child is never copied into it.
PERSONAL_COLUMNS = frozenset({"CHILD", "DOB", "MC_DOB", "UPN", "MOTHER", "HOME_POST", "PL_POST"})
# the measures read a child's legal status and placement from the episode begun latest (DfE: overlapping
# episodes are a validation error, so which one describes the child is ours to say, and said where it happens)
RULE_OVERLAP = rules.EPISODES_DO_NOT_OVERLAP
RULE_EPISODES_TABLE = rules.EPISODES_TABLE.of(columns=", ".join(TABLES["episodes"][:4]))


def code_rule(column: str) -> Rule:
    return rules.CODE_IN_LIST.of(column=column)


def key_rule(name: str) -> Rule:
    return rules.ONE_ROW_PER_KEY.of(keys=" x ".join(KEYS[name]))


def _in_codes(codes: frozenset[str]) -> Callable[[pd.Series], pd.Series]:
    return lambda s: (s == "") | s.str.upper().isin(codes)


@functools.cache
def table_schema(name: str) -> tuple[pa.DataFrameSchema, frozenset[Rule]]:
    """A table's schema (every column as text, as the file has it) and the names of its checks that only warn."""
    columns, warnings = {}, {key_rule(name)}
    for column in TABLES[name]:
        checks = []
        if column == "CHILD":
            checks.append(rule(lambda s: s != "", rules.GIVEN.of(column="CHILD")))
        if column in DATE_COLUMNS:
            checks += date_checks(column, required=column in GIVEN.get(name, ()))
            warnings.add(iso_date_rule(column))
        elif column in GIVEN.get(name, ()):
            checks.append(rule(lambda s: s != "", rules.GIVEN.of(column=column)))
        if column in CODES:
            checks.append(rule(_in_codes(CODES[column]), code_rule(column)))
            if column in CODE_WARNINGS:
                warnings.add(code_rule(column))
        if checks:  # a column without a rule is text as it stands: nothing to check, nothing to spend time on
            columns[column] = text_column(*checks)
    unique = rule(lambda f: ~f.duplicated(list(KEYS[name]), keep="last"), key_rule(name))
    import pandera.pandas as pa  # a file's checks import pandera; a page's kernel checks none

    return pa.DataFrameSchema(columns, checks=[unique]), frozenset(warnings)


@dataclass(frozen=True)
class Ssda903:
    """The tables of one extract, one row per key, with every problem loading them found."""

    tables: dict[str, pd.DataFrame]
    problems: pd.DataFrame = field(default_factory=no_problems)
    # where each stitched row came from (file, row), aligned with its table: cross-table rules name it
    sources: dict[str, pd.DataFrame] = field(default_factory=dict)
    # what the measures derive from the tables and share (care episodes, who is looked after on a day):
    # worked out once per extract, never changed; not part of what the extract is
    memo: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """A table, or an empty one with its columns when the extract has none."""
        if name in self.tables:
            return self.tables[name]
        return _empty_table(name)


@functools.lru_cache(maxsize=len(TABLES))
def _empty_table(name: str) -> pd.DataFrame:
    return typed(pd.DataFrame({c: pd.Series(dtype="str") for c in TABLES[name]}))


def identify(columns: list[str]) -> str | None:
    """The table a file holds, from its header: every column the table needs must be there."""
    present = {c.strip().upper() for c in columns}
    matches = [name for name, needed in TABLES.items() if set(needed) <= present]
    return max(matches, key=lambda name: len(TABLES[name])) if matches else None


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates to dates (dd/mm/yyyy, or yyyy-mm-dd as Excel rewrites them), SEX to M/F/U, CHILD kept as text.

    Run after the schema: a value it cannot read has already been reported as an error.
    """
    out = frame.copy()
    for column in DATE_COLUMNS & set(out.columns):
        out[column] = parse_dates(out[column].astype("str").where(out[column].notna(), ""))
    if "SEX" in out.columns:
        out["SEX"] = out["SEX"].astype("str").str.upper().map(SEX_CODES).fillna("U")
    for column in CODES.keys() & set(out.columns) - {"SEX"}:
        out[column] = out[column].astype("str").str.upper().where(out[column].notna())
    return out


def _newest_date(frame: pd.DataFrame) -> pd.Timestamp:
    dates = [frame[c].max() for c in DATE_COLUMNS & set(frame.columns) if frame[c].notna().any()]
    return max(dates) if dates else pd.Timestamp.min


def load_903(folder: str | Path, *, strict: bool = True) -> Ssda903:
    """Every SSDA903 table in `folder`, identified by columns, checked, and stitched across collection years.

    Every problem is in `.problems`; with `strict`, errors raise ValidationError (after every file is read).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no SSDA903 folder here")
    stamp = tuple((p.name, *_size_and_time(p)) for p in extract_files(folder))
    data = _load_903(folder.resolve(), stamp)
    month = folder.parent.name  # <returns>/<YYYY-MM>/903: the extract is at that month's end
    if is_month(month):
        at = pd.Timestamp(month_end(month))
        data = dataclasses.replace(data, problems=combine([data.problems, dates_after(data, at)]))
    if strict:
        raise_on_errors(data.problems)
    return data


def _size_and_time(path: Path) -> tuple[int, int]:
    """What tells a changed file: its size and modification time (-1, -1 for a broken link: read, it says so)."""
    try:
        info = path.stat()
    except OSError:
        return -1, -1
    return info.st_size, info.st_mtime_ns


# A page reads every month's extract up to its month, and a batch renders many pages of one month in a
# worker: each extract is read once while its files are unchanged. Callers must not change the frames.
@functools.lru_cache(maxsize=32)
def _load_903(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> Ssda903:
    found: dict[str, list[tuple[pd.Timestamp, str, pd.DataFrame]]] = {}
    problems = []
    for path in extract_files(folder):
        try:  # a FIFO, a link to /dev/zero, a broken link, a file over the size limit: an error, never read
            raw, read_problems = read_csv_text(path, normalise=lambda c: c.strip().upper())
        except InputError as error:
            problems.append(as_problems(error))
            continue
        problems.append(read_problems)
        name = identify(list(raw.columns))
        if name is None and "CHILD" not in raw.columns:  # no header row, or not comma-separated: not to be guessed
            problems.append(problems_at(path, [1], "", [""], rules.HEADER_ROW, ERROR))
            continue
        if name is None:
            problems.append(problems_at(path, [1], "", [""], rules.KNOWN_TABLE, WARNING))
            continue
        columns = list(TABLES[name]) + [c for c in raw.columns if c == "UASC" and name == "header"]
        schema, warnings = table_schema(name)
        checked = schema_problems(schema, raw.loc[:, columns], path, warnings=warnings,
                                  wide_columns={key_rule(name): KEYS[name][-1]})  # fmt: skip
        checked.loc[checked["column"].isin(PERSONAL_COLUMNS), "value"] = PERSONAL
        problems.append(checked)
        frame = typed(raw.loc[:, columns]).assign(_file=str(path), _row=raw.index)
        found.setdefault(name, []).append((_newest_date(frame), path.name, frame))
    tables, sources = {}, {}
    for name, files in found.items():
        table, stitch_problems = _stitch(name, files)
        problems.append(stitch_problems)
        sources[name] = table.loc[:, ["_file", "_row"]]
        tables[name] = table.drop(columns=["_file", "_row"])
    if "episodes" not in tables:  # without it every measure would read 0 children
        problems.append(problems_at(folder, [None], "", [""], RULE_EPISODES_TABLE, ERROR))
    data = Ssda903(tables, no_problems(), sources)
    # a child's ID typed into another column (or file) is never echoed either
    children = {str(c) for name in ("header", "episodes", "uasc") if name in tables for c in tables[name]["CHILD"]}
    return Ssda903(tables, mask_personal(combine([*problems, cross_table_problems(data)]), children), sources)


def _stitch(name: str, files: list[tuple[pd.Timestamp, str, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One table from several collection years' files, one row per key: the latest year's version wins."""
    files.sort(key=lambda item: (item[0], item[1]))  # oldest collection year first
    stacked = pd.concat([frame.assign(_order=order) for order, (_, _, frame) in enumerate(files)], ignore_index=True)
    latest = stacked.drop_duplicates(list(KEYS[name]), keep="last")
    problems = no_problems()
    if name == "episodes" and len(files) > 1:
        earlier_open = latest.loc[(latest["_order"] < len(files) - 1) & latest["DEC"].isna()]
        where, rows = earlier_open["_file"].tolist(), earlier_open["_row"].tolist()
        problems = problems_at(where, rows, "DEC", [""] * len(rows), rules.OPEN_EPISODE_AGAIN, WARNING)
    return latest.drop(columns="_order").reset_index(drop=True), problems


# the dates the measures count children by (who is looked after, how old): any other is only as good as its source
COUNTED_DATES = {"header": {"DOB"}, "episodes": {"DECOM", "DEC"}, "uasc": {"DOB"}}


def dates_after(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    """Each date after the extract's month end `at`: an extract records what had happened by then. A day or
    months after is a warning (an entry made ahead of the day); over a year after (a DECOM in 2091) an error:
    a child counted from a day to come would be in no count or in every one."""
    found = []
    for name, table in data.tables.items():
        for column in sorted(COUNTED_DATES.get(name, set()) & set(table.columns)):
            dates, year_on = table[column], at + pd.DateOffset(years=1)
            checks = (
                (dates > year_on, ERROR, rules.DATE_YEAR_AFTER_MONTH_END),
                ((dates > at) & (dates <= year_on), WARNING, rules.DATE_AFTER_MONTH_END),
            )
            for late, severity, broken in checks:
                rows = table.index[late.to_numpy()]
                if len(rows):
                    files, numbers = _where(data, name, rows)
                    said = broken.of(column=column, date=f"{at:%d/%m/%Y}")
                    values = dates.loc[rows].dt.strftime("%d/%m/%Y")
                    found.append(problems_at(files, numbers, column, values, said, severity))
    return combine(found)


# --- rules across tables --------------------------------------------------------------------------------


def _where(data: Ssda903, name: str, rows: pd.Index) -> tuple[list[str], list[int | None]]:
    """The file and row each of `rows` of table `name` came from (the table's name where it is not known)."""
    if name not in data.sources:
        return [name] * len(rows), [None] * len(rows)
    source = data.sources[name].loc[rows]
    return source["_file"].tolist(), [int(r) for r in source["_row"]]


def _day(d: pd.Series) -> pd.Series:
    return d.dt.strftime("%d/%m/%Y").fillna("")


def cross_table_problems(data: Ssda903) -> pd.DataFrame:
    """The DfE's rules between rows and tables: an episode that ends before it starts (error), a child born
    after an episode starts (error), a child in episodes but not in header (error), and one child's
    episodes overlapping (warning: each child is counted once whatever the overlap, and described by the
    episode begun latest)."""
    if "episodes" not in data.tables:
        return no_problems()
    eps = data.table("episodes")
    found = []

    def add(mask: pd.Series, column: str, values: pd.Series, said: Rule, severity: str) -> None:
        rows = eps.index[mask.to_numpy()]
        files, numbers = _where(data, "episodes", rows)
        found.append(problems_at(files, numbers, column, values.loc[rows], said, severity))

    add(eps["DEC"] < eps["DECOM"], "DEC", _day(eps["DEC"]) + " before DECOM " + _day(eps["DECOM"]),
        rules.EPISODE_ENDS_AFTER_START, ERROR)  # fmt: skip
    if "header" in data.tables:
        header = data.table("header").drop_duplicates("CHILD").set_index("CHILD")
        dob = eps["CHILD"].map(header["DOB"])
        add(dob > eps["DECOM"], "DECOM", _day(eps["DECOM"]) + " before the child's DOB",
            rules.BORN_BEFORE_EPISODE, ERROR)  # fmt: skip
        unknown = ~eps["CHILD"].isin(header.index)
        add(unknown, "CHILD", eps["CHILD"].where(~unknown, PERSONAL), rules.CHILD_IN_HEADER, ERROR)
    order = eps.sort_values(["CHILD", "DECOM"])
    previous_end = order.groupby("CHILD")["DEC"].shift(1)
    has_previous = order.groupby("CHILD").cumcount() > 0
    overlaps = has_previous & (previous_end.isna() | (previous_end > order["DECOM"]))
    add(overlaps.reindex(eps.index), "DECOM", _day(eps["DECOM"]) + " while the child's previous episode is open",
        RULE_OVERLAP, WARNING)  # fmt: skip
    return combine(found)
