"""The monthly KPI return: `<returns>/<YYYY-MM>/kpi_return.csv`, one row per month x area x KPI.

Percent KPIs give numerator and denominator (decimals allowed: full-time equivalents); number and days
KPIs give value. Every problem is named by file, row and column; nothing is dropped silently.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.vocabulary import ALL, COHORTS
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.layout import SSDA903_FOLDER, available_months, return_path
from lacperf_helpers.ingest.validation import (
    ERROR,
    combine,
    number_checks,
    parse_numbers,
    problems_at,
    raise_on_errors,
    read_csv_text,
    rule,
    schema_problems,
    text_column,
)

if TYPE_CHECKING:
    import pandera.pandas as pa

RETURN_COLUMNS = ("month", "area", "kpi_id", "numerator", "denominator", "value")
# Optional: the cohort a row's figures are of. Blank or absent: all children; else `excluding UASC` or another
# cohort of the cohorts file that is published exactly (its only condition UASC: see `Cohort.exact`).
COHORT_COLUMN = "cohort"
FIGURE_COLUMNS = ("numerator", "denominator", "value")
# Characters nobody sees on a screen: controls (Unicode Cc), format characters (Cf: zero-width spaces and
# joiners, the word joiner, soft hyphen, a byte-order mark, direction marks), and the line and paragraph separators.
# (tests/test_returns.py checks this against Python's own Unicode tables)
INVISIBLE = (
    r"[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    r"\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# A percent given in the value column must agree with numerator/denominator to display precision.
PERCENT_TOLERANCE = 0.05


def require_month(returns_dir: str | Path, month: str) -> None:
    """A month without a return or an extract is named, with where each was looked for."""
    if month not in available_months(returns_dir):
        path = return_path(returns_dir, month)
        raise InputError(
            path, f"no return for {month}: expected {path} or an SSDA903 folder {path.parent / SSDA903_FOLDER}"
        )


def read_return(
    path: Path, month: str, catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> pd.DataFrame:
    """Read and check one month's return; ValidationError (every problem, the first named) if it has errors.
    `cohorts`: the cohorts its `cohort` column may name (default parameters/cohorts.yaml)."""
    return read_returns([(path, month)], catalogue, cohorts)[0]


def read_returns(
    returns: Sequence[tuple[Path, str]], catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> list[pd.DataFrame]:
    """`read_return` of each (path, month), in order, the returns checked together (`check_returns`): the first
    with an error raises."""
    frames = []
    for (path, _), checked in zip(returns, check_returns(returns, catalogue, cohorts), strict=True):
        if isinstance(checked, InputError):
            raise checked
        raise_on_errors(checked[1])
        frames.append(_tidy(checked[0], path))
    return frames


def check_return(
    path: Path, month: str, catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The return as text, and every problem in it as rows (file, row, column, value, rule, severity, code).

    Checked once while the file and the definitions are unchanged (a page checks every month before it
    reads them); callers must not change the frames.
    """
    checked = check_returns([(path, month)], catalogue, cohorts)[0]
    if isinstance(checked, InputError):
        raise checked
    return checked


def check_returns(
    returns: Sequence[tuple[Path, str]], catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> list[tuple[pd.DataFrame, pd.DataFrame] | InputError]:
    """`check_return` of each (path, month), in order; an InputError in place of a file that cannot be read as a
    table. The returns not checked before are checked together, in one pass of the schema over all their rows (a
    history's months are each one file: one pass): a pass costs some 25 milliseconds however few its rows, and a
    two-year history is 24 returns."""
    named = return_cohorts(cohorts if cohorts is not None else load_cohorts())
    catalogued = catalogue.model_dump_json()
    keys = []
    for path, month in returns:
        stat = path.stat() if path.is_file() else None
        size, modified = (stat.st_size, stat.st_mtime_ns) if stat else (-1, -1)
        keys.append((str(path), size, modified, month, catalogued, named))
    new = {key: (path, month) for key, (path, month) in zip(keys, returns, strict=True) if key not in _CHECKED}
    if len(_CHECKED) + len(new) > 256:
        _CHECKED.clear()
        new = dict(zip(keys, returns, strict=True))
    found: dict[_Key, tuple[pd.DataFrame, pd.DataFrame] | InputError] = {}
    for one_pass in _passes(new):
        found.update(zip(one_pass, _check_together(list(one_pass.values()), catalogue, named), strict=True))
    # a file that cannot be read is read again when asked for: it may be mended without changing (a limit raised)
    _CHECKED.update((key, checked) for key, checked in found.items() if not isinstance(checked, InputError))
    return [found[key] if key in found else _CHECKED[key] for key in keys]


_Key = tuple[str, int, int, str, str, tuple[str, ...]]  # the file, its size and time, its month, the definitions
_CHECKED: dict[_Key, tuple[pd.DataFrame, pd.DataFrame]] = {}


def return_cohorts(cohorts: CohortCatalogue) -> tuple[str, ...]:
    """The cohorts a return's row may be of: all, excluding UASC, and every cohort of the cohorts file published
    exactly (the others overlap every way: only `lacperf measures`' internal edition shows them)."""
    return tuple(dict.fromkeys([*COHORTS, *cohorts.exact_only().names]))


def _passes(returns: dict[_Key, tuple[Path, str]]) -> list[dict[_Key, tuple[Path, str]]]:
    """The returns in passes that each hold a file once and a month once, so that a pass's problems are told apart by
    file and its rows keyed by month (a caller may give one file for two months, or two files for one month)."""
    passes: list[dict[_Key, tuple[Path, str]]] = []
    for key, (path, month) in returns.items():
        for one_pass in passes:
            if all(str(p) != str(path) and m != month for p, m in one_pass.values()):
                one_pass[key] = (path, month)
                break
        else:
            passes.append({key: (path, month)})
    return passes


def _check_together(
    returns: list[tuple[Path, str]], catalogue: KpiCatalogue, cohorts: tuple[str, ...]
) -> list[tuple[pd.DataFrame, pd.DataFrame] | InputError]:
    """Each return's columns as text and its problems: every return's rows in one frame, each row checked against
    its own file's month and keyed by it (a row of another month is not a second row of that month's return)."""
    read = [_read(path) for path, _ in returns]
    ready = [
        (r, path, month) for r, (path, month) in zip(read, returns, strict=True) if isinstance(r, _Read) and r.whole
    ]
    if ready:
        together = pd.concat([r.raw for r, _, _ in ready], ignore_index=True)
        if COHORT_COLUMN in together:  # a return without the column is all children's, as a blank cohort is
            together[COHORT_COLUMN] = together[COHORT_COLUMN].fillna("")
        sizes = [len(r.raw) for r, _, _ in ready]
        origin = pd.DataFrame({
            "file": np.repeat([str(path) for _, path, _ in ready], sizes),
            "row": np.concatenate([r.raw.index.to_numpy(dtype=np.int64) for r, _, _ in ready]),
        })  # fmt: skip
        months = pd.Series(np.repeat([month for _, _, month in ready], sizes), index=together.index)
        found = schema_problems(return_schema(months, catalogue, cohorts), together, "", wide_columns=WIDE_RULES,
                                origin=origin)  # fmt: skip
        by_file = dict(tuple(found.groupby("file", sort=False)))
        for r, path, _ in ready:
            r.problems = combine([r.problems, by_file.get(str(path), found.iloc[0:0])])
    return [r if isinstance(r, InputError) else (r.raw, r.problems) for r in read]


@dataclass
class _Read:
    """A return's columns as text and its problems so far; `whole`: every column there, its rows to be checked."""

    raw: pd.DataFrame
    problems: pd.DataFrame
    whole: bool


def _read(path: Path) -> _Read | InputError:
    try:
        raw, found = read_csv_text(path)
        missing = [c for c in RETURN_COLUMNS if c not in raw.columns]
        if missing:
            return _Read(raw, combine([found, problems_at(path, [1] * len(missing), "", missing, rules.REQUIRED_COLUMN,
                                                          ERROR)]), whole=False)  # fmt: skip
        raw = raw.loc[:, [*RETURN_COLUMNS, COHORT_COLUMN]] if COHORT_COLUMN in raw else raw.loc[:, list(RETURN_COLUMNS)]
        if raw.empty:
            raise InputError(path, "the file has a header but no rows of figures")
    except InputError as error:  # not a table at all: raised when the file is asked for
        return error
    return _Read(raw, found, whole=True)


WIDE_RULES = {  # checks over whole rows, and the column each is reported at
    rules.DENOMINATOR_WITH_NUMERATOR: "denominator",
    rules.NUMERATOR_WITH_DENOMINATOR: "numerator",
    rules.NOT_VALUE_ONLY: "numerator",
    rules.NOT_OVER_ZERO: "numerator",
    rules.AT_MOST_DENOMINATOR: "numerator",
    rules.VALUE_AGREES.of(tolerance=PERCENT_TOLERANCE): "value",
    rules.ONE_ROW_PER_KPI: "kpi_id",
    rules.WITHIN_ALL_CHILDREN: "numerator",
}


def return_schema(
    month: str | pd.Series, catalogue: KpiCatalogue, cohorts: tuple[str, ...] = COHORTS
) -> pa.DataFrameSchema:
    """What a month's return must be: declared once, checked lazily so every problem is listed. `month`: the
    return's, or for rows gathered from several returns, each row's own return's (indexed as the rows are)."""
    months = month if isinstance(month, pd.Series) else None
    percent_ids = [k.id for k in catalogue.kpis if k.unit == "percent"]

    parsed: list[tuple[weakref.ref[pd.DataFrame], tuple[pd.Series, pd.Series, pd.Series, pd.Series]]] = []

    def figures(f: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
        """Percent KPI or not, numerator, denominator, value: parsed once for the checks of one frame (known
        by a weak reference: the schema outlives it in pandera's registry, and must not keep it alive)."""
        if not parsed or parsed[0][0]() is not f:
            numbers = [parse_numbers(f[c]) for c in FIGURE_COLUMNS]
            parsed[:] = [(weakref.ref(f), (f["kpi_id"].isin(percent_ids), numbers[0], numbers[1], numbers[2]))]
        return parsed[0][1]

    def together(given: str, needed: str) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda f: ~(f["kpi_id"].isin(percent_ids) & (f[given] != "") & (f[needed] == ""))

    def not_value_only(f: pd.DataFrame) -> pd.Series:
        given = (f["value"] != "") & (f["numerator"] == "") & (f["denominator"] == "")
        return ~(f["kpi_id"].isin(percent_ids) & given)

    def not_over_zero(f: pd.DataFrame) -> pd.Series:
        percent, num, den, _ = figures(f)
        return ~(percent & (den == 0) & (num > 0))

    def at_most_denominator(f: pd.DataFrame) -> pd.Series:
        percent, num, den, _ = figures(f)
        return ~(percent & (den > 0) & (num > den))

    def value_agrees(f: pd.DataFrame) -> pd.Series:
        percent, num, den, value = figures(f)
        computed = 100 * num / den.where(den > 0)
        return ~(percent & value.notna() & computed.notna() & ((value - computed).abs() > PERCENT_TOLERANCE))

    def cohort_of(f: pd.DataFrame) -> pd.Series:
        return f[COHORT_COLUMN].replace("", ALL) if COHORT_COLUMN in f else pd.Series(ALL, index=f.index)

    def one_row_per_key(f: pd.DataFrame) -> pd.Series:
        keyed = f.assign(_cohort=cohort_of(f), _return=month)
        return ~keyed.duplicated(["_return", "month", "area", "kpi_id", "_cohort"], keep="first")

    def within_all_children(f: pd.DataFrame) -> pd.Series:
        percent, num, den, _ = figures(f)
        every = cohort_of(f) == ALL
        key = [f["month"], f["area"], f["kpi_id"]] if months is None else [months, f["month"], f["area"], f["kpi_id"]]
        over = pd.Series(False, index=f.index)
        for count in (num, den):  # all children's count beside each row of a cohort of the same KPI and area
            whole = count.where(every).groupby(key).transform("max")
            over |= ~every & (count > whole)
        return ~(percent & over)

    def month_is(expected: str) -> Callable[[pd.Series], pd.Series]:
        return lambda s: s == expected if months is None else (months != expected) | (s == expected)

    its_months = [str(month)] if months is None else [str(m) for m in dict.fromkeys(months)]
    row_checks = [together("numerator", "denominator"), together("denominator", "numerator"), not_value_only,
                  not_over_zero, at_most_denominator, value_agrees, one_row_per_key,
                  within_all_children]  # fmt: skip
    import pandera.pandas as pa  # a file's checks import pandera; a page's kernel checks none

    return pa.DataFrameSchema(
        {
            "month": text_column(*(rule(month_is(m), rules.RETURN_MONTH.of(month=m)) for m in its_months)),
            "area": text_column(
                rule(lambda s: s != "", rules.AREA_GIVEN),
                # a zero-width space or a control character would make 'Kent' and 'Kent\u200b' two areas
                rule(lambda s: ~s.str.contains(INVISIBLE, regex=True), rules.VISIBLE_AREA),
            ),
            "kpi_id": text_column(
                rule(lambda s: s.isin(catalogue.ids), rules.RETURN_KPI_KNOWN),
            ),
            **{column: text_column(*number_checks(column)) for column in FIGURE_COLUMNS},
            COHORT_COLUMN: text_column(
                rule(
                    lambda s: (s == "") | s.isin(cohorts),
                    rules.RETURN_COHORT.of(cohorts=", ".join(cohorts)),
                ),
                required=False,
            ),
        },
        checks=[rule(check, name) for check, name in zip(row_checks, WIDE_RULES, strict=True)],
    )


def _tidy(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    tidy = raw.loc[:, ["month", "area", "kpi_id"]].copy()
    for column in FIGURE_COLUMNS:
        tidy[column] = parse_numbers(raw[column])
    tidy[COHORT_COLUMN] = raw[COHORT_COLUMN].replace("", ALL) if COHORT_COLUMN in raw else ALL
    tidy["source_file"] = str(path)
    tidy["source_row"] = raw.index.to_numpy(dtype=np.int64)
    return tidy.reset_index(drop=True)


def empty_return() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in ("month", "area", "kpi_id")})
    for column in FIGURE_COLUMNS:
        frame[column] = pd.Series(dtype="float64")
    frame[COHORT_COLUMN] = pd.Series(dtype="str")
    frame["source_file"] = pd.Series(dtype="str")
    frame["source_row"] = pd.Series(dtype="int64")
    return frame


# Two figures agree as a sum to within this: counts are whole, and full-time equivalents are given to 1 dp.
SUM_TOLERANCE = 0.5


def return_authority(path: Path) -> str:
    """`authority_of` the return at `path`, read as it stands (its areas and counts, whatever its KPIs' ids)."""
    raw, _ = read_csv_text(path)
    missing = [c for c in ("area", "kpi_id", *FIGURE_COLUMNS) if c not in raw.columns]
    if missing:
        raise InputError(path, f"no column {', '.join(missing)}: the authority cannot be taken from it", row=1)
    frame = raw.loc[:, ["area", "kpi_id"]].assign(
        **{column: parse_numbers(raw[column]) for column in FIGURE_COLUMNS},
        cohort=raw[COHORT_COLUMN].replace("", ALL) if COHORT_COLUMN in raw else ALL,
    )
    return authority_of(frame.drop_duplicates(["area", "kpi_id", "cohort"]), path)


def authority_of(month_return: pd.DataFrame, path: Path) -> str:
    """The area of a month's return (`read_return`'s frame) that is the authority as a whole: its only area, or
    else the one area whose numerators and denominators are the sum of every other area's, on each KPI they
    all give. A return where no area, or more than one, is that sum is refused: the authority must be named."""
    rows = month_return
    if "cohort" in rows:
        rows = rows.loc[rows["cohort"] == ALL]
    areas = list(dict.fromkeys(rows["area"]))
    if len(areas) == 1:
        return str(areas[0])
    tables = [
        pd.DataFrame(rows.pivot(index="kpi_id", columns="area", values=column)).reindex(columns=areas)
        for column in ("numerator", "denominator")
    ]
    found = []
    for area in areas:
        others = [a for a in areas if a != area]
        compared, agrees = 0, True
        for table in tables:
            given = table.loc[table.notna().all(axis="columns")]  # the KPIs every area gives this count for
            compared += len(given)
            agrees = agrees and bool(((given[area] - given[others].sum(axis="columns")).abs() <= SUM_TOLERANCE).all())
        if compared and agrees:
            found.append(area)
    if len(found) == 1:
        return str(found[0])
    which = "no area's figures are" if not found else f"{' and '.join(map(repr, found))} are each"
    raise InputError(
        path,
        f"cannot tell which area is the authority as a whole: {which} the sum of the others'; name it as "
        f"'authority:' in a settings file (--settings). Areas: {', '.join(sorted(areas))}",
        column="area",
    )
