"""The building blocks of the SSDA903 measures: episodes (short breaks left out), periods of care, who is
looked after or an unaccompanied asylum seeker on a day, and a memo that works each out once per extract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from lacperf_helpers.ingest.ssda903 import Ssda903

SHORT_BREAKS = {"V3", "V4"}


def memo(data: Ssda903, key: object, work_out: Callable[[], Any]) -> Any:
    """What `work_out` gives for this extract, worked out once (every measure of every month shares it)."""
    if key not in data.memo:
        data.memo[key] = work_out()
    return data.memo[key]


def episodes(data: Ssda903) -> pd.DataFrame:
    """Episodes, short-break series left out."""
    table = data.table("episodes")
    return memo(data, "episodes", lambda: table.loc[~table["LS"].isin(SHORT_BREAKS)])


def header(data: Ssda903) -> pd.DataFrame:
    """One header row per CHILD, indexed by CHILD."""
    return memo(data, "header", lambda: data.table("header").drop_duplicates("CHILD").set_index("CHILD"))


def open_at(frame: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Episodes open at `at`: begun on or before it, not ended by it (ending on `at` is not open)."""
    return (frame["DECOM"] <= at) & (frame["DEC"].isna() | (frame["DEC"] > at))


def year_before(at: pd.Timestamp) -> pd.Timestamp:
    """The first day of the 12 months to `at`: the day after `at`'s date a year earlier."""
    return at - pd.DateOffset(years=1) + pd.Timedelta(days=1)


def month_start(at: pd.Timestamp) -> pd.Timestamp:
    return at.replace(day=1)


def child_names(data: Ssda903) -> pd.Index:
    """Every child of the extract (any table), sorted: a child's code is its position here, so that what is known
    of children can be kept in arrays indexed by code, and a month's look-ups are array look-ups."""

    def work_out() -> pd.Index:
        columns = [t["CHILD"] for t in data.tables.values() if "CHILD" in t]
        every = pd.concat(columns, ignore_index=True) if columns else pd.Series([], dtype="str")
        return pd.Index(every.unique()).sort_values()

    return memo(data, "child names", work_out)


def child_codes(data: Ssda903, children: object) -> np.ndarray:
    """Each of `children`'s code (position in `child_names`; -1 for a child not in the extract). Children already
    coded 0 to n - 1 (as measure_tables codes them) are their own codes: no look-up."""
    values = np.asarray(children)
    if values.dtype.kind in "iu" and memo(data, "children are codes", lambda: _codes_already(child_names(data))):
        return values.astype("int64")
    return child_names(data).get_indexer(pd.Index(values))


def _codes_already(names: pd.Index) -> bool:
    return names.dtype.kind in "iu" and (len(names) == 0 or (names[0] == 0 and names[-1] == len(names) - 1))


def episode_arrays(data: Ssda903, ordered: bool = False) -> dict[str, np.ndarray]:
    """`episodes` (or, `ordered`, `care_periods`) as arrays: child (its code), DECOM, DEC; ordered, also
    period_start. Built once per extract: a month's tests are then on arrays, not on columns of a frame."""

    def work_out() -> dict[str, np.ndarray]:
        eps = care_periods(data) if ordered else episodes(data)
        out = {"child": child_codes(data, eps["CHILD"])}
        for column in ("DECOM", "DEC", "period_start") if ordered else ("DECOM", "DEC"):
            out[column] = eps[column].to_numpy()
        return out

    return memo(data, ("episode arrays", ordered), work_out)


def day(at: pd.Timestamp) -> np.datetime64:
    """`at` as numpy compares it with a column of dates (NaT compares False, as pandas has it)."""
    return pd.Timestamp(at).to_datetime64()


def looked_after_codes(data: Ssda903, at: pd.Timestamp) -> np.ndarray:
    """The codes (`child_names`) of the children looked after at `at`, in the order of their episodes."""

    def work_out() -> np.ndarray:
        eps, on = episode_arrays(data), day(at)
        return pd.unique(eps["child"][(eps["DECOM"] <= on) & ~(eps["DEC"] <= on)])  # DEC NaT: still open

    return memo(data, ("looked after", at), work_out)


def looked_after_at(data: Ssda903, at: pd.Timestamp) -> pd.Index:
    return child_names(data).take(looked_after_codes(data, at)).rename("CHILD")


def care_periods(data: Ssda903) -> pd.DataFrame:
    """Each episode (short breaks left out) with the start of the period of care it belongs to, by CHILD and DECOM.

    A period runs through contiguous episodes: a new one begins at a child's first episode on record, after an
    episode that ended care (REC other than X1), or after a gap. A period whose first episode on record is not
    RNE S began no later than that episode: `start_known` says whether the start itself is on record.
    """

    def work_out() -> pd.DataFrame:
        eps = episodes(data).sort_values(["CHILD", "DECOM"]).reset_index(drop=True)
        same_child = eps["CHILD"].eq(eps["CHILD"].shift())
        previous_end, previous_reason = eps["DEC"].shift(), eps["REC"].shift()
        continues = same_child & (previous_reason == "X1") & ~(previous_end < eps["DECOM"])
        period = (~continues).cumsum()
        first = eps.groupby(period)["DECOM"].transform("first")
        known = eps.groupby(period)["RNE"].transform("first") == "S"
        return eps.assign(period_start=first, start_known=known)

    return memo(data, "care periods", work_out)


def uasc_at(data: Ssda903, at: pd.Timestamp) -> pd.Index:
    """Children who are unaccompanied asylum seekers at `at`: in the UASC table with DUC blank or later,
    or flagged in the header's UASC column where the extract has one."""
    uasc = data.table("uasc")
    children = set(uasc.loc[uasc["DUC"].isna() | (uasc["DUC"] > at), "CHILD"])
    flagged = data.table("header")
    if "UASC" in flagged.columns:
        children |= set(flagged.loc[flagged["UASC"].astype("str").isin(["1", "Y", "YES"]), "CHILD"])
    return pd.Index(sorted(children), name="CHILD")
