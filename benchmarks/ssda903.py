"""Benchmark: every SSDA903 measure x cohort x breakdown for 60 month ends.

    .venv/bin/python benchmarks/ssda903.py [--children 2000] [--national 100000]

Builds a synthetic authority (2,000 children looked after, 10 years of episodes) and, unless
--national 0, a national-size one (100,000), then times `measure_table` for 60 month ends on one core.
Targets: the authority in under 2 s, the national size in under 60 s. Prints peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from lacperf_helpers.measures import measure_table
from lacperf_helpers.periods import shift_month
from lacperf_helpers.ssda903 import Ssda903

RNE = np.array(["P", "P", "P", "L", "T", "B", "U"])
PLACES = np.array(["U1", "U2", "U3", "U4", "U5", "U6", "A3", "P1", "K2", "R1", "S1", "P2", "T0"])
LEGAL = np.array(["C1", "C2", "E1", "J1", "L1", "V2", "V3", "D1"])
ETHNIC = np.array(["WBRI", "WIRI", "MWBC", "AIND", "BAFR", "CHNE", "OOTH", "REFU", "NOBT"])
REASONS = np.array(["E11", "E12", "E13", "E4A", "E8", "E2", "E3"])


def synthetic(children: int, seed: int = 903) -> Ssda903:
    """`children` children, each with one to eight episodes between 2010 and 2020."""
    rng = np.random.default_rng(seed)
    ids = np.char.zfill(np.arange(children).astype(str), 7)
    dob = pd.Timestamp("2002-01-01") + pd.to_timedelta(rng.integers(0, 365 * 17, children), unit="D")
    sex, ethnic = rng.choice(["M", "F"], children), rng.choice(ETHNIC, children)
    header = pd.DataFrame(
        {"CHILD": ids, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": "", "MOTHER": "", "MC_DOB": pd.NaT}
    )
    counts = rng.integers(1, 9, children)
    child = np.repeat(ids, counts)
    step = rng.integers(30, 400, counts.sum())
    first = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 365 * 8, children), unit="D")
    starts = np.repeat(first.to_numpy(), counts) + pd.to_timedelta(
        pd.Series(step).groupby(np.repeat(np.arange(children), counts)).cumsum().to_numpy() - step, unit="D"
    )
    episodes = pd.DataFrame({"CHILD": child, "DECOM": starts})
    order = episodes.groupby("CHILD").cumcount()
    episodes["RNE"] = np.where(order == 0, "S", rng.choice(RNE, len(episodes)))
    episodes["LS"] = rng.choice(LEGAL, len(episodes))
    episodes["PLACE"] = rng.choice(PLACES, len(episodes))
    last = order == episodes.groupby("CHILD")["DECOM"].transform("size") - 1
    ends = episodes.groupby("CHILD")["DECOM"].shift(-1)
    closed_at = episodes["DECOM"] + pd.to_timedelta(rng.integers(30, 900, len(episodes)), unit="D")
    still_open = last & (rng.random(len(episodes)) < 0.4)
    episodes["DEC"] = ends.where(~last, closed_at.where(~still_open))
    episodes["REC"] = np.where(last & ~still_open, rng.choice(REASONS, len(episodes)), np.where(last, "", "X1"))
    for column in ("CIN", "PLACE_PROVIDER", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"):
        episodes[column] = ""
    uasc_children = rng.choice(ids, children // 20, replace=False)
    uasc = header.loc[header["CHILD"].isin(uasc_children), ["CHILD", "SEX", "DOB"]].assign(
        DUC=lambda f: f["DOB"] + pd.DateOffset(years=18)
    )
    missing = episodes.sample(frac=0.05, random_state=1).loc[:, ["CHILD", "DECOM"]]
    missing = missing.assign(DOB=pd.NaT, MISSING="M", MIS_START=missing["DECOM"] + pd.Timedelta(days=10),
                             MIS_END=missing["DECOM"] + pd.Timedelta(days=11)).drop(columns="DECOM")  # fmt: skip
    areas = pd.DataFrame({"CHILD": ids, "AREA": rng.choice(["North", "South", "East", "West"], children)})
    return Ssda903({"header": header, "episodes": episodes, "uasc": uasc, "missing": missing, "child_area": areas})


def time_months(data: Ssda903, months: int) -> float:
    started = time.perf_counter()
    for i in range(months):
        measure_table(data, shift_month("2019-12", -i), "Authority")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--national", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args()
    for label, size, target in (("authority", args.children, 2.0), ("national", args.national, 60.0)):
        if size <= 0:
            continue
        data = synthetic(size)
        seconds = time_months(data, args.months)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = "met" if seconds < target else "missed"
        print(f"{label:10} {size:>7} children, {len(data.tables['episodes']):>7} episodes: {args.months} month ends "
              f"in {seconds:6.1f} s (target {target:.0f} s: {verdict}), peak {peak:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
