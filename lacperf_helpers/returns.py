"""The monthly KPI return: `<returns>/<YYYY-MM>/kpi_return.csv`, one row per month x area x KPI.

Percent KPIs give numerator and denominator (decimals allowed: full-time equivalents); number and days
KPIs give value. Every problem is named by file, row and column; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.definitions import KpiCatalogue
from lacperf_helpers.errors import InputError
from lacperf_helpers.measures import measure_table
from lacperf_helpers.periods import is_month
from lacperf_helpers.ssda903 import load_903

RETURN_FILE = "kpi_return.csv"
RETURN_COLUMNS = ("month", "area", "kpi_id", "numerator", "denominator", "value")
FIGURE_COLUMNS = ("numerator", "denominator", "value")
# A percent given in the value column must agree with numerator/denominator to display precision.
PERCENT_TOLERANCE = 0.05

_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$")


SSDA903_FOLDER = "903"
SLICE = ("cohort", "breakdown", "group")  # headline figures: cohort all, breakdown total, group all


def return_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / RETURN_FILE


def ssda903_path(returns_dir: str | Path, month: str) -> Path:
    return Path(returns_dir) / month / SSDA903_FOLDER


def month_files(returns_dir: str | Path, month: str) -> list[Path]:
    """The files a month's figures come from: its return and its SSDA903 extract."""
    files = [return_path(returns_dir, month), *sorted(ssda903_path(returns_dir, month).glob("*.csv"))]
    return [f for f in files if f.is_file()]


def available_months(returns_dir: str | Path) -> list[str]:
    """Months with a return file or an SSDA903 extract, oldest first."""
    root = Path(returns_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if is_month(p.name) and ((p / RETURN_FILE).is_file() or (p / SSDA903_FOLDER).is_dir())
    )


def load_returns(
    returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, authority: str | None = None
) -> pd.DataFrame:
    """The checked figures of these months: from each month's return, and each SSDA903 KPI's measure
    from its extract. A month with neither has no rows (its figures are 'No data')."""
    frames = [
        read_return(return_path(returns_dir, month), month, catalogue)
        for month in months
        if return_path(returns_dir, month).is_file()
    ]
    figures = pd.concat(frames, ignore_index=True) if frames else _empty_return()
    for column, headline in zip(SLICE, ("all", "total", "all"), strict=True):
        figures[column] = headline
    from_903 = ssda903_figures(returns_dir, months, catalogue, authority or "Authority")
    return pd.concat([figures, from_903], ignore_index=True) if len(from_903) else figures


def ssda903_figures(
    returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, authority: str
) -> pd.DataFrame:
    """Figures of the KPIs with source ssda903, by cohort, breakdown and area, for months with an extract."""
    kpis = [kpi for kpi in catalogue.kpis if kpi.source == "ssda903"]
    frames = []
    for month in months if kpis else []:
        folder = ssda903_path(returns_dir, month)
        if not folder.is_dir():
            continue
        table = measure_table(load_903(folder), month, authority, sorted({str(k.measure) for k in kpis}))
        for kpi in kpis:
            rows = table.loc[table["measure"] == kpi.measure]
            if kpi.cohort is not None:
                rows = rows.loc[rows["cohort"] == kpi.cohort]
            frames.append(rows.drop(columns="measure").assign(kpi_id=kpi.id, source_file=str(folder), source_row=0))
    if not frames:
        return pd.DataFrame(columns=[*_empty_return().columns, *SLICE])
    return pd.concat(frames, ignore_index=True)


def load_returns_to(
    returns_dir: str | Path, month: str, catalogue: KpiCatalogue, authority: str | None = None
) -> pd.DataFrame:
    """Every month's figures up to and including `month`, which must have a return or an extract."""
    if month not in available_months(returns_dir):
        path = return_path(returns_dir, month)
        raise InputError(
            path, f"no return for {month}: expected {path} or an SSDA903 folder {path.parent / SSDA903_FOLDER}"
        )
    return load_returns(returns_dir, [m for m in available_months(returns_dir) if m <= month], catalogue, authority)


def read_return(path: Path, month: str, catalogue: KpiCatalogue) -> pd.DataFrame:
    """Read and check one month's return; raise InputError at the first problem, counting the rest."""
    raw = _read_csv_text(path)
    problems = _check(raw, month, catalogue)
    if problems:
        row, column, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s) in this file)" if len(problems) > 1 else ""
        raise InputError(path, message + more, row=row, column=column)
    return _tidy(raw, path)


def _read_csv_text(path: Path) -> pd.DataFrame:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" as cp1252
    if not text.strip():
        raise InputError(path, "the file is empty: expected a header row " + ",".join(RETURN_COLUMNS))
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in RETURN_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)}; the header must include {','.join(RETURN_COLUMNS)}",
            row=1,
            column=missing[0],
        )
    stripped: pd.DataFrame = raw.loc[:, list(RETURN_COLUMNS)].apply(lambda col: col.str.strip())
    raw = stripped
    raw.index = pd.RangeIndex(2, len(raw) + 2)  # spreadsheet rows: the header is row 1
    # Excel leaves empty rows at the end of a sheet saved as CSV: they carry no figure, so they go.
    raw = raw.loc[(raw != "").any(axis=1)]
    if raw.empty:
        raise InputError(path, "the file has a header but no rows of figures")
    return raw


def _check(raw: pd.DataFrame, month: str, catalogue: KpiCatalogue) -> list[tuple[int, str, str]]:
    problems: list[tuple[int, str, str]] = []

    def flag(mask: pd.Series, column: str, message: str | pd.Series) -> None:
        for row in raw.index[mask.to_numpy()]:
            text = message if isinstance(message, str) else str(message.loc[row])
            problems.append((int(row), column, text))

    flag(raw["month"] != month, "month", "month " + raw["month"].map(repr) + f" in the folder for {month}")
    flag(raw["area"] == "", "area", "area is blank")
    known = raw["kpi_id"].isin(catalogue.ids)
    flag(~known, "kpi_id", "unknown KPI " + raw["kpi_id"].map(repr) + " (not in the KPI definitions)")
    from_903 = raw["kpi_id"].isin([k.id for k in catalogue.kpis if k.source == "ssda903"])
    flag(
        from_903, "kpi_id", "KPI " + raw["kpi_id"].map(repr) + " is computed from SSDA903 data, not given in the return"
    )

    figures = {}
    for column in FIGURE_COLUMNS:
        parsed = _parse_numbers(raw[column])
        not_number = (raw[column] != "") & parsed.isna()
        flag(not_number, column, "not a number: " + raw[column].map(repr))
        flag(parsed < 0, column, f"{column} is negative")
        figures[column] = parsed
    num, den, value = figures["numerator"], figures["denominator"], figures["value"]

    units = raw["kpi_id"].map({k.id: k.unit for k in catalogue.kpis})
    percent = units == "percent"
    no_numerator, no_denominator = raw["numerator"] == "", raw["denominator"] == ""
    flag(percent & ~no_numerator & no_denominator, "denominator", "numerator given without a denominator")
    flag(percent & no_numerator & ~no_denominator, "numerator", "denominator given without a numerator")
    flag(
        percent & (den == 0) & (num > 0),
        "numerator",
        "numerator " + raw["numerator"] + " over a denominator of 0",
    )
    flag(
        percent & (den > 0) & (num > den),
        "numerator",
        "numerator " + raw["numerator"] + " is above the denominator " + raw["denominator"],
    )
    computed = 100 * num / den.where(den > 0)
    disagrees = percent & value.notna() & computed.notna() & ((value - computed).abs() > PERCENT_TOLERANCE)
    flag(
        disagrees,
        "value",
        "value " + raw["value"] + " does not match numerator/denominator = " + computed.round(1).astype(str),
    )
    flag(
        percent & value.notna() & no_numerator & no_denominator,
        "numerator",
        "a percent KPI needs numerator and denominator, not only a value",
    )

    key = ["month", "area", "kpi_id"]
    duplicated = raw.duplicated(key, keep="first")
    first_row = raw.reset_index().groupby(key)["index"].transform("min").set_axis(raw.index)
    flag(
        duplicated,
        "kpi_id",
        "the same month, area and KPI appear again (first on row " + first_row.astype(str) + ")",
    )
    return sorted(problems, key=lambda problem: problem[0])  # by row; checks in order within a row


def _parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers as text -> float; thousands separators ('1,234') accepted; anything else -> NaN."""
    cleaned = text.where(~text.str.match(_THOUSANDS), text.str.replace(",", "", regex=False))
    is_number = cleaned.str.match(_NUMBER)
    return pd.to_numeric(cleaned.where(is_number), errors="coerce").astype("float64")


def _tidy(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    tidy = raw.loc[:, ["month", "area", "kpi_id"]].copy()
    for column in FIGURE_COLUMNS:
        tidy[column] = _parse_numbers(raw[column])
    tidy["source_file"] = str(path)
    tidy["source_row"] = raw.index.to_numpy(dtype=np.int64)
    return tidy.reset_index(drop=True)


def _empty_return() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in ("month", "area", "kpi_id")})
    for column in FIGURE_COLUMNS:
        frame[column] = pd.Series(dtype="float64")
    frame["source_file"] = pd.Series(dtype="str")
    frame["source_row"] = pd.Series(dtype="int64")
    return frame
