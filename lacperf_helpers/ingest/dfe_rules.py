"""The DfE's own SSDA903 validation rules, as every authority runs them before it sends its return.

The rules are maintained as `csc-validator-be-903` (one rule set per collection year). It pins pandas<2 and
Python 3.11, so it cannot share lacperf's environment: it runs in one of its own, made by uv on first use
from `dfe-903-requirements.txt` (exact versions and hashes; the one time it needs PyPI) in the user's cache
folder, and is called as a subprocess (`dfe_903_runner.py`, which imports nothing of lacperf's). Each
failure becomes a problem row like lacperf's own (file, row, column, rule, severity, and the DfE's own
code), a warning: the DfE's rules judge the return, lacperf states what they found. No value, and so no
child's ID, is carried.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import platformdirs
from filelock import FileLock

from lacperf_helpers.config import paths
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import financial_year
from lacperf_helpers.ingest.rules import DFE_RULES_READ_FILE
from lacperf_helpers.ingest.validation import PROBLEM_COLUMNS, WARNING, combine

log = logging.getLogger("lacperf.dfe_rules")
HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "dfe-903-requirements.txt"
RUNNER = HERE / "dfe_903_runner.py"
PYTHON = "3.11"  # the newest the validator supports
ENVIRONMENT_ENV = "LACPERF_DFE_ENV"  # a folder for the validator's environment (default: the user's cache)


class DfeRulesError(InputError):
    """The DfE's rules could not be run (no uv, no Python 3.11, no network for the first set-up)."""


def _uv() -> str:
    for candidate in (paths.PROJECT_ROOT / ".uv" / "bin" / "uv", shutil.which("uv")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise DfeRulesError("uv", "the DfE rules run in an environment uv makes: run `make setup` (it installs uv)")


def environment() -> Path:
    """The validator's Python: its environment is made once per locked set of versions, then reused offline."""
    locked = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    base = Path(os.environ.get(ENVIRONMENT_ENV) or platformdirs.user_cache_dir("lacperf"))
    folder = base / f"dfe-903-{locked}"
    python = folder / "bin" / "python"
    base.mkdir(parents=True, exist_ok=True)
    with FileLock(str(base / f".dfe-903-{locked}.lock")):  # batch workers wait for the one that makes it
        if python.is_file():
            return python
        building = base / f".dfe-903-{locked}.building"
        shutil.rmtree(building, ignore_errors=True)
        log.warning("making the DfE rules' environment in %s (once; it needs PyPI)", folder)
        quiet = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}  # Python 3.11 from this machine, not downloaded
        for step in (
            [_uv(), "venv", "--quiet", "--python", PYTHON, str(building)],
            [_uv(), "pip", "sync", "--quiet", "--python", str(building / "bin" / "python"), str(REQUIREMENTS)],
        ):
            done = subprocess.run(step, capture_output=True, text=True, env=quiet, check=False)
            if done.returncode != 0:
                shutil.rmtree(building, ignore_errors=True)
                said = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise DfeRulesError(REQUIREMENTS, f"the DfE rules' environment could not be made: {said}")
        building.rename(folder)
    return python


def ruleset(month: str) -> str:
    """The rule set of the collection year `month` falls in (April to March): 2023-09 -> 'lac2023_24'."""
    return "lac" + financial_year(month).replace("/", "_")


def dfe_problems(folder: Path, month: str) -> pd.DataFrame:
    """Every failure of the DfE's rules in one SSDA903 extract, as warnings; nothing raised for a failure."""
    python = environment()
    wanted = ruleset(month)
    ends = int(wanted[3:7]) + 1  # the validator's collection year is named by the year it ends (31 March)
    done = subprocess.run(
        [str(python), str(RUNNER), str(folder), wanted, str(ends)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise DfeRulesError(folder, f"the DfE rules stopped: {said}")
    found = json.loads(done.stdout)
    used = str(found["ruleset"])
    year = f"{used[3:7]}/{used[8:10]}"
    note = "" if used == wanted else f" (the {year} rules: the validator has none for {wanted[3:7]}/{wanted[8:]})"
    rows = [
        {
            "file": str(folder / failure["file"]),
            "row": failure["row"],
            "column": ", ".join(failure["fields"]),
            "value": "",  # the validator's context holds child-level values: none is carried
            "rule": f"DfE rule {failure['code']}: {failure['message']}{note}",
            "severity": WARNING,
            "code": str(failure["code"]),  # the DfE's own code, as it names the rule
        }
        for failure in found["failures"]
    ]
    skipped = [
        {"file": str(folder / name), "row": None, "column": "", "value": "", "severity": WARNING,
         "rule": DFE_RULES_READ_FILE.text, "code": DFE_RULES_READ_FILE.code}
        for name in found["skipped_files"] if name != "child_area.csv"  # lacperf's own areas file
    ]  # fmt: skip
    log.info("DfE rules (%s) over %s: %d failure(s)", used, folder, len(rows))
    return combine([pd.DataFrame(rows + skipped, columns=list(PROBLEM_COLUMNS))])


if __name__ == "__main__":  # python -m lacperf_helpers.ingest.dfe_rules FOLDER MONTH: the rows, for a look
    print(dfe_problems(Path(sys.argv[1]), sys.argv[2]).to_string())
