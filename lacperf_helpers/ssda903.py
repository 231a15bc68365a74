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

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lacperf_helpers.errors import InputError

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
SEX_CODES = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U", "9": "U"}


@dataclass(frozen=True)
class Ssda903:
    """The tables of one extract, one row per key, with what loading them found along the way."""

    tables: dict[str, pd.DataFrame]
    warnings: tuple[str, ...] = ()
    open_in_earlier_year_only: int = 0  # open episodes no later year's file confirms
    ignored_files: tuple[str, ...] = field(default=())

    def table(self, name: str) -> pd.DataFrame:
        """A table, or an empty one with its columns when the extract has none."""
        if name in self.tables:
            return self.tables[name]
        return _typed(pd.DataFrame({c: pd.Series(dtype="str") for c in TABLES[name]}), Path(name))


def identify(columns: list[str]) -> str | None:
    """The table a file holds, from its header: every column the table needs must be there."""
    present = {c.strip().upper() for c in columns}
    matches = [name for name, needed in TABLES.items() if set(needed) <= present]
    return max(matches, key=lambda name: len(TABLES[name])) if matches else None


def read_903_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.strip():
        raise InputError(path, "the file is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # spreadsheet rows: the header is row 1
    return frame.loc[(frame != "").any(axis=1)]


def _typed(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Dates to dates (an impossible or non-dd/mm/yyyy date is named), SEX to M/F/U, CHILD kept as text."""
    out = frame.copy()
    for column in DATE_COLUMNS & set(out.columns):
        text = out[column].astype("str").where(out[column].notna(), "")
        parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        bad = (text != "") & parsed.isna()
        if bad.any():
            row = int(out.index[bad.to_numpy()][0])
            raise InputError(path, f"{text[row]!r} is not a date in the form dd/mm/yyyy", row=row, column=column)
        out[column] = parsed
    if "SEX" in out.columns:
        sex = out["SEX"].astype("str").str.upper().map(SEX_CODES)
        bad = out["SEX"].notna() & (out["SEX"] != "") & sex.isna()
        if bad.any():
            row = int(out.index[bad.to_numpy()][0])
            raise InputError(path, f"SEX {out.at[row, 'SEX']!r} is not 1/2 or M/F/U", row=row, column="SEX")
        out["SEX"] = sex.fillna("U")
    return out


def _newest_date(frame: pd.DataFrame) -> pd.Timestamp:
    dates = [frame[c].max() for c in DATE_COLUMNS & set(frame.columns) if frame[c].notna().any()]
    return max(dates) if dates else pd.Timestamp.min


def load_903(folder: str | Path) -> Ssda903:
    """Every SSDA903 table in `folder`, identified by columns and stitched across collection years."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no SSDA903 folder here")
    found: dict[str, list[tuple[pd.Timestamp, str, pd.DataFrame]]] = {}
    ignored = []
    for path in sorted(folder.glob("*.csv")):
        raw = read_903_csv(path)
        name = identify(list(raw.columns))
        if name is None:
            ignored.append(path.name)
            continue
        typed = _typed(
            raw.loc[:, list(TABLES[name]) + [c for c in raw.columns if c == "UASC" and name == "header"]], path
        )
        found.setdefault(name, []).append((_newest_date(typed), path.name, typed))
    tables, warnings, open_only_earlier = {}, [], 0
    for name, files in found.items():
        files.sort(key=lambda item: (item[0], item[1]))  # oldest collection year first
        stacked = pd.concat([frame.assign(_file=order) for order, (_, _, frame) in enumerate(files)], ignore_index=True)
        key = list(KEYS[name])
        latest = stacked.drop_duplicates(key, keep="last")
        if name == "episodes" and len(files) > 1:
            newest = len(files) - 1
            open_only_earlier = int(((latest["_file"] < newest) & latest["DEC"].isna()).sum())
            if open_only_earlier:
                warnings.append(
                    f"{open_only_earlier} open episode(s) appear only in an earlier year's episodes file "
                    "and are kept as that file has them"
                )
        duplicates = len(stacked) - len(latest)
        if duplicates and len(files) == 1:
            warnings.append(
                f"{files[0][1]}: {duplicates} row(s) repeat a {' x '.join(key)} already listed; the last is kept"
            )
        tables[name] = latest.drop(columns="_file").reset_index(drop=True)
    if ignored:
        warnings.append(f"not SSDA903 tables lacperf uses, so not read: {', '.join(ignored)}")
    return Ssda903(tables, tuple(warnings), open_only_earlier, tuple(ignored))
