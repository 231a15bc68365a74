"""Synthetic SSDA903 data: the sample extracts, the benchmarks' authorities, nothing about real children.

`synthetic_903` makes care histories for a number of children, built as the DfE's rules expect them: each
period of care begins with RNE S, its episodes follow one another without a gap (each ends X1 the day the
next begins), and it ends with a reason for ceasing (adopted, home, special guardianship, 18th birthday);
a child may come back into care later, starting a new period with RNE S. Legal status changes only where
RNE says so (L, B, U), placement only on a move (P, B, T, U), and placements suit the child's age.
`extract_at` cuts the histories as an extract taken at a month end would show them; `write_903` writes
the DfE's CSV layout (dd/mm/yyyy, SEX 1/2).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.ingest.ssda903 import TABLES, Ssda903

ETHNIC = np.array(["WBRI", "WBRI", "WBRI", "WBRI", "WBRI", "WOTH", "WIRI", "MWBC", "MWBA", "MOTH", "AIND", "APKN",
                   "BAFR", "BCRB", "CHNE", "OOTH", "REFU", "NOBT"])  # fmt: skip
UASC_ETHNIC = np.array(["BAFR", "AOTH", "OOTH", "BOTH", "AOTH"])
# Age on starting care (years), as the DfE's starts are spread: a quarter under 1, a third 10 to 15
START_AGES = (np.arange(18), np.array([22, 4, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 8, 0], dtype=float))
FOSTER = np.array(["U1", "U3", "U4", "U6", "U6", "U6", "U4", "U6"])
# How care ends, other than by adoption (a child placed for adoption is adopted, E11 or E12) or at 18
ENDINGS_YOUNG = (np.array(["E4A", "E41", "E45", "E47", "E13"]), [0.5, 0.08, 0.24, 0.1, 0.08])
ENDINGS_OLDER = (np.array(["E4A", "E4B", "E13", "E45", "E8", "E3", "E9"]), [0.45, 0.1, 0.15, 0.05, 0.15, 0.05, 0.05])
AT_18 = (np.array(["E8", "E17", "E5", "E6"]), [0.3, 0.3, 0.3, 0.1])
EPOCH = pd.Timestamp("1970-01-01")


def _placement(rng: np.random.Generator, age: float, uasc: bool) -> tuple[str, str]:
    """A placement (PLACE, PLACE_PROVIDER) of a kind a child of this age is placed in."""
    draw = rng.random()
    if uasc:
        place = "U6" if draw < 0.5 else ("P2" if age >= 16 and draw < 0.8 else "K2")
    elif age < 5:
        place = str(rng.choice(FOSTER)) if draw < 0.85 else ("P1" if draw < 0.95 else "R1")
    elif age < 12:
        place = str(rng.choice(FOSTER)) if draw < 0.8 else ("P1" if draw < 0.9 else ("K2" if draw < 0.97 else "S1"))
    elif age < 16:
        place = str(rng.choice(FOSTER)) if draw < 0.6 else ("K2" if draw < 0.85 else ("P1" if draw < 0.93 else "S1"))
    else:
        place = str(rng.choice(FOSTER)) if draw < 0.45 else ("K2" if draw < 0.65 else ("P2" if draw < 0.85 else "R1"))
    if place == "P1":
        return place, "PR0"
    if place.startswith("U"):  # the authority's own foster carers, or an independent fostering agency's
        return place, str(rng.choice(["PR1", "PR1", "PR1", "PR4", "PR4", "PR5"]))
    return place, str(rng.choice(["PR1", "PR4", "PR4", "PR5"]))


def _postcode(rng: np.random.Generator) -> str:
    """A made-up postcode (so tests can prove none reaches a page)."""
    unit = rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), 2)
    return f"TN{rng.integers(1, 40)} {rng.integers(1, 10)}{unit[0]}{unit[1]}"


def _period(
    rng: np.random.Generator, child: str, dob: int, eighteen: int, start: int, uasc: bool
) -> tuple[list[dict[str, object]], int]:
    """One period of care from `start`: its episodes, and the day it ends (its last episode's DEC). Days are
    counted from 1 January 1970 (whole numbers are quick to add up for a national-size authority)."""
    age = (start - dob) / 365.25
    adoption = not uasc and age < 4 and rng.random() < 0.45
    lengths = [rng.integers(10, 180), rng.integers(180, 730), rng.integers(730, 3650)]  # days: short, 1-2 years, long
    length = int(rng.choice(lengths, p=[0.3, 0.3, 0.4]))
    if adoption:
        length = int(rng.integers(420, 1100))
    end = start + length
    if end >= eighteen:
        end, reason = eighteen, str(rng.choice(AT_18[0], p=AT_18[1]))
    elif adoption:
        reason = str(rng.choice(["E11", "E12"], p=[0.8, 0.2]))
    else:
        endings = ENDINGS_YOUNG if age < 10 else ENDINGS_OLDER
        reason = str(rng.choice(endings[0], p=endings[1]))
    days = end - start
    # legal status: section 20, an interim care order (then a full one), police protection first, or remand
    first_ls = "V2" if uasc else str(rng.choice(["V2", "C1", "L1", "J1"], p=[0.45, 0.45, 0.07, 0.03]))
    legal: list[tuple[int, str]] = []
    if first_ls == "L1" and days > 3:
        legal.append((int(rng.integers(1, 4)), str(rng.choice(["V2", "C1"]))))
    if (first_ls == "C1" or (legal and legal[-1][1] == "C1")) and days > 200:
        legal.append((int(rng.integers(120, 200)), "C2"))
    if adoption and days > 400:
        legal.append((int(rng.integers(200, min(300, days - 150))), "E1"))  # the placement order
    # moves: most children's placements hold; one in six moves often; a new order sometimes brings a move
    rate = 2.5 if rng.random() < 0.16 else 0.12  # a year
    moves = sorted({int(d) for d in np.cumsum(rng.exponential(365 / rate, 12)) if 1 <= d < days}
                   | {d for d, _ in legal if rng.random() < 0.15})  # fmt: skip
    placed_for_adoption = int(days - rng.integers(90, 300)) if adoption and days > 400 else None
    if placed_for_adoption is not None:
        moves = [d for d in moves if d < placed_for_adoption - 30] + [placed_for_adoption]
    temporary = {d for d in moves if rng.random() < 0.04 and d + 20 < days and d != placed_for_adoption}
    changes = sorted(set(moves) | {d for d, _ in legal})
    episodes: list[dict[str, object]] = []
    ls = first_ls
    place, provider = _placement(rng, age, uasc)
    pl_post, home = _postcode(rng), _postcode(rng)
    urn = f"SC{rng.integers(100000, 999999)}" if place == "K2" else ""

    def add(day: int, rne: str, temporary_place: bool = False) -> None:
        episodes.append({"CHILD": child, "DECOM": start + day, "RNE": rne, "LS": ls,
                         "PLACE": "T0" if temporary_place else place, "PLACE_PROVIDER": provider,
                         "PL_POST": pl_post, "URN": "" if temporary_place else urn, "HOME_POST": home})  # fmt: skip

    add(0, "S")
    for day, following in zip(changes, [*changes[1:], days][: len(changes)], strict=True):
        new_ls = [status for when, status in legal if when == day]
        carer = day in moves
        if new_ls:
            ls = new_ls[0]
        if not carer:
            add(day, "L")
            continue
        same_carer = rng.random() < 0.1 and day != placed_for_adoption
        if day == placed_for_adoption:
            place, provider = str(rng.choice(["A4", "A6"])), "PR1"
            pl_post, urn = _postcode(rng), ""
        elif day in temporary and following - day > 4:  # days away (respite, hospital), then back to the same placement
            add(day, "P", temporary_place=True)
            add(day + int(rng.integers(1, min(15, following - day))), "P")
            continue
        elif not same_carer:
            place, provider = _placement(rng, age + day / 365.25, uasc)
            pl_post = _postcode(rng)
            urn = f"SC{rng.integers(100000, 999999)}" if place == "K2" else ""
        else:
            pl_post = _postcode(rng)  # the same carers, who have moved house
        add(day, ("B" if new_ls else "P") if not same_carer else ("U" if new_ls else "T"))
    for this, after in zip(episodes, [*episodes[1:], None], strict=True):
        this["DEC"] = after["DECOM"] if after else end
        this["REC"] = "X1" if after else reason
    return episodes, end


def synthetic_903(
    children: int, seed: int = 903, areas: tuple[str, ...] = ("North", "South", "East", "West"),
    area_weights: Sequence[float] | None = None,
) -> Ssda903:  # fmt: skip
    """`children` children who came into care between 2008 and 2019, one in 20 unaccompanied asylum
    seekers (UASC); one in seven comes back into care after going home. Each child lives in one of `areas`
    (weighted by `area_weights`, equally if not given)."""
    rng = np.random.default_rng(seed)
    ids = np.char.zfill(np.arange(1, children + 1).astype(str), 7)  # text, with leading zeros
    first = (pd.Timestamp("2008-01-01") - EPOCH).days + rng.integers(0, 365 * 12, children)
    uasc = rng.random(children) < 0.05
    age = np.where(uasc, rng.integers(14, 17, children),
                   rng.choice(START_AGES[0], children, p=START_AGES[1] / START_AGES[1].sum()))  # fmt: skip
    born = first - (age * 365.25).astype(int) - rng.integers(0, 365, children)
    dob = EPOCH + pd.to_timedelta(born, unit="D")
    eighteen = (dob + pd.DateOffset(years=18) - EPOCH).days.to_numpy()
    sex = np.where(uasc, np.where(rng.random(children) < 0.9, "M", "F"), rng.choice(["M", "F"], children))
    ethnic = np.where(uasc, rng.choice(UASC_ETHNIC, children), rng.choice(ETHNIC, children))
    header = pd.DataFrame({"CHILD": ids, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": "", "MOTHER": "",
                           "MC_DOB": pd.NaT})  # fmt: skip
    rows: list[dict[str, object]] = []
    for i, child in enumerate(ids):
        start = int(first[i])
        for _ in range(3):
            period, end = _period(rng, str(child), int(born[i]), int(eighteen[i]), start, bool(uasc[i]))
            rows += period
            comes_back = period[-1]["REC"] in {"E4A", "E4B", "E13", "E8"} and rng.random() < 0.15
            start = end + int(rng.integers(60, 900))
            if not comes_back or start >= eighteen[i] - 30:
                break
    episodes = pd.DataFrame(rows)
    for column in ("DECOM", "DEC"):
        episodes[column] = EPOCH + pd.to_timedelta(episodes[column].to_numpy(), unit="D")
    need = pd.Series(np.where(uasc, "N8", rng.choice(["N1", "N1", "N1", "N4", "N5", "N2", "N3", "N6"], children)),
                     index=ids)  # each child's category of need  # fmt: skip
    episodes["CIN"] = episodes["CHILD"].map(need)
    episodes["REASON_PLACE_CHANGE"] = ""
    episodes = episodes.loc[:, list(TABLES["episodes"])]
    uasc_table = header.loc[uasc, ["CHILD", "SEX", "DOB"]]
    uasc_table = uasc_table.assign(DUC=uasc_table["DOB"] + pd.DateOffset(years=18))
    missing = _missing(rng, episodes, header)
    weights = None if area_weights is None else np.asarray(area_weights, dtype=float) / sum(area_weights)
    child_area = pd.DataFrame({"CHILD": ids, "AREA": rng.choice(list(areas), children, p=weights)})
    return Ssda903({"header": header, "episodes": episodes, "uasc": uasc_table, "missing": missing,
                    "child_area": child_area})  # fmt: skip


def _missing(rng: np.random.Generator, episodes: pd.DataFrame, header: pd.DataFrame) -> pd.DataFrame:
    """Missing (M) and absent (A) episodes of children in care aged 11 or over: a few go often, most never."""
    dob = episodes["CHILD"].map(header.set_index("CHILD")["DOB"])
    start = episodes["DECOM"].where(episodes["DECOM"] >= dob + pd.DateOffset(years=11), dob + pd.DateOffset(years=11))
    days = (episodes["DEC"] - start).dt.days.clip(lower=0).to_numpy()
    runner = episodes["CHILD"].map(pd.Series(rng.random(len(header)) < 0.35, index=header["CHILD"])).to_numpy()
    expected = days / 30.4 * np.where(runner, 0.9, 0.01)
    times = rng.poisson(expected)
    owner = np.repeat(np.arange(len(episodes)), times)
    offset = (rng.random(len(owner)) * days[owner]).astype(int)
    went = start.to_numpy()[owner] + pd.to_timedelta(offset, unit="D")
    missing = pd.DataFrame({"CHILD": episodes["CHILD"].to_numpy()[owner], "DOB": dob.to_numpy()[owner],
                            "MISSING": rng.choice(["M", "M", "A"], len(owner)), "MIS_START": went,
                            "MIS_END": went + pd.to_timedelta(rng.integers(0, 4, len(owner)), unit="D")})  # fmt: skip
    return missing.drop_duplicates(["CHILD", "MIS_START"]).reset_index(drop=True)


def extract_at(data: Ssda903, at: pd.Timestamp, since: pd.Timestamp | None = None) -> Ssda903:
    """The extract as taken at `at`: nothing that begins later, and episodes ending later still open. With
    `since`: only the children looked after at some time from `since` to `at`, each with their whole history
    (a council's extract of its recent children)."""
    episodes = data.table("episodes")
    episodes = episodes.loc[episodes["DECOM"] <= at].copy()
    ends_later = episodes["DEC"] > at
    episodes.loc[ends_later, "DEC"] = pd.NaT
    episodes.loc[ends_later, "REC"] = ""
    if since is not None:
        recent = set(episodes.loc[episodes["DEC"].isna() | (episodes["DEC"] >= since), "CHILD"])
        episodes = episodes.loc[episodes["CHILD"].isin(recent)]
    children = set(episodes["CHILD"])
    missing = data.table("missing")
    missing = missing.loc[(missing["MIS_START"] <= at) & missing["CHILD"].isin(children)]
    if since is not None:  # the extract's missing episodes: those of the same months
        missing = missing.loc[missing["MIS_START"] >= since]
    missing = missing.copy()
    missing.loc[missing["MIS_END"] > at, "MIS_END"] = pd.NaT
    tables = {
        "header": data.table("header").loc[lambda f: f["CHILD"].isin(children)],
        "episodes": episodes,
        "uasc": data.table("uasc").loc[lambda f: f["CHILD"].isin(children)],
        "missing": missing,
        "child_area": data.table("child_area").loc[lambda f: f["CHILD"].isin(children)],
    }
    return Ssda903(tables)


def write_903(data: Ssda903, folder: Path) -> None:
    """Each table as a CSV in the DfE's layout: dd/mm/yyyy dates, SEX 1/2, CHILD as text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in data.tables.items():
        out = frame.loc[:, list(TABLES[name])].copy()
        for column in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[column]):
                out[column] = out[column].dt.strftime("%d/%m/%Y").fillna("")
        if "SEX" in out.columns:
            out["SEX"] = out["SEX"].map({"M": "1", "F": "2"}).fillna("9")
        out.sort_values(list(out.columns[:2])).to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
