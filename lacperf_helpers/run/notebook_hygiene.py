"""Committed notebooks carry no outputs (outputs can hold children's data) and keep their kernelspec.

    python -m lacperf_helpers.run.notebook_hygiene notebooks/

exits non-zero naming every notebook that needs `jupyter nbconvert --clear-output --inplace`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def problems(path: Path) -> list[str]:
    """What is wrong with one notebook file, as sentences; empty when it is clean."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as exc:  # any unreadable notebook is a problem to report, not a crash
        return [f"{path}: not a readable notebook ({exc})"]
    found = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path}: cell {number} has outputs; clear them before committing")
        if cell.get("execution_count") is not None:
            found.append(f"{path}: cell {number} has an execution count; clear outputs before committing")
    if "kernelspec" not in notebook.metadata:
        found.append(f"{path}: no kernelspec in the metadata (papermill needs it)")
    return found


def main(folders: list[str]) -> int:
    notebooks = sorted(
        p for folder in folders for p in Path(folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    found = [problem for path in notebooks for problem in problems(path)]
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"notebook hygiene: {len(notebooks)} notebook(s) checked, {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["notebooks"]))
