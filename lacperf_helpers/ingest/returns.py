"""The monthly KPI return: `<returns>/<YYYY-MM>/kpi_return.csv`, one row per month x area x KPI.

Percent KPIs give numerator and denominator (decimals allowed: full-time equivalents); number and days
KPIs give value. Every problem is named by file, row and column; nothing is dropped silently.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
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
    raw, problems = check_return(path, month, catalogue, cohorts)
    raise_on_errors(problems)
    return _tidy(raw, path)


def check_return(
    path: Path, month: str, catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The return as text, and every problem in it as rows (file, row, column, value, rule, severity, code).

    Checked once while the file and the definitions are unchanged (a page checks every month before it
    reads them); callers must not change the frames.
    """
    stat = path.stat() if path.is_file() else None
    size, modified = (stat.st_size, stat.st_mtime_ns) if stat else (-1, -1)
    named = return_cohorts(cohorts if cohorts is not None else load_cohorts())
    key = (str(path), size, modified, month, catalogue.model_dump_json(), named)
    if key not in _CHECKED:
        if len(_CHECKED) > 256:
            _CHECKED.clear()
        _CHECKED[key] = _check_return(path, month, catalogue, named)
    return _CHECKED[key]


_CHECKED: dict[tuple[str, int, int, str, str, tuple[str, ...]], tuple[pd.DataFrame, pd.DataFrame]] = {}


def return_cohorts(cohorts: CohortCatalogue) -> tuple[str, ...]:
    """The cohorts a return's row may be of: all, excluding UASC, and every cohort of the cohorts file published
    exactly (the others overlap every way: only `lacperf measures`' internal edition shows them)."""
    return tuple(dict.fromkeys([*COHORTS, *cohorts.exact_only().names]))


def _check_return(
    path: Path, month: str, catalogue: KpiCatalogue, cohorts: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw, found = read_csv_text(path)
    missing = [c for c in RETURN_COLUMNS if c not in raw.columns]
    if missing:
        return raw, combine([found, problems_at(path, [1] * len(missing), "", missing, rules.REQUIRED_COLUMN, ERROR)])
    raw = raw.loc[:, [*RETURN_COLUMNS, COHORT_COLUMN]] if COHORT_COLUMN in raw else raw.loc[:, list(RETURN_COLUMNS)]
    if raw.empty:
        raise InputError(path, "the file has a header but no rows of figures")
    schema = return_schema(month, catalogue, cohorts)
    return raw, combine([found, schema_problems(schema, raw, path, wide_columns=WIDE_RULES)])


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


def return_schema(month: str, catalogue: KpiCatalogue, cohorts: tuple[str, ...] = COHORTS) -> pa.DataFrameSchema:
    """What a month's return must be: declared once, checked lazily so every problem is listed."""
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
        return ~f.assign(_cohort=cohort_of(f)).duplicated(["month", "area", "kpi_id", "_cohort"], keep="first")

    def within_all_children(f: pd.DataFrame) -> pd.Series:
        percent, num, den, _ = figures(f)
        every = cohort_of(f) == ALL
        key = [f["month"], f["area"], f["kpi_id"]]
        over = pd.Series(False, index=f.index)
        for count in (num, den):  # all children's count beside each row of a cohort of the same KPI and area
            whole = count.where(every).groupby(key).transform("max")
            over |= ~every & (count > whole)
        return ~(percent & over)

    row_checks = [together("numerator", "denominator"), together("denominator", "numerator"), not_value_only,
                  not_over_zero, at_most_denominator, value_agrees, one_row_per_key,
                  within_all_children]  # fmt: skip
    import pandera.pandas as pa  # a file's checks import pandera; a page's kernel checks none

    return pa.DataFrameSchema(
        {
            "month": text_column(rule(lambda s: s == month, rules.RETURN_MONTH.of(month=month))),
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
