"""Ofsted's Annex A (ILACS), child by child: `<returns>/<YYYY-MM>/annex_a/`, read as councils produce it.

The folder holds the workbook (`.xlsx`, one sheet per list, named "List 8", "List_8", "list8" ...) or one CSV
per list (`list_8.csv`, `List 8.csv`, ...), or both for different lists. Lists 8 (children in care), 9 (care
leavers), 10 and 11 (adoption) are read; the others are passed over. Headers are matched as the LIIA
pipeline's published schema matches them (annex_a_codes.py: the canonical name in any case and spacing, or
one of its patterns); extra columns are passed over. Each value is read into one form whatever the council's
system wrote: the child's ID as text (leading zeros kept), dates (dd/mm/yyyy, or a date cell) as dates, yes/no
("a) Yes", "Yes", "Y") as a nullable boolean, counts as integers, codes as the bare code (legal status "V2",
placement "U3", ethnicity "WBRI"). What cannot be read is a problem row naming file and sheet, row and
column, never dropped: an error where a measure reads the column, a warning where none does.

Areas: `child_area.csv` (CHILD, AREA) names a child's area; else `team_area.csv` (TEAM, AREA) maps the
child's Allocated Team to one. Both sit in the same folder; neither is needed.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.paths import read_regular_file
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.annex_a_codes import *  # noqa: F403  (the column names: one place, imported from here too)
from lacperf_helpers.ingest.annex_a_codes import (
    AGE_YEARS,
    CEASED_LOOKED_AFTER,
    CHILD_ID,
    COLUMNS,
    DATE,
    ID,
    INTEGER,
    KEY,
    LIST_8,
    LISTS,
    STARTED_LOOKED_AFTER,
    TEXT,
    YES_NO_KIND,
    Code,
    Column,
)
from lacperf_helpers.ingest.layout import annex_a_files
from lacperf_helpers.ingest.rules import Rule
from lacperf_helpers.ingest.validation import (
    EARLIEST_DATE,
    ERROR,
    PERSONAL,
    WARNING,
    as_problems,
    combine,
    mask_personal,
    no_problems,
    parse_dates,
    problems_at,
    raise_on_errors,
    read_csv_text,
)

CHILD_AREA_FILE, TEAM_AREA_FILE = "child_area.csv", "team_area.csv"
WORKBOOK_SUFFIXES = (".xlsx",)
REFUSED_SUFFIXES = (".xlsm", ".xls", ".xlsb", ".ods")  # macros, or formats openpyxl does not read
_LIST_NAME = re.compile(r"^\s*list[\s_\-]*0*(\d{1,2})\s*$", re.IGNORECASE)
PERSONAL_COLUMNS = frozenset({CHILD_ID, DATE_OF_BIRTH, PLACEMENT_POSTCODE, ADOPTER_ID, FAMILY_ID})  # noqa: F405

RULE_HEADER = rules.ANNEX_A_HEADER
RULE_AMBIGUOUS_HEADER = rules.ANNEX_A_AMBIGUOUS_HEADER
RULE_ONE_SOURCE = rules.ANNEX_A_ONE_SOURCE
RULE_DUPLICATE = rules.ANNEX_A_DUPLICATE
RULE_NOT_LOOKED_AFTER = rules.ANNEX_A_LOOKED_AFTER
RULE_CEASED_BEFORE_STARTED = rules.ANNEX_A_CEASED_AFTER_STARTED
RULE_XLSX = rules.ANNEX_A_XLSX
RULE_AREA_FILE = rules.ANNEX_A_AREA_FILE
RULE_NOT_A_LIST = rules.ANNEX_A_NOT_A_LIST


def list_rule(column: Column) -> Rule:
    """The rule a value of `column` breaks."""
    match column.kind:
        case "id":
            return given_rule(column)
        case "date":
            return rules.ANNEX_A_DATE.of(column=column.name, date=f"{EARLIEST_DATE:%d/%m/%Y}")
        case "integer":
            return rules.ANNEX_A_WHOLE_NUMBER.of(column=column.name)
        case "age":
            return rules.ANNEX_A_YEARS.of(column=column.name)
        case _:
            return rules.ANNEX_A_CODE.of(column=column.name)


def given_rule(column: Column) -> Rule:
    return rules.GIVEN.of(column=column.name)


def date_after_rule(column: str, at: pd.Timestamp) -> Rule:
    return rules.ANNEX_A_NOT_AFTER_MONTH_END.of(column=column, date=f"{at:%d/%m/%Y}")


@dataclass(frozen=True)
class AnnexA:
    """The lists of one month's Annex A (keys 8, 9, 10, 11 for those present), one row per child, with every
    problem reading them found. `sources`: each list row's file (and sheet) and row, aligned with its frame;
    `absent`: the optional columns a list's file did not have (read as blank); `child_areas`, `team_areas`:
    the area files' maps (empty where there are none)."""

    lists: Mapping[int, pd.DataFrame]
    problems: pd.DataFrame = field(default_factory=no_problems)
    sources: Mapping[int, pd.DataFrame] = field(default_factory=dict)
    absent: Mapping[int, frozenset[str]] = field(default_factory=dict)
    child_areas: pd.Series = field(default_factory=lambda: pd.Series(dtype="object"))
    team_areas: pd.Series = field(default_factory=lambda: pd.Series(dtype="object"))
    month_end: pd.Timestamp | None = None
    memo: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)

    def list(self, number: int) -> pd.DataFrame:
        """A list, or an empty one with its columns when the Annex A has none."""
        return self.lists[number] if number in self.lists else empty_list(number)


@cache
def _empty(number: int) -> pd.DataFrame:
    return _typed_frame({c.name: [] for c in COLUMNS[number]}, number)


def empty_list(number: int) -> pd.DataFrame:
    return _empty(number).copy()


# --- finding the lists ------------------------------------------------------------------------------------------


def list_number(name: str) -> int | None:
    """The list a sheet or file names ('List 8', 'list_8', 'LIST8', 'List 08'), else None."""
    found = _LIST_NAME.match(name)
    return int(found[1]) if found else None


@dataclass(frozen=True)
class _Raw:
    """A sheet or CSV as read: where it is, its header cells and its rows (values as the file has them)."""

    where: str  # the file, and the sheet of a workbook
    header_row: int
    headers: list[str]
    rows: pd.DataFrame  # one column per header cell (by position), index: the sheet's row numbers


def load_annex_a(folder: str | Path, *, month_end: date, strict: bool = True) -> AnnexA:
    """`read_annex_a`, once while the folder's files are unchanged (a page reads every month up to its own);
    with `strict`, errors raise ValidationError naming the first (file and sheet, row, column)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no Annex A folder here")
    stamp = tuple((p.name, *_size_and_time(p)) for p in annex_a_files(folder))
    data = _load_annex_a(folder.resolve(), pd.Timestamp(month_end), stamp)
    if strict:
        raise_on_errors(data.problems)
    return data


def _size_and_time(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return -1, -1
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=32)
def _load_annex_a(folder: Path, at: pd.Timestamp, stamp: tuple[tuple[str, int, int], ...]) -> AnnexA:
    return read_annex_a(folder, month_end=at.date())


def read_annex_a(folder: Path, *, month_end: date) -> AnnexA:
    """The Annex A in `folder` (a month's `annex_a/`), every list read, checked and typed; nothing raised for
    what is in the files (their problems are rows in `.problems`), InputError for a folder that is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no Annex A folder here")
    at = pd.Timestamp(month_end)
    problems: list[pd.DataFrame] = []
    raws: dict[int, list[_Raw]] = {}
    areas: dict[str, pd.DataFrame] = {}
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        try:
            if suffix in WORKBOOK_SUFFIXES:
                for listed, raw, read in _workbook(path):
                    raws.setdefault(listed, []).append(raw)
                    problems.append(read)
            elif suffix in REFUSED_SUFFIXES:
                problems.append(problems_at(path, [None], "", [""], RULE_XLSX, ERROR))
            elif suffix == ".csv":
                name = path.stem.strip().lower()
                if name in (Path(CHILD_AREA_FILE).stem, Path(TEAM_AREA_FILE).stem):
                    frame, read = read_csv_text(path, normalise=lambda c: c.strip().upper())
                    areas[name] = frame
                    problems.append(read)
                    continue
                named = list_number(path.stem)
                if named is None:
                    problems.append(problems_at(path, [None], "", [""], RULE_NOT_A_LIST, WARNING))
                elif named in LISTS:
                    frame, read = read_csv_text(path, normalise=lambda c: c.strip())
                    problems.append(read)
                    raws.setdefault(named, []).append(_Raw(str(path), 1, list(frame.columns), _by_position(frame)))
        except InputError as error:
            problems.append(as_problems(error))
    lists, sources, absent = {}, {}, {}
    for number, sheets in sorted(raws.items()):
        if len(sheets) > 1:
            text = Rule(
                RULE_ONE_SOURCE.code,
                f"{RULE_ONE_SOURCE}: List {number} is in {sheets[0].where} and in {sheets[1].where}",
            )
            problems.append(problems_at(sheets[1].where, [None], "", [""], text, ERROR))
            continue
        typed = _read_list(number, sheets[0], at)
        if typed is None:
            problems.append(_header_problems(number, sheets[0]))
            continue
        frame, where, missing, found_problems = typed
        problems.append(found_problems)
        lists[number], sources[number], absent[number] = frame, where, missing
    child_areas, team_areas, area_problems = _areas(folder, areas)
    problems.append(area_problems)
    if LIST_8 in lists:
        problems.append(_not_looked_after(lists[LIST_8], sources[LIST_8], at))
    identifiers = {str(c) for n, frame in lists.items() for c in frame[KEY[n]].dropna()}
    found_all = mask_personal(combine(problems), identifiers)
    return AnnexA(lists, found_all, sources, absent, child_areas, team_areas, at)


def annex_a_of_lists(
    lists: Mapping[int, pd.DataFrame], *, month_end: date, team_areas: Mapping[str, str] | None = None
) -> AnnexA:
    """The Annex A of lists held in memory (as synthetic_annex_a makes them; dates as Timestamps), typed by the
    same rules as read_annex_a's CSVs (each list passes through CSV text as write_annex_a writes it), with
    `team_areas` as team_area.csv's map. What the rules find is in `.problems`. Lets data/make_sample.py derive
    the return's figures of every month from the Annex A the generator would write, without writing it."""
    at = pd.Timestamp(month_end)
    typed_lists, sources, absent, problems = {}, {}, {}, []
    for number, frame in sorted(lists.items()):
        out = frame.copy()
        for column in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[column]):
                out[column] = out[column].dt.strftime("%d/%m/%Y").fillna("")
        where = f"list_{number} (in memory)"
        rows = pd.read_csv(io.StringIO(out.to_csv(index=False)), dtype=str, keep_default_na=False)
        rows.index = pd.RangeIndex(2, len(rows) + 2)  # spreadsheet rows, the header on row 1
        typed = _read_list(number, _Raw(where, 1, [str(c).strip() for c in rows.columns], _by_position(rows)), at)
        if typed is None:
            raise ValueError(f"List {number}: its columns are not Annex A's")
        typed_lists[number], sources[number], absent[number], read = typed
        problems.append(read)
    teams = pd.Series(dict(team_areas or {}), dtype=object)
    teams.index = teams.index.map(_normal)
    identifiers = {str(c) for n, frame in typed_lists.items() for c in frame[KEY[n]].dropna()}
    found = mask_personal(combine(problems), identifiers)
    return AnnexA(typed_lists, found, sources, absent, team_areas=teams, month_end=at)


def _by_position(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_axis(range(frame.shape[1]), axis=1)


def _workbook(path: Path) -> list[tuple[int, _Raw, pd.DataFrame]]:
    """Each sheet of a workbook that names one of the lists lacperf reads, as read (values only: formulas as
    last calculated, no macro run)."""
    import python_calamine  # only a month with a workbook pays for it

    data = read_regular_file(path, "an Annex A workbook")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names]
    except (python_calamine.CalamineError, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise InputError(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    out = []
    for title, values in sheets:
        number = list_number(title)
        if number not in LISTS:
            continue
        where = f"{path}, sheet {title!r}"
        cells = [[None if v == "" else v for v in row] for row in values]  # an empty cell reads ""
        filled = [i for i, row in enumerate(cells) if any(_filled(v) for v in row)]
        if not filled:
            out.append((number, _Raw(where, 1, [], pd.DataFrame()), no_problems()))
            continue
        top = filled[0]
        headers = ["" if v is None else str(v).strip() for v in cells[top]]
        body = cells[top + 1 : filled[-1] + 1]  # rows after the last filled one are formatting, not data
        width = len(headers)
        rows = pd.DataFrame([(row + [None] * width)[:width] for row in body], columns=range(width), dtype=object)
        rows.index = pd.RangeIndex(top + 2, top + 2 + len(body))
        empty = rows.map(lambda v: not _filled(v)).all(axis=1) if len(rows) else pd.Series(dtype=bool)
        found = problems_at(where, rows.index[empty.to_numpy()], "", [""] * int(empty.sum()), rules.EMPTY_ROW,
                                WARNING)  # fmt: skip
        out.append((number, _Raw(where, top + 1, headers, rows.loc[~empty.to_numpy()]), found))
    return out


def _filled(value: object) -> bool:
    if isinstance(value, float):
        return value == value  # NaN: an empty cell as pandas reads it
    return value is not None and not (isinstance(value, str) and not value.strip())


# --- headers ------------------------------------------------------------------------------------------------------


def _normal(text: str) -> str:
    """A header as compared: any case, runs of spaces or underscores as one space, curly quotes as straight."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def match_headers(number: int, headers: list[str]) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """Each header cell's position -> the canonical column it names (the name itself in any case and spacing
    first, else a pattern of the LIIA schema's); and the cells that name two columns (position, header)."""
    columns = COLUMNS[number]
    exact = {_normal(c.name): c.name for c in columns}
    found: dict[int, str] = {}
    ambiguous = []
    for position, header in enumerate(headers):
        text = _normal(header)
        if not text:
            continue
        if text in exact:
            found[position] = exact[text]
            continue
        names = {c.name for c in columns if any(re.match(p, text, re.IGNORECASE) for p in c.headers)}
        names = {n for n in names if n not in found.values()}
        if len(names) == 1:
            found[position] = names.pop()
        elif len(names) > 1:
            ambiguous.append((position, header))
    return found, ambiguous


def _header_problems(number: int, raw: _Raw) -> pd.DataFrame:
    found, ambiguous = match_headers(number, raw.headers)
    rows: list[tuple[int | None, str, Rule]] = [
        (raw.header_row, header, RULE_AMBIGUOUS_HEADER) for _, header in ambiguous
    ]
    named = set(found.values())
    rows += [(raw.header_row, c.name, rules.REQUIRED_COLUMN) for c in COLUMNS[number]
             if c.name not in named and not c.optional]  # fmt: skip
    if not raw.headers:
        rows = [(None, "", RULE_HEADER)]
    return combine(problems_at(raw.where, [r], column, [""], rule, ERROR) for r, column, rule in rows)


# --- values -------------------------------------------------------------------------------------------------------


def _read_list(
    number: int, raw: _Raw, at: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame, frozenset[str], pd.DataFrame] | None:
    """The list typed, where each row came from, the optional columns it lacks and its problems; None when its
    header lacks a required column or names one twice (the sheet is refused whole)."""
    found, ambiguous = match_headers(number, raw.headers)
    named = set(found.values())
    if ambiguous or any(c.name not in named and not c.optional for c in COLUMNS[number]) or not raw.headers:
        return None
    by_name = {name: position for position, name in found.items()}
    problems = []
    values: dict[str, list[object]] = {}
    for column in COLUMNS[number]:
        cells = (
            raw.rows[by_name[column.name]]
            if column.name in by_name
            else pd.Series([None] * len(raw.rows), index=raw.rows.index, dtype=object)
        )
        typed, bad = _column_values(column, cells)
        values[column.name] = typed
        if any(bad):  # (most columns read cleanly: nothing to report, no frame to make)
            severity = WARNING if column.warn_only else ERROR
            shown = [PERSONAL if column.name in PERSONAL_COLUMNS else _shown(v) for v in cells.loc[bad]]
            problems.append(problems_at(raw.where, cells.index[bad], column.name, shown, list_rule(column), severity))
        if column.given:
            blank = [i for i, v in zip(cells.index, cells.tolist(), strict=True) if not _filled(v)]
            if blank:
                problems.append(problems_at(raw.where, blank, column.name, [""] * len(blank), given_rule(column),
                                            ERROR))  # fmt: skip
    frame = _typed_frame(values, number).set_axis(raw.rows.index)
    frame, kept, duplicates = _one_row_per_key(number, frame, raw)
    problems += [duplicates, _dates_after(number, frame, raw.where, at)]
    if number == LIST_8:
        wrong = frame.index[(frame[CEASED_LOOKED_AFTER] < frame[STARTED_LOOKED_AFTER]).to_numpy()]
        problems.append(problems_at(raw.where, wrong, CEASED_LOOKED_AFTER, [PERSONAL] * len(wrong),
                                    RULE_CEASED_BEFORE_STARTED, ERROR))  # fmt: skip
    absent = frozenset(c.name for c in COLUMNS[number] if c.name not in by_name)
    sources = pd.DataFrame({"_file": raw.where, "_row": kept})
    return frame.reset_index(drop=True), sources, absent, combine(problems)


def _shown(value: object) -> str:
    return "" if value is None else str(value).strip()


def _column_values(column: Column, cells: pd.Series) -> tuple[list[object], list[bool]]:
    """Each cell read as the column's kind, and whether it could not be (a blank always can: it is blank)."""
    if column.kind == DATE:
        return _dates(cells)
    read: dict[object, tuple[object, bool]] = {}  # each distinct value read once (a list repeats its codes)
    out: list[object] = []
    bad: list[bool] = []
    for value in cells.tolist():  # (a list iterates far quicker than a Series)
        key = (type(value), value)
        if key not in read:
            read[key] = _value(column, value)
        typed, ok = read[key]
        out.append(typed)
        bad.append(not ok)
    return out, bad


def _dates(cells: pd.Series) -> tuple[list[object], list[bool]]:
    """A date column: date cells as they are, text parsed at once (dd/mm/yyyy, or yyyy-mm-dd with or without
    a time, as Excel writes a date into a CSV); anything else, an impossible date or one before 1900, bad."""
    values = cells.tolist()
    texts = [v.strip() if isinstance(v, str) else "" for v in values]
    distinct = pd.Series(list(dict.fromkeys(texts)), dtype=object)  # each text read once (dates repeat)
    iso = distinct.str.match(r"^\d{4}-\d{2}-\d{2}[ T]")
    parsed = parse_dates(distinct.where(~iso, distinct.str[:10])).tolist()
    date_of = dict(zip(distinct, (_date_or_none(stamp) for stamp in parsed), strict=True))
    out: list[object] = []
    bad: list[bool] = []
    for value, text in zip(values, texts, strict=True):
        if isinstance(value, str):  # text: blank, a date, or bad
            out.append(date_of[text])
            bad.append(bool(text) and date_of[text] is None)
        elif not _filled(value):
            out.append(None)
            bad.append(False)
        else:  # a date cell is a date; a number or anything else is bad
            stamp = _date_or_none(pd.Timestamp(value).normalize() if isinstance(value, datetime | date) else pd.NaT)
            out.append(stamp)
            bad.append(stamp is None)
    return out, bad


def _date_or_none(stamp: Any) -> pd.Timestamp | None:
    """The date, or None where it is none or before EARLIEST_DATE."""
    return stamp if not pd.isna(stamp) and stamp >= EARLIEST_DATE else None


def _value(column: Column, value: object) -> tuple[object, bool]:
    if not _filled(value):
        return None, True
    kind = column.kind
    if kind == ID:
        if isinstance(value, float) and value.is_integer():
            return str(int(value)), True
        return str(value).strip(), True
    if kind == TEXT:
        return str(value).strip(), True
    if kind in (INTEGER, AGE_YEARS):
        return _whole_number(value, floor=kind == AGE_YEARS)
    code = match_code(column.codes, str(value))
    if code is None:
        return None, False
    if kind == YES_NO_KIND:
        return {"Yes": True, "No": False}.get(code), True
    return code, True


def _whole_number(value: object, *, floor: bool) -> tuple[object, bool]:
    try:
        number = float(str(value).strip().replace(",", "")) if not isinstance(value, int | float) else float(value)
    except ValueError:
        return None, False
    if number != number or number < 0 or (not floor and not number.is_integer()):  # NaN, negative, a fraction
        return None, False
    return int(number), True


def match_code(codes: tuple[Code, ...], value: str) -> str | None:
    """The code `value` reads as, the LIIA schema's way: its full form, bare code or name in any case; the
    full form within it ("a) Yes - confirmed"); the bare code as a word within it ("V2: S20", "e) PR4 - Private
    provision"); else the first code one of whose patterns matches from its start. None: no code."""
    return _match(codes, re.sub(r"\s+", " ", value.replace("\u2019", "'")).strip())


@cache
def _match(codes: tuple[Code, ...], value: str) -> str | None:
    low = value.casefold()
    for code in codes:
        if low in (code.full.casefold(), code.code.casefold(), code.name.casefold()):
            return code.code
    for code in codes:
        if code.full.casefold() in low:
            return code.code
    for code in codes:  # a code as a word: "V2: S20", "e) PR4 - Private provision" (not "In" in "Independent")
        if _code_like(code.code) and re.search(rf"(?<![A-Za-z0-9]){re.escape(code.code)}(?![A-Za-z0-9])", value, re.I):
            return code.code
    for code in codes:
        if any(re.match(p, value, re.IGNORECASE) for p in code.patterns):
            return code.code
    return None


def _code_like(code: str) -> bool:
    """A code that cannot be an ordinary word: with a digit (V2, PR4, N1), or four capitals (WBRI)."""
    return (len(code) >= 2 and any(ch.isdigit() for ch in code)) or (len(code) == 4 and code.isupper())


def _typed_frame(values: Mapping[str, list[object]], number: int) -> pd.DataFrame:
    """The list's columns in the schema's order, each in its type: ID and text as text, dates datetime64,
    counts Int64, yes/no boolean (nullable), codes text."""
    out = {}
    for column in COLUMNS[number]:
        cells = values[column.name]
        if column.kind == DATE:
            out[column.name] = pd.Series(pd.to_datetime(pd.Series(cells, dtype=object)), dtype="datetime64[ns]")
        elif column.kind in (INTEGER, AGE_YEARS):
            out[column.name] = pd.Series(cells, dtype="Int64")
        elif column.kind == YES_NO_KIND:
            out[column.name] = pd.Series(cells, dtype="boolean")
        else:
            out[column.name] = pd.Series(cells, dtype="object")
    return pd.DataFrame(out)


def _one_row_per_key(number: int, frame: pd.DataFrame, raw: _Raw) -> tuple[pd.DataFrame, list[int], pd.DataFrame]:
    """One row per child (List 11: adopter): the row with the latest Date Started (List 8), else the last;
    each other row a warning naming it. Rows without an ID are kept (an error says so)."""
    key = frame[KEY[number]]
    order = frame.assign(_position=range(len(frame)))
    if number == LIST_8:
        order = order.sort_values([STARTED_LOOKED_AFTER, "_position"], na_position="first", kind="stable")
    repeated = order.loc[key.notna().reindex(order.index).to_numpy()].duplicated(KEY[number], keep="last")
    dropped = repeated.index[repeated.to_numpy()]
    kept = frame.drop(index=dropped)
    found = problems_at(raw.where, dropped, KEY[number], [PERSONAL] * len(dropped), RULE_DUPLICATE, WARNING)
    return kept, [int(i) for i in kept.index], found


def _dates_after(number: int, frame: pd.DataFrame, where: str, at: pd.Timestamp) -> pd.DataFrame:
    """A date after the month end: a warning (an entry made ahead of the day); the measures read it as it is."""
    found = []
    for column in COLUMNS[number]:
        if column.kind != DATE or column.name == STARTED_LOOKED_AFTER:  # a start after it: _not_looked_after
            continue
        late = frame.index[(frame[column.name] > at).to_numpy()]
        if len(late):
            found.append(problems_at(where, late, column.name, [PERSONAL] * len(late),
                                     date_after_rule(column.name, at), WARNING))  # fmt: skip
    return combine(found)


def _not_looked_after(frame: pd.DataFrame, sources: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """A warning per List 8 child looked after neither at the month end nor in the 12 months to it, by its own
    dates. Annex A lists every child looked after in the 12 months: one who left care in them is no problem
    (counted where a measure reads the 12 months, as missing_12m does)."""
    started, ceased = frame[STARTED_LOOKED_AFTER], frame[CEASED_LOOKED_AFTER]
    year_start = at - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    outside = (started > at) | (ceased < year_start)
    rows = sources.loc[outside.to_numpy()]
    return problems_at(list(rows["_file"]), list(rows["_row"]), STARTED_LOOKED_AFTER, [PERSONAL] * len(rows),
                       RULE_NOT_LOOKED_AFTER, WARNING)  # fmt: skip


def _areas(folder: Path, files: dict[str, pd.DataFrame]) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """child_area.csv's child -> area, and team_area.csv's team -> area (blank rows left out, said)."""
    maps, problems = [], []
    for stem, key in ((Path(CHILD_AREA_FILE).stem, "CHILD"), (Path(TEAM_AREA_FILE).stem, "TEAM")):
        frame = files.get(stem)
        if frame is None:
            maps.append(pd.Series(dtype="object"))
            continue
        path = folder / f"{stem}.csv"
        if key not in frame.columns or "AREA" not in frame.columns:
            problems.append(problems_at(path, [1], "", [""], RULE_AREA_FILE, ERROR))
            maps.append(pd.Series(dtype="object"))
            continue
        given = frame.loc[(frame[key] != "") & (frame["AREA"] != "")]
        names = given[key] if key == "CHILD" else given[key].map(_normal)
        maps.append(pd.Series(given["AREA"].to_numpy(dtype=object), index=names.to_numpy(dtype=object)).groupby(
            level=0).last())  # fmt: skip
    return maps[0], maps[1], combine(problems)


def area_of(annex: AnnexA, children: pd.Series, teams: pd.Series) -> pd.Series:
    """Each row's area: its child's in child_area.csv, else its team's in team_area.csv, else None."""
    by_child = children.map(annex.child_areas) if len(annex.child_areas) else pd.Series(None, index=children.index)
    by_team = teams.fillna("").astype(str).map(_normal).map(annex.team_areas) if len(annex.team_areas) else None
    out = by_child.astype(object)
    if by_team is not None:
        out = out.where(out.notna(), by_team)
    return out.where(out.notna(), None)
