"""How long an Annex A takes: read (CSV, and the workbook), then every Annex A measure by cohort, breakdown and
area, for a List 8 and a List 9 of made-up children. Prints the figures; times nothing in the tests.

    .venv/bin/python benchmarks/annex_a.py --children 2000
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lacperf_helpers.ingest import annex_a_codes as codes
from lacperf_helpers.ingest.annex_a import read_annex_a
from lacperf_helpers.measures.annex_a import MEASURES, annex_a_measure_table

MONTH, D = "2019-09", date(2019, 9, 30)


def _day(rng: np.random.Generator, first: date, days: int) -> str:
    return (first + timedelta(days=int(rng.integers(0, days)))).strftime("%d/%m/%Y")


def list_8(n: int, rng: np.random.Generator) -> list[list[str]]:
    """Made-up children in care, the values written as systems write them (full codes, some bare)."""
    pick = lambda options: options[int(rng.integers(0, len(options)))]  # noqa: E731
    rows = []
    for i in range(n):
        row = dict.fromkeys((c.name for c in codes.COLUMNS[codes.LIST_8]), "")
        row.update(
            {
                codes.CHILD_ID: f"{i:07d}",
                codes.GENDER: pick(["a) Male", "b) Female", "M", "F"]),
                codes.ETHNICITY: pick([c.full for c in codes.ETHNICITIES]),
                codes.DATE_OF_BIRTH: _day(rng, date(2002, 1, 1), 6000),
                codes.UASC: pick(["a) Yes", "b) No", "b) No", "N"]),
                codes.DISABILITY: pick(["a) Yes", "b) No"]),
                codes.STARTED_LOOKED_AFTER: _day(rng, date(2012, 1, 1), 2800),
                codes.CATEGORY_OF_NEED: "N1 - Abuse or neglect",
                codes.SUBSEQUENT_PERIOD: "b) No",
                codes.LEGAL_STATUS: pick(["C2: FCO", "V2: Single period under S20", "E1"]),
                codes.LATEST_REVIEW: _day(rng, date(2019, 1, 1), 270),
                codes.LAST_SOCIAL_WORK_VISIT: _day(rng, date(2019, 6, 1), 120),
                codes.LAST_HEALTH_ASSESSMENT: _day(rng, date(2018, 6, 1), 480),
                codes.LAST_DENTAL_CHECK: _day(rng, date(2018, 6, 1), 480),
                codes.PLACEMENTS_12_MONTHS: str(int(rng.integers(1, 5))),
                codes.PLACEMENT_START: _day(rng, date(2016, 1, 1), 1300),
                codes.PLACEMENT_TYPE: pick([c.full for c in codes.PLACEMENT_TYPES]),
                codes.PLACEMENT_PROVIDER: pick([c.full for c in codes.PROVIDERS]),
                codes.PLACEMENT_LOCATION: pick(["a) In", "b) Out"]),
                codes.MISSING_12_MONTHS: str(int(rng.integers(0, 3))),
                codes.ABSENT_12_MONTHS: "0",
                codes.RETURN_INTERVIEW_OFFERED: pick(["a) Yes", "b) No", ""]),
                codes.RETURN_INTERVIEW_ACCEPTED: pick(["a) Yes", "b) No", ""]),
                codes.ALLOCATED_TEAM: pick(["CIC North", "CIC South"]),
                codes.ALLOCATED_WORKER: pick(["A Worker", "", "B Worker"]),
            }
        )
        rows.append(list(row.values()))
    return [[c.name for c in codes.COLUMNS[codes.LIST_8]], *rows]


def write(folder: Path, rows: list[list[str]], workbook: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if not workbook:
        with (folder / "list_8.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        return
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("List 8")
    for row in rows:
        sheet.append(row)
    book.save(folder / "Annex_A.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=2000)
    options = parser.parse_args()
    rows = list_8(options.children, np.random.default_rng(1))
    with tempfile.TemporaryDirectory(prefix="lacperf-annex-a-") as tmp:
        for kind, workbook in (("CSV", False), ("workbook", True)):
            folder = Path(tmp) / kind / "annex_a"
            write(folder, rows, workbook)
            start = time.perf_counter()
            annex = read_annex_a(folder, month_end=D)
            read = time.perf_counter() - start
            start = time.perf_counter()
            table = annex_a_measure_table(annex, MONTH, "Authority")
            measured = time.perf_counter() - start
            print(f"{kind:>8} {options.children:>7} children: read in {read:6.2f} s; {len(MEASURES)} measures x "
                  f"cohorts x breakdowns x areas ({len(table)} rows) in {measured:6.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
