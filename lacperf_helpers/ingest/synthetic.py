"""Synthetic SSDA903 data: the sample extracts, the benchmarks' authorities, nothing about real children.

`synthetic_903` makes care histories for a number of children; `extract_at` cuts them as an extract taken
at a month end would show them; `write_903` writes the DfE's CSV layout (dd/mm/yyyy, SEX 1/2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.ingest.ssda903 import TABLES, Ssda903

RNE = np.array(["P", "P", "P", "L", "T", "B", "U"])
PLACES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "A3", "P1", "K2", "R1", "S1", "P2", "T0"])
LEGAL = np.array(["C1", "C2", "C2", "C2", "E1", "J1", "L1", "V2", "V2", "V3", "D1"])
ETHNIC = np.array(["WBRI", "WBRI", "WBRI", "WIRI", "MWBC", "AIND", "BAFR", "CHNE", "OOTH", "REFU", "NOBT"])
ENDINGS = np.array(["E11", "E12", "E13", "E4A", "E8", "E2", "E3"])


def synthetic_903(
    children: int, seed: int = 903, areas: tuple[str, ...] = ("North", "South", "East", "West")
) -> Ssda903:
    """`children` children, each with one to eight episodes between 2010 and 2020, and one in 20 UASC."""
    rng = np.random.default_rng(seed)
    ids = np.char.zfill(np.arange(1, children + 1).astype(str), 7)  # text, with leading zeros
    dob = pd.Timestamp("2002-01-01") + pd.to_timedelta(rng.integers(0, 365 * 17, children), unit="D")
    sex, ethnic = rng.choice(["M", "F"], children), rng.choice(ETHNIC, children)
    header = pd.DataFrame({"CHILD": ids, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": "", "MOTHER": "",
                           "MC_DOB": pd.NaT})  # fmt: skip
    counts = rng.integers(1, 9, children)
    owner = np.repeat(np.arange(children), counts)
    step = rng.integers(30, 400, counts.sum())
    first = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 365 * 9, children), unit="D")
    first = first.where(first >= dob, dob)  # nobody comes into care before they are born
    offset = pd.Series(step).groupby(owner).cumsum().to_numpy() - step
    episodes = pd.DataFrame({"CHILD": ids[owner], "DECOM": first.to_numpy()[owner] + pd.to_timedelta(offset, unit="D")})
    order = episodes.groupby("CHILD").cumcount().to_numpy()
    last = order == counts[owner] - 1
    episodes["RNE"] = np.where(order == 0, "S", rng.choice(RNE, len(episodes)))
    episodes["LS"] = rng.choice(LEGAL, len(episodes))
    episodes["CIN"] = "N1"
    episodes["PLACE"] = rng.choice(PLACES, len(episodes))
    episodes["PLACE_PROVIDER"] = "PR1"
    closed = episodes["DECOM"] + pd.to_timedelta(rng.integers(30, 900, len(episodes)), unit="D")
    still_open = last & (rng.random(len(episodes)) < 0.45)
    episodes["DEC"] = episodes.groupby("CHILD")["DECOM"].shift(-1).where(~last, closed.where(~still_open))
    episodes["REC"] = np.where(last, np.where(still_open, "", rng.choice(ENDINGS, len(episodes))), "X1")
    for column in ("REASON_PLACE_CHANGE", "URN"):
        episodes[column] = ""
    for column in ("HOME_POST", "PL_POST"):  # made-up postcodes, so tests can prove none reaches a page
        district, sector = rng.integers(1, 40, len(episodes)), rng.integers(1, 10, len(episodes))
        unit = rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), (len(episodes), 2))
        episodes[column] = [f"TN{d} {s}{u[0]}{u[1]}" for d, s, u in zip(district, sector, unit, strict=True)]
    uasc = header.loc[rng.random(children) < 0.05, ["CHILD", "SEX", "DOB"]]
    uasc = uasc.assign(DUC=uasc["DOB"] + pd.DateOffset(years=18))
    went = episodes.sample(frac=0.06, random_state=seed).loc[:, ["CHILD", "DECOM"]]
    missing = pd.DataFrame({"CHILD": went["CHILD"], "DOB": pd.NaT, "MISSING": rng.choice(["M", "A"], len(went)),
                            "MIS_START": went["DECOM"] + pd.Timedelta(days=20),
                            "MIS_END": went["DECOM"] + pd.Timedelta(days=22)})  # fmt: skip
    missing["DOB"] = missing["CHILD"].map(header.set_index("CHILD")["DOB"])
    child_area = pd.DataFrame({"CHILD": ids, "AREA": rng.choice(list(areas), children)})
    return Ssda903({"header": header, "episodes": episodes, "uasc": uasc, "missing": missing, "child_area": child_area})


def extract_at(data: Ssda903, at: pd.Timestamp) -> Ssda903:
    """The extract as taken at `at`: nothing that begins later, and episodes ending later still open."""
    episodes = data.table("episodes")
    episodes = episodes.loc[episodes["DECOM"] <= at].copy()
    ends_later = episodes["DEC"] > at
    episodes.loc[ends_later, "DEC"] = pd.NaT
    episodes.loc[ends_later, "REC"] = ""
    children = set(episodes["CHILD"])
    missing = data.table("missing")
    missing = missing.loc[(missing["MIS_START"] <= at) & missing["CHILD"].isin(children)].copy()
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
