"""Who each child is, at the month end or on the day of an event: age and age band, sex, ethnicity group,
legal status and placement type, area, and whether the child is an unaccompanied asylum seeker."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lacperf_helpers.config.vocabulary import (
    AGE_BAND_STARTS,
    AGE_BANDS,
    ETHNIC_GROUPS,
    OTHER_PLACEMENT,
    PLACEMENT_TYPE_OF,
)
from lacperf_helpers.ingest.ssda903 import Ssda903
from lacperf_helpers.measures.episodes import child_codes, child_names, episodes, header, memo, uasc_at


def completed_years(dob: pd.Series, when: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years from `dob` to `when` (a child whose birthday is that day has just turned); NaN unknown."""
    if isinstance(when, pd.Timestamp):
        year, month_day = when.year, when.month * 100 + when.day
    else:
        year, month_day = when.dt.year.to_numpy(), (when.dt.month * 100 + when.dt.day).to_numpy()
    born_year, birthday = dob.dt.year.to_numpy(dtype="float64"), (dob.dt.month * 100 + dob.dt.day).to_numpy()
    before_birthday = birthday > month_day  # an unknown birthday compares False: its year is NaN anyway
    return pd.Series(year - born_year - before_birthday, index=dob.index, dtype="float64")


def age_at(data: Ssda903, at: pd.Timestamp) -> pd.Series:
    """Completed years at `at`, by CHILD."""
    dob = header(data)["DOB"]
    if dob.empty:
        return pd.Series(dtype="float64", index=dob.index)
    return memo(data, ("age", at), lambda: completed_years(dob, at))  # several measures ask, each month


BAND_STARTS = np.array(list(AGE_BAND_STARTS.values())[1:])  # where each band after the first begins, in years


def age_band(age: pd.Series) -> pd.Series:
    """Each age's band of AGE_BANDS ('unknown' without an age)."""
    labels = np.array([*AGE_BANDS, "unknown"], dtype=object)
    years = age.to_numpy(dtype="float64")
    band = np.where(np.isnan(years), len(AGE_BANDS), np.searchsorted(BAND_STARTS, years, side="right"))
    return pd.Series(labels[band], index=age.index)


def ethnicity_group(ethnic: pd.Series) -> pd.Series:
    """The first letter of ETHNIC names the group; REFU (refused) and NOBT (not obtained) stand as they are."""
    code = ethnic.astype("str").str.upper()
    grouped = code.str[0].map(ETHNIC_GROUPS)
    return grouped.mask(code.isin(["REFU", "NOBT"]), code).fillna("unknown")


def placement_type(place: pd.Series) -> pd.Series:
    """Each PLACE code's placement type, by code (config/vocabulary.py); a code not in the DfE's list 'Other'."""
    code = place.astype("str").str.upper()
    typed = code.map(PLACEMENT_TYPE_OF).fillna(OTHER_PLACEMENT)
    return typed.where(place.notna() & (code != "") & (code != "NAN"), "unknown")


def who_each_child_is(data: Ssda903) -> pd.DataFrame:
    """Per CHILD, what does not change from month to month: sex, ethnicity group and area."""

    def work_out() -> pd.DataFrame:
        by_child = header(data)
        children = by_child.index.union(pd.Index(episodes(data)["CHILD"].unique()))
        children = children.union(pd.Index(data.table("oc3")["CHILD"]))
        fixed = pd.DataFrame(index=pd.Index(children, name="CHILD"))
        fixed["sex"] = by_child["SEX"].reindex(children).fillna("unknown").astype("str").to_numpy(dtype=object)
        fixed["ethnicity"] = ethnicity_group(by_child["ETHNIC"].reindex(children)).to_numpy(dtype=object)
        areas = data.table("child_area").drop_duplicates("CHILD").set_index("CHILD")["AREA"]
        fixed["area"] = areas.reindex(children).to_numpy(dtype=object)
        # categories: each month looks these up for every child; codes are taken, text is not copied
        return fixed.astype({"sex": "category", "ethnicity": "category", "area": "category"})

    return memo(data, "who each child is", work_out)


def _episodes_in_order(data: Ssda903) -> pd.DataFrame:
    """Care episodes by CHILD and DECOM, each with its legal status and placement type."""

    def work_out() -> pd.DataFrame:
        eps = episodes(data).sort_values(["CHILD", "DECOM"])
        return pd.DataFrame({
            "CHILD": eps["CHILD"].to_numpy(dtype=object),
            "DECOM": eps["DECOM"].to_numpy(),
            "legal_status": pd.Categorical(eps["LS"].fillna("unknown").to_numpy(dtype=object)),
            "placement_type": pd.Categorical(_placement_types(eps["PLACE"])),
        })  # fmt: skip

    return memo(data, "episodes in order", work_out)


def _placement_types(place: pd.Series) -> np.ndarray:
    """`placement_type` of each PLACE, worked out once per code (a few dozen codes, 283,000 episodes)."""
    codes, values = pd.factorize(place)
    typed = placement_type(pd.Series(values, dtype=place.dtype)).to_numpy(dtype=object)
    return np.append(typed, "unknown")[codes]  # -1, no PLACE: 'unknown', as placement_type has it


def child_attributes(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    """Per CHILD at `at`: age and age band, sex, ethnicity group, legal status and placement type (of the
    episode open at `at`, else the latest begun by then), area, and whether the child is UASC."""
    attributes = who_each_child_is(data).copy()
    children = attributes.index
    attributes["age"] = age_at(data, at).reindex(children).to_numpy(dtype="float64")
    attributes["age_band"] = age_band(attributes["age"]).to_numpy(dtype=object)
    latest = _latest_episodes(data, pd.Series(children), pd.Series(at, index=range(len(children))))
    for column in ("legal_status", "placement_type"):
        attributes[column] = np.asarray(latest[column])
    attributes["uasc"] = children.isin(uasc_at(data, at))
    return attributes


def attributes_when(data: Ssda903, children: pd.Series, when: pd.Series) -> pd.DataFrame:
    """`child_attributes` of each child as they stood on its own day (a start, an end of care, a missing
    episode), one row per row of `children`, in its order: the legal status and placement of the child's
    latest episode begun by that day."""
    probe = pd.Series(children.to_numpy(dtype=object))
    latest = _latest_episodes(data, probe, pd.Series(pd.to_datetime(when).to_numpy()))
    out = who_each_child_is(data).reindex(probe).reset_index(drop=True)
    dob = header(data)["DOB"].reindex(probe).reset_index(drop=True)
    out["age"] = completed_years(dob, pd.Series(pd.to_datetime(when).to_numpy())).to_numpy(dtype="float64")
    out["age_band"] = age_band(out["age"]).to_numpy(dtype=object)
    for column in ("legal_status", "placement_type"):
        out[column] = np.asarray(latest[column])
    out["uasc"] = _uasc_when(data, probe, pd.Series(pd.to_datetime(when).to_numpy()))
    return out.set_axis(children.index)


AGE_BAND_LABELS = pd.Index([*AGE_BANDS, "unknown"])


def attributes_coded(data: Ssda903, children: np.ndarray, when: np.ndarray) -> pd.DataFrame:
    """`attributes_when`, each of its text columns a categorical (the same categories however many rows): what
    the adding up counts by, 100,000 children x 60 months, with no text made or factorised. `children`: CHILD
    values; `when`: each row's day (datetime64). A child in several rows on the first row's day (in
    measure_tables, the month end: a row per measure the child is in) is looked up once."""
    codes = child_codes(data, children)
    common = when == (when[0] if len(when) else np.datetime64("NaT"))
    if not common.any() or codes.min(initial=0) < 0:
        return _attributes_by_code(data, codes, when)
    seen = np.zeros(len(child_names(data)), dtype=bool)
    seen[codes[common]] = True
    once = np.flatnonzero(seen)  # each child of the common day, once
    position = np.zeros(len(seen), dtype="int64")
    position[once] = np.arange(len(once))
    others = np.flatnonzero(~common)
    probe = np.concatenate([once, codes[others]])
    found = _attributes_by_code(data, probe, np.concatenate([np.full(len(once), when[0]), when[others]]))
    rows = np.empty(len(codes), dtype="int64")
    rows[common], rows[others] = position[codes[common]], len(once) + np.arange(len(others))
    return found.take(rows).reset_index(drop=True)


def _attributes_by_code(data: Ssda903, at: np.ndarray, when: np.ndarray) -> pd.DataFrame:
    """`attributes_coded` of each row's child, by code (`child_codes`)."""
    known = _known_by_code(data)
    out = pd.DataFrame({c: known[c].take(at, allow_fill=True) for c in ("sex", "ethnicity", "area")})
    born_year, birthday = known["born_year"], known["birthday"]
    days = pd.DatetimeIndex(when)
    missing = at < 0
    years = np.where(missing, np.nan, born_year[at])
    after_birthday = np.where(missing, 0, birthday[at]) > (days.month * 100 + days.day).to_numpy()
    out["age"] = days.year.to_numpy() - years - after_birthday
    band = np.where(np.isnan(out["age"]), len(AGE_BANDS), np.searchsorted(BAND_STARTS, out["age"], side="right"))
    out["age_band"] = pd.Categorical.from_codes(band, AGE_BAND_LABELS)
    latest = _latest_episodes(data, None, pd.Series(when), at)
    for column in ("legal_status", "placement_type"):
        out[column] = latest[column]
    until, flagged = known["uasc_until"], known["uasc_flagged"]
    out["uasc"] = ~missing & ((np.where(missing, np.datetime64("NaT"), until[at]) > when) | flagged[at])
    return out


def age_by_code(data: Ssda903, at: pd.Timestamp) -> np.ndarray:
    """`age_at`, by child code (`child_names`): NaN where the child has no header row or no date of birth."""
    known = _known_by_code(data)
    return np.asarray(at.year - known["born_year"] - (known["birthday"] > at.month * 100 + at.day), dtype="float64")


def _known_by_code(data: Ssda903) -> dict[str, Any]:
    """What `attributes_coded` looks up, by child code (`child_names`): sex, ethnicity group and area
    (categoricals, NaN where the child is not in `who_each_child_is`), year and month x 100 + day of birth,
    the last day the child is an unaccompanied asylum seeker (as `_uasc_when` reads it) and the header's flag."""

    def work_out() -> dict[str, Any]:
        names = child_names(data)
        fixed = who_each_child_is(data).reindex(names)
        dob = header(data)["DOB"].reindex(names)
        uasc = data.table("uasc")
        until = uasc["DUC"].fillna(pd.Timestamp.max).groupby(uasc["CHILD"]).max().reindex(names)
        flagged = data.table("header")
        flags = np.zeros(len(names), dtype=bool)
        if "UASC" in flagged.columns:
            yes = flagged.loc[flagged["UASC"].astype("str").isin(["1", "Y", "YES"]), "CHILD"]
            flags = names.isin(set(yes))
        return {
            **{c: fixed[c].array for c in ("sex", "ethnicity", "area")},
            "born_year": dob.dt.year.to_numpy(dtype="float64"),
            "birthday": (dob.dt.month * 100 + dob.dt.day).fillna(0).to_numpy(dtype="int64"),
            "uasc_until": pd.to_datetime(until).to_numpy(),
            "uasc_flagged": np.asarray(flags, dtype=bool),
        }

    return memo(data, "known by code", work_out)


def _latest_episodes(
    data: Ssda903, children: pd.Series | None, when: pd.Series, codes: np.ndarray | None = None
) -> dict[str, pd.Categorical]:
    """Per row, the legal status and placement type of the child's latest episode begun by `when` (else
    'unknown'); `codes`: the children's codes (`child_codes`), where the caller has them."""
    eps, keys = _episodes_keyed(data)
    codes = child_codes(data, children) if codes is None else codes  # one or the other is given
    at = np.searchsorted(keys, codes * DAY_SPAN + _days(when), side="right") - 1
    found = (codes >= 0) & (at >= 0) & (keys[np.maximum(at, 0)] // DAY_SPAN == codes)
    out = {}
    for column in ("legal_status", "placement_type"):  # by the categories' codes: per month, text was slow
        values = eps[column].cat
        categories = list(values.categories)
        unknown = categories.index("unknown") if "unknown" in categories else len(categories)
        codes = values.codes.to_numpy()[np.maximum(at, 0)].astype("int64")
        codes[~found | (codes < 0)] = unknown
        labels = categories if unknown < len(categories) else [*categories, "unknown"]
        out[column] = pd.Categorical.from_codes(codes, pd.Index(labels))
    return out


DAY_SPAN = 1 << 20  # more days than any date's (1970 +- 1,400 years): child code x span + day sorts by both


def _days(dates: pd.Series) -> np.ndarray:
    """Days since 1970, shifted to be positive (a DECOM before 1970 is a date of birth's era, still kept)."""
    return np.asarray(dates.to_numpy(dtype="datetime64[D]").astype("int64") + DAY_SPAN // 2, dtype="int64")


def _episodes_keyed(data: Ssda903) -> tuple[pd.DataFrame, np.ndarray]:
    """Episodes in order of child and start, each keyed child code (`child_codes`) x DAY_SPAN + start day: the
    latest episode begun by a day is one binary search (not a join by text per month)."""

    def work_out() -> tuple[pd.DataFrame, np.ndarray]:
        eps = _episodes_in_order(data)
        keys = child_codes(data, eps["CHILD"]) * DAY_SPAN + _days(eps["DECOM"])
        order = np.argsort(keys, kind="stable")
        return eps.iloc[order].reset_index(drop=True), keys[order]

    return memo(data, "episodes keyed", work_out)


def _uasc_when(data: Ssda903, children: pd.Series, when: pd.Series) -> np.ndarray:
    """Per row, whether the child was an unaccompanied asylum seeker on that day (as `uasc_at` reads it)."""
    uasc = data.table("uasc")
    until = uasc["DUC"].fillna(pd.Timestamp.max).groupby(uasc["CHILD"]).max()
    ceased = until.reindex(children).to_numpy()
    out = ~pd.isna(ceased) & (pd.to_datetime(ceased) > when.to_numpy())
    flagged = data.table("header")
    if "UASC" in flagged.columns:
        out |= children.isin(set(flagged.loc[flagged["UASC"].astype("str").isin(["1", "Y", "YES"]), "CHILD"]))
    return np.asarray(out, dtype=bool)
