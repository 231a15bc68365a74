"""Every input checked against a declared schema; every problem one row: file, row, column, value, rule, severity,
code (the rule's stable code: ingest/rules.py, docs/rules.md).

Schemas are pandera DataFrameSchemas over the file as text (one row per spreadsheet row, the header
being row 1), so a check can name the exact cell. Errors stop a run; warnings let it go on and are
counted in the appendix's data-quality note. Rows are only ever left out with a warning that says so.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.paths import csv_text, read_regular_file, write_atomically
from lacperf_helpers.ingest.layout import VALIDATION_CSV as VALIDATION_CSV
from lacperf_helpers.ingest.layout import VALIDATION_PAGE as VALIDATION_PAGE
from lacperf_helpers.ingest.rules import (
    EARLIEST_DATE as RULE_EARLIEST_DATE,
)
from lacperf_helpers.ingest.rules import (
    EMPTY_ROW,
    GIVEN,
    ISO_DATE_WRITTEN,
    NOT_NEGATIVE,
    NUMBER_GIVEN,
    READABLE,
    REAL_DATE,
    REQUIRED_COLUMN,
    Rule,
)

if TYPE_CHECKING:
    import pandera.pandas as pa

PROBLEM_COLUMNS = ("file", "row", "column", "value", "rule", "severity", "code")  # code: the rule's, last
ERROR, WARNING = "error", "warning"

# ASCII digits only: fullwidth or Arabic-Indic digits are not a number pandas reads (they became "No data")
NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$", re.ASCII)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
# A value that looks like a date of birth or a postcode is never copied into a report, whatever column it
# was typed in (a postcode in RNE, a DOB in DECOM): the file, row and column find the cell.
PERSONAL = "(not shown: personal data)"
_POSTCODE = re.compile(r"^\s*[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})(\s.*)?$")
RULE_REQUIRED_COLUMN, RULE_EMPTY_ROW = REQUIRED_COLUMN, EMPTY_ROW  # the names other readers import
EARLIEST_DATE = pd.Timestamp("1900-01-01")  # the earliest date an SSDA903 extract may hold


def no_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in PROBLEM_COLUMNS})


def problems_at(
    file: str | Path | list[str],
    rows: Iterable[int | None],
    column: str,
    values: Iterable[object],
    rule: Rule,
    severity: str,
) -> pd.DataFrame:
    """Problem rows for the given spreadsheet rows (None: the file as a whole) of one column, in one file
    or (a list) each in its own."""
    rows, values = list(rows), [("" if v is None or v is pd.NA else str(v)) for v in values]
    files = file if isinstance(file, list) else [str(file)] * len(rows)
    frame = pd.DataFrame(
        {"file": files, "row": pd.array(rows, dtype="Int64"), "column": column, "value": values,
         "rule": rule.text, "severity": severity, "code": rule.code}
    )  # fmt: skip
    return frame.loc[:, list(PROBLEM_COLUMNS)]


def looks_personal(value: str) -> bool:
    """A postcode or a date (a date of birth, maybe): not to be echoed."""
    return bool(_POSTCODE.match(value) or _DATE.match(value))


def mask_personal(problems: pd.DataFrame, identifiers: Iterable[str] = ()) -> pd.DataFrame:
    """The problems with every value that looks like a postcode or a date, or is one of `identifiers` (the
    extract's child IDs), replaced by PERSONAL."""
    known = set(identifiers) - {""}
    values = problems["value"].astype(str)
    personal = values.map(looks_personal).astype(bool) | values.str.strip().isin(known)
    if not personal.any():
        return problems
    return problems.assign(value=values.mask(personal, PERSONAL))


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return no_problems()
    return mask_personal(pd.concat(frames, ignore_index=True).astype({"row": "Int64"}))


def errors_in(problems: pd.DataFrame) -> pd.DataFrame:
    return problems.loc[problems["severity"] == ERROR]


class ValidationError(InputError):
    """Inputs with errors: every problem as rows, and the first error as the one-line message."""

    def __init__(self, problems: pd.DataFrame) -> None:
        problems = mask_personal(problems)
        self.problems = problems
        errors = errors_in(problems)
        first = errors.iloc[0]
        more = f" (and {len(errors) - 1} more error(s): see {VALIDATION_CSV})" if len(errors) > 1 else ""
        value = f"{first['value']!r} fails the check: " if first["value"] not in ("", PERSONAL) else ""
        row = None if pd.isna(first["row"]) else int(first["row"])
        super().__init__(first["file"], f"{value}{first['rule']}{more}", row=row, column=first["column"] or None)


def raise_on_errors(problems: pd.DataFrame) -> pd.DataFrame:
    """The problems, if they are only warnings; else ValidationError."""
    if len(errors_in(problems)):
        raise ValidationError(problems)
    return problems


def as_problems(error: InputError) -> pd.DataFrame:
    """An error some other reader raised (a YAML file, say), as problem rows."""
    if isinstance(error, ValidationError):
        return error.problems
    return problems_at(error.file, [error.row], error.column or "", [""], Rule(READABLE.code, error.message), ERROR)


# --- reading CSV files as Excel and other tools save them ------------------------------------------------


def read_csv_text(path: Path, normalise: Callable[[str], str] = str.strip) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A CSV file as text, one row per spreadsheet row (index: its row number), and what reading it found.

    Accepts a byte-order mark, CRLF line ends, cp1252 text (Excel on Windows), and empty trailing rows and
    columns (skipped, and counted as warnings). Raises InputError for what cannot be read as a table.
    """
    text = decoded(path, read_regular_file(path, "a CSV file"))
    if "\x00" in text:
        raise InputError(path, "not a CSV file (it holds binary data: was an .xlsx file renamed?)")
    if not text.strip():
        raise InputError(path, "the file is empty: expected a header row")
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    if not isinstance(raw.index, pd.RangeIndex):  # every row one cell more than the header: pandas would take
        raw = _without_trailing_cell(path, text)  # the first column as an index and shift every other one
    try:
        header = next(csv.reader(io.StringIO(text.lstrip("\r\n"))), [])
    except csv.Error:  # pandas read what the csv module will not: its header, split as pandas would
        header = text.lstrip("\r\n").splitlines()[0].split(",")
    named = [normalise(c) for c in header if c.strip()]
    repeated = sorted({c for c in named if named.count(c) > 1})
    if repeated:  # pandas would read the second copy as 'name.1' and it would be ignored without a word
        raise InputError(path, f"the column {repeated[0]!r} appears twice in the header", row=1, column=repeated[0])
    names = [normalise(str(c)) for c in raw.columns]
    # Excel saves the cells it once formatted as empty columns with no header ("Unnamed: 7" to pandas).
    keep = [not (str(c).startswith("Unnamed:") and (raw.iloc[:, i] == "").all()) for i, c in enumerate(raw.columns)]
    raw.columns = names
    raw = raw.loc[:, keep]
    repeated = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if repeated:
        raise InputError(path, f"the column {repeated[0]!r} appears twice in the header", row=1, column=repeated[0])
    raw = raw.apply(lambda col: col.str.strip())
    raw.index = pd.RangeIndex(2, len(raw) + 2)  # spreadsheet rows: the header is row 1
    empty = (raw == "").all(axis=1)
    found = problems_at(path, raw.index[empty.to_numpy()], "", [""] * int(empty.sum()), EMPTY_ROW, WARNING)
    return raw.loc[~empty], found


def decoded(path: Path, data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode text", by its
    byte-order mark), or cp1252 (Excel on Windows). A file that is UTF-8 but for a stray byte is not re-read as
    cp1252 (every accented name would change): the row with the byte is named."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"not readable as UTF-16 text ({exc.reason} at byte {exc.start})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):  # UTF-8 elsewhere: this byte is a slip, not the file's encoding
            row = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                path,
                f"byte 0x{data[exc.start]:02x} is not UTF-8 text, though the rest of the file is: retype the "
                "character, or save the file again as CSV UTF-8",
                row=row,
            ) from None
    return data.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" as cp1252


# A character of two to four bytes as UTF-8 writes it (cp1252 text almost never holds one: 'Ã©' would be one)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _without_trailing_cell(path: Path, text: str) -> pd.DataFrame:
    """The table of a file whose rows each have one cell more than its header: an empty last cell (a comma
    at the end of every row, as some exports write) is dropped; a filled one is an error naming its row."""
    try:
        rows = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True, header=None,
                           skiprows=1, index_col=False)  # fmt: skip
        header = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, nrows=0).columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:  # rows of every length
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    last = rows.iloc[:, -1].str.strip()
    if len(rows.columns) != len(header) + 1 or (last != "").any():
        row = int((last != "").to_numpy().argmax()) + 2 if len(rows.columns) == len(header) + 1 else 2
        raise InputError(path, f"the row has more cells than the header names ({len(header)})", row=row)
    rows = rows.iloc[:, :-1]
    rows.columns = header
    return rows


# --- schemas --------------------------------------------------------------------------------------------


def rule(check: Callable[[Any], Any], said: Rule) -> pa.Check:
    """A check of one rule: its code (the check's name) and the sentence a person reads ('CHILD is given')."""
    import pandera.pandas as pa  # a file's checks import pandera; a page's kernel checks none

    return pa.Check(check, name=said.code, error=said.text)


def text_column(*checks: pa.Check, required: bool = True) -> pa.Column:
    import pandera.pandas as pa

    return pa.Column(str, checks=list(checks), required=required, nullable=False, coerce=False)


def number_checks(column: str) -> list[pa.Check]:
    return [
        rule(lambda s: (s == "") | s.str.match(NUMBER) | s.str.match(THOUSANDS), NUMBER_GIVEN.of(column=column)),
        rule(lambda s: ~(parse_numbers(s) < 0), NOT_NEGATIVE.of(column=column)),
    ]


def parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers as text -> float; thousands separators ('1,234') accepted; anything else -> NaN."""
    cleaned = text.where(~text.str.match(THOUSANDS), text.str.replace(",", "", regex=False))
    return pd.to_numeric(cleaned.where(cleaned.str.match(NUMBER)), errors="coerce").astype("float64")


def schema_problems(
    schema: pa.DataFrameSchema,
    frame: pd.DataFrame,
    file: str | Path,
    *,
    warnings: frozenset[Rule] = frozenset(),
    wide_columns: dict[Rule, str] | None = None,
    origin: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate `frame` against `schema` (every check, lazily) and list what failed as problem rows.

    Rules in `warnings` are warnings, the rest errors. A check over whole rows is reported at the column
    `wide_columns` names for its rule. The frame's index is each row's number in `file`; or, for rows gathered
    from several files, `origin` gives each row's file and row (columns `file`, `row`, indexed as the frame).
    """
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return no_problems()
    wide_columns = wide_columns or {}
    columns = list(schema.columns)
    rows = []
    for case in cases.itertuples(index=False):
        column, index = case.column, case.index
        if str(case.check) == "column_in_dataframe":
            rows.append((1, str(case.failure_case), "", REQUIRED_COLUMN.text, ERROR, REQUIRED_COLUMN.code, (0, 0, 0)))
            continue
        said = _rule_of(schema, str(case.schema_context), column, case.check_number)
        if said in wide_columns and column != wide_columns[said]:
            continue  # a check over whole rows fails in every column: report it once, where it belongs
        if index is None or pd.isna(index):
            continue  # a summary row pandera adds for a whole-column failure
        severity = WARNING if said in warnings else ERROR
        value = "" if pd.isna(case.failure_case) else str(case.failure_case)
        # within a row: the checks over whole rows, then each column's, in the schema's order (pandera's own order
        # is of an unstable sort, and shuffles as the rows grow)
        whole_row = str(case.schema_context) != "Column"
        order = (0 if whole_row else 1, 0 if whole_row else columns.index(column), int(case.check_number))
        rows.append((int(index), str(column), value, said.text, severity, said.code, order))
    found = pd.DataFrame(rows, columns=["row", "column", "value", "rule", "severity", "code", "order"])
    if origin is None:
        found.insert(0, "file", str(file))
    else:
        at = origin.loc[found["row"].to_numpy()]  # each gathered file has every column: no problem is in a header
        found = found.assign(row=at["row"].to_numpy()).assign(file=at["file"].to_numpy())
    found = found.astype({"row": "Int64"}).sort_values(["row", "order"], kind="stable", ignore_index=True)
    return found.loc[:, list(PROBLEM_COLUMNS)]


def _rule_of(schema: pa.DataFrameSchema, context: str, column: object, number: object) -> Rule:
    """The rule of a failed check, from the check itself (its name is the code, its error the sentence)."""
    checks = schema.columns[column].checks if context == "Column" else schema.checks
    check = checks[int(number)]  # type: ignore[call-overload]
    return Rule(str(check.name), str(check.error))


def iso_date_rule(column: str) -> Rule:
    """The rule an ISO date breaks: a warning, since yyyy-mm-dd cannot be misread."""
    return ISO_DATE_WRITTEN.of(column=column)


def date_checks(column: str, *, required: bool = False) -> list[pa.Check]:
    """dd/mm/yyyy and a real date; an ISO date (Excel rewrote it) is read, with a warning."""
    checks = [
        rule(lambda s: (s == "") | parse_dates(s).notna(), REAL_DATE.of(column=column)),
        rule(lambda s: ~s.str.match(ISO_DATE), iso_date_rule(column)),
        # a year typed short of a digit or with one wrong (1015 for 2015): no child in care was born before it
        rule(
            lambda s: ~(parse_dates(s) < EARLIEST_DATE),
            RULE_EARLIEST_DATE.of(column=column, date=f"{EARLIEST_DATE:%d/%m/%Y}"),
        ),
    ]
    if required:
        checks.append(rule(lambda s: s != "", GIVEN.of(column=column)))
    return checks


def parse_dates(text: pd.Series) -> pd.Series:
    """dd/mm/yyyy, or yyyy-mm-dd as Excel rewrites dates; impossible dates (31/02/2019) -> NaT."""
    day_first = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.where(text.str.match(ISO_DATE)), format="%Y-%m-%d", errors="coerce")
    return day_first.fillna(iso)


# --- writing the report ---------------------------------------------------------------------------------


def problem_counts(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems added up by severity, rule and file: what a data-quality note states."""
    if problems.empty:
        return pd.DataFrame(columns=["severity", "rule", "file", "count"])
    counts = problems.groupby(["severity", "rule", "file"], as_index=False, sort=False).size()
    counts = counts.rename(columns={"size": "count"})
    return counts.sort_values(["severity", "count"], ascending=[True, False], kind="stable", ignore_index=True)


PAGE_FINDINGS_PER_RULE = 25  # a million-row return still makes a page a person opens; the CSV has every row
FINDING_COLUMNS = ("severity", "rule", "file", "rows", "column", "value", "count")


def findings(problems: pd.DataFrame) -> pd.DataFrame:
    """Identical findings (same file, column, value, rule) as one row with their rows and count; each rule's
    first PAGE_FINDINGS_PER_RULE, then a row saying how many more there are."""
    if problems.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    keyed = problems.assign(row=problems["row"].astype("string").fillna(""), file=problems["file"].map(short_path))
    grouped = keyed.groupby(["severity", "rule", "file", "column", "value"], sort=False, dropna=False).agg(
        rows=("row", lambda r: _rows_text(list(r))), count=("row", "size")
    )
    out = []
    for (_, _), one in grouped.reset_index().groupby(["severity", "rule"], sort=False):
        out.append(one.head(PAGE_FINDINGS_PER_RULE))
        more = one.iloc[PAGE_FINDINGS_PER_RULE:]
        if len(more):
            first = one.iloc[0]
            out.append(pd.DataFrame([{"severity": first["severity"], "rule": first["rule"], "file": "",
                                      "rows": f"... {len(more)} more finding(s) of this rule: see {VALIDATION_CSV}",
                                      "column": "", "value": "", "count": int(more["count"].sum())}]))  # fmt: skip
    return pd.concat(out, ignore_index=True).loc[:, list(FINDING_COLUMNS)]


def short_path(file: object) -> str:
    """'2019-09/903/episodes.csv', '2019-09/annex_a/list_8.csv', '2019-09/kpi_return.csv': enough to find the
    file among the returns, nothing of where it sits on a machine."""
    parts = Path(str(file)).parts
    return "/".join(parts[-3:] if len(parts) >= 3 and parts[-2] in ("903", "annex_a") else parts[-2:])


def _rows_text(rows: list[str]) -> str:
    shown = [r for r in rows if r][:10]
    if not shown:
        return ""
    return ", ".join(shown) + (f" ... ({len(rows) - len(shown)} more)" if len(rows) > len(shown) else "")


_PAGE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def validation_page(problems: pd.DataFrame, title: str) -> str:
    """A readable page of every problem: counts by rule first, then each problem where it is."""
    errors, warnings = len(errors_in(problems)), int((problems["severity"] == WARNING).sum())
    verdict = (
        f"{errors} error(s) stop the run until they are put right; {warnings} warning(s) are stated in the appendices."
        if errors
        else f"No errors. {warnings} warning(s), stated in the appendices' data-quality notes."
    )
    counts = [
        {"severity": str(r.severity), "rule": str(r.rule), "file": short_path(r.file), "count": r.count}
        for r in problem_counts(problems).itertuples()
    ]
    found = findings(problems)
    rows = [
        (str(severity), ["" if pd.isna(v) else str(v) for v in values])
        for severity, values in zip(found["severity"], found.itertuples(index=False), strict=True)
    ]
    return _PAGE.get_template("validation.html.j2").render(
        title=title, verdict=verdict, counts=counts, per_rule=PAGE_FINDINGS_PER_RULE, csv=VALIDATION_CSV,
        columns=FINDING_COLUMNS, findings=rows,
    )  # fmt: skip


def write_report(problems: pd.DataFrame, folder: Path, title: str) -> tuple[Path, Path]:
    """validation.csv and validation.html in `folder`, each written whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, page_path = folder / VALIDATION_CSV, folder / VALIDATION_PAGE
    problems = problems.sort_values("severity", key=lambda s: s != ERROR, kind="stable")  # errors first
    write_atomically(csv_path, csv_text(problems.loc[:, list(PROBLEM_COLUMNS)]))
    write_atomically(page_path, validation_page(problems, title))
    return csv_path, page_path
