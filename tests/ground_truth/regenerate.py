"""Write the sample's ground truth: what lacperf publishes for the sample month, kept to catch any change.

    .venv/bin/python tests/ground_truth/regenerate.py     (or: make ground-truth)

These are snapshots, not hand-worked values: a change in them is not wrong in itself, but it must be
meant. Regenerate after a deliberate change to a definition, a measure or disclosure control, and say
why in the commit. Hand-worked and independently published values live in the tests themselves.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths

HERE = Path(__file__).resolve().parent
MONTH = "2019-09"
# file name -> the command that writes it (its --out is added)
SAMPLE = ("--returns", str(paths.SAMPLE_RETURNS), "--settings", str(paths.SAMPLE_SETTINGS_FILE))  # the sample's own
SNAPSHOTS = {
    f"scorecard-{MONTH}.csv": ["scorecard", *SAMPLE, "--month", MONTH],
    f"measures-{MONTH}.csv": ["measures", *SAMPLE, "--month", MONTH],
    # the internal edition: every figure, as rated before anything is hidden
    f"scorecard-{MONTH}-internal.csv": ["scorecard", *SAMPLE, "--month", MONTH, "--edition", "internal"],
}  # fmt: skip


def write(folder: Path) -> list[Path]:
    """Each snapshot written into `folder`; exits on the first command that fails."""
    written = []
    for name, command in SNAPSHOTS.items():
        result = CliRunner().invoke(app, [*command, "--out", str(folder / name)])
        if result.exit_code != 0:
            sys.exit(f"{' '.join(command)}: {result.output}")
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in write(HERE):
        print(f"wrote {path.relative_to(paths.PROJECT_ROOT)}")
