"""What a page was made from: every input with its SHA-256, the parameters, the KPI definitions' hash, the
lacperf version and the time made. Shown in the page's footer and written as JSON beside it, so an auditor
can tell which files made a figure, and re-make it. Each hash is read afresh by each run, never remembered
from an earlier run nor taken from a file's size and modification time (a file rewritten at the same size with
its modification time put back is hashed as it is); within one run (`RunHashes`) each file is read once, not
once per page. Made once per page (by lacperf render, or by `load_appendix` in JupyterLab) and passed on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypedDict

from lacperf_helpers import __version__
from lacperf_helpers.config import paths
from lacperf_helpers.config.cache import sha256_now
from lacperf_helpers.config.inputs import NOTEBOOK_PARAMETERS, Inputs
from lacperf_helpers.ingest.layout import available_months, month_files


class FileHash(TypedDict):
    file: str  # where it is among the inputs ('2019-09/903/episodes.csv', 'kpis.yaml'), never a machine's path
    sha256: str


class Manifest(TypedDict):
    """What a page was made from (`describe`), JSON-ready: a run adds which page it is (run/jobs.py's
    `PageManifest`)."""

    lacperf_version: str
    made_at: str
    parameters: dict[str, Any]  # the notebook's parameters, files relative to the project folder
    kpi_definitions_sha256: str
    inputs: list[FileHash]  # every data and parameter file the page reads
    code: list[FileHash]  # the notebook and template that lay it out


class RunHashes:
    """One run's reading of its input files: each file's SHA-256 read once, when the run first describes a page
    made from it, and each period's list of inputs found once (a batch's 13 pages of a month share every input:
    one read each, not 13). Made afresh for every run, and never kept after it."""

    def __init__(self) -> None:
        self._sha256: dict[Path, str] = {}
        self._inputs: dict[tuple[Inputs, str], list[Path]] = {}
        self._names: dict[tuple[Path, Path], str] = {}

    def sha256(self, path: Path) -> str:
        if path not in self._sha256:
            self._sha256[path] = sha256_now(path)
        return self._sha256[path]

    def page_inputs(self, inputs: Inputs, last_month: str) -> list[Path]:
        if (inputs, last_month) not in self._inputs:
            self._inputs[inputs, last_month] = page_inputs(inputs, last_month)
        return self._inputs[inputs, last_month]

    def display_name(self, path: Path, returns_dir: Path) -> str:
        """`display_name` of a file among `returns_dir` (resolved)."""
        if (path, returns_dir) not in self._names:
            self._names[path, returns_dir] = display_name(path, returns_dir, resolved=True)
        return self._names[path, returns_dir]


def page_inputs(inputs: Inputs, last_month: str) -> list[Path]:
    """Every data and parameter file a page of `last_month` reads: the parameter files, and each month's
    return and SSDA903 extract up to it."""
    returns = inputs.returns
    files = [*inputs.parameter_files()]
    files += [f for m in available_months(returns) if m <= last_month for f in month_files(returns, m)]
    return [f for f in files if f.is_file()]


def display_name(path: Path, returns_dir: Path, *, resolved: bool = False) -> str:
    """'2019-09/903/episodes.csv', 'kpis.yaml': where the file is among the inputs, not on a machine.
    `resolved`: `returns_dir` is resolved already (a manifest names 30 files or more against one folder)."""
    try:
        return path.resolve().relative_to(returns_dir if resolved else returns_dir.resolve()).as_posix()
    except ValueError:
        return path.name


FILE_PARAMETERS = frozenset({*NOTEBOOK_PARAMETERS.values(), "published_dir"})  # returns_dir, kpis_file ...


OUTSIDE = ".../"  # a file parameter outside the project folder: its own name only


def project_relative(value: object) -> object:
    """A file parameter relative to the project folder ('data/sample'), or, outside it, its own name after
    `OUTSIDE` ('.../returns'): a page and its manifest are the same whichever checkout made them, and say nothing
    of where a machine keeps its files (a path up and out of the project, '../../home/<user>/returns', would
    name a person's account in every public page's manifest). The files' SHA-256 say which they were."""
    if not isinstance(value, str) or not Path(value).is_absolute():
        return value
    relative = Path(os.path.relpath(value, paths.PROJECT_ROOT))
    return OUTSIDE + relative.name if relative.parts[:1] == ("..",) else relative.as_posix()


def describe(
    inputs: Inputs,
    last_month: str,
    parameters: dict[str, Any],
    made_at: str,
    code: tuple[Path, ...] = (),
    run: RunHashes | None = None,
) -> Manifest:
    """The manifest of one page (JSON-ready). `code`: the notebook and template that lay it out. `run`: the
    hashes of the run this page is one of (without one, every file is read for this page alone)."""
    run = run or RunHashes()
    kpis, returns = inputs.kpis, inputs.returns.resolve()
    return {
        "lacperf_version": __version__,
        "made_at": made_at,
        "parameters": {
            k: project_relative(v) if k in FILE_PARAMETERS else v
            for k, v in parameters.items()
            if k not in {"made_at", "manifest"}
        },
        "kpi_definitions_sha256": run.sha256(kpis) if kpis.is_file() else "",
        "inputs": [
            {"file": run.display_name(p, returns), "sha256": run.sha256(p)} for p in run.page_inputs(inputs, last_month)
        ],
        "code": [{"file": p.name, "sha256": run.sha256(p)} for p in code if p.is_file()],
    }
