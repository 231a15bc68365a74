"""Run the DfE's SSDA903 validation rules (csc-validator-be-903) over one extract folder; print JSON.

Runs in the validator's own environment (it pins pandas<2), never in lacperf's: it imports nothing of
lacperf's. Usage: dfe_903_runner.py FOLDER RULESET COLLECTION_YEAR. A rule set the validator does not have
(an older year) is replaced by the nearest year it has, and the JSON names the one used. Prints {"ruleset",
"tables", "skipped_files", "failures": [{"code", "message", "table", "file", "row", "fields"}],
"rules_failed_to_run"}; rows count as a spreadsheet does (the header is row 1). No child's ID leaves this script.
"""

import csv
import importlib
import json
import logging
import sys
from pathlib import Path

logging.disable(logging.CRITICAL)  # the validator logs every rule at INFO: only the JSON is wanted

from lac_validator.config import column_names  # noqa: E402
from lac_validator.lac_validator import LacValidator  # noqa: E402


def table_of(path: Path) -> str | None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), [])
    return next((name for name, columns in column_names.items() if set(columns) == set(header)), None)


def nearest_ruleset(wanted: str) -> str:
    import lac_validator.rules

    folder = Path(next(iter(lac_validator.rules.__path__)))  # a namespace package: no __file__
    have = sorted(p.name for p in folder.glob("lac20*_*") if p.is_dir())
    return wanted if wanted in have else min(have, key=lambda name: abs(int(name[3:7]) - int(wanted[3:7])))


def main(folder: Path, ruleset: str, collection_year: str) -> None:
    tables, skipped = {}, []
    for path in sorted(folder.glob("*.csv")):
        name = table_of(path)
        if name is None or name in tables:
            skipped.append(path.name)  # not a table of the return (lacperf's child_area.csv), or a second copy
        else:
            tables[name] = path
    files = [{"name": p.name, "description": "This year", "file_content": p.read_bytes()} for p in tables.values()]
    ruleset = nearest_ruleset(ruleset)
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    metadata = {"collectionYear": collection_year, "localAuthority": "E10000016"}
    validator = LacValidator(metadata=metadata, files=files, registry=registry)
    failures = []
    for table, frame in validator.ds_results.items():
        if table not in tables:
            continue
        for column in (c for c in frame.columns if str(c).startswith("ERR_")):
            code = column[4:]
            rule = registry[code]
            for row in frame.index[frame[column].fillna(False).astype(bool)]:
                failures.append({
                    "code": code, "message": rule.message, "table": table, "file": tables[table].name,
                    "row": int(row) + 2, "fields": [f for f in rule.affected_fields if f in frame.columns],
                })  # fmt: skip
    print(json.dumps({
        "ruleset": ruleset, "tables": {t: p.name for t, p in tables.items()}, "skipped_files": skipped,
        "failures": failures, "rules_failed_to_run": sorted(map(str, validator.fails)),
    }))  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
