"""Small hand-made fixtures: a three-KPI catalogue and returns written as a person would write them."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from textwrap import dedent
from typing import Any

import pandas as pd
import pytest
from filelock import FileLock
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.cache import CACHE_ENV
from lacperf_helpers.config.definitions import KpiCatalogue, Settings, load_kpis
from lacperf_helpers.config.periods import previous_month
from lacperf_helpers.ingest.returns import require_month
from lacperf_helpers.measures.figures import load_returns
from lacperf_helpers.rate.scorecard import build_scorecard

# Folders this run made in the temporary folder, removed when it ends: a run leaves nothing behind
MADE_FOR_THE_RUN: list[Path] = []
if CACHE_ENV not in os.environ:  # the tests' own disk cache (inherited by every kernel and worker), not the user's
    MADE_FOR_THE_RUN.append(Path(tempfile.mkdtemp(prefix="lacperf-test-cache-")))
    os.environ[CACHE_ENV] = str(MADE_FOR_THE_RUN[-1])
# Where each pytest-xdist worker leaves the figures the run's summary prints (the summary is the controller's)
FIGURES_ENV = "LACPERF_TEST_FIGURES"
if FIGURES_ENV not in os.environ:
    MADE_FOR_THE_RUN.append(Path(tempfile.mkdtemp(prefix="lacperf-test-figures-")))
    os.environ[FIGURES_ENV] = str(MADE_FOR_THE_RUN[-1])
# the DfE rules' environment (about 200 MB), kept where uv keeps its cache: made once, then reused by every run
# (it is named by the hash of its locked requirements, so a changed lock makes a new one)
UV_CACHE = Path(
    os.environ.get("UV_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv"
)
os.environ.setdefault("LACPERF_DFE_ENV", str(UV_CACHE / "lacperf-dfe-903"))

# The sample's own settings and benchmarks (the defaults belong to no council): what `make report` names
SAMPLE_OPTIONS = ("--settings", str(paths.SAMPLE_SETTINGS_FILE), "--benchmarks", str(paths.BENCHMARKS_FILE))
SAMPLE_MONTH = "2019-09"
SAMPLE_QUARTER = "Q2 2019/20"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser here

KPIS_YAML = dedent(
    """\
    kpis:
      - id: reviews_on_time
        title: Reviews held on time
        polarity: H
        unit: percent
        target: 90
        floor: 80
        source: return
        years:
          "2019/20": {target: 95, floor: 85}
      - id: moves_3plus
        title: Children with 3 or more placements
        polarity: L
        unit: percent
        target: 10
        floor: 12
        source: return
      - id: days_to_adoption
        title: Days from care to adoptive family
        polarity: L
        unit: days
        target: 426
        floor: 500
        source: return
    """
)

HEADER = "month,area,kpi_id,numerator,denominator,value\n"


def naming(folder: Path, authority: str = "Kent") -> Path:
    """A settings file naming the authority, for hand-made returns whose areas do not add up to it (the default
    settings name none: the authority is then the return's area that is the sum of the others)."""
    path = folder / "settings-naming-the-authority.yaml"
    path.write_text(f"authority: {authority}\n")
    return path


@pytest.fixture
def kpis_file(tmp_path: Path) -> Path:
    path = tmp_path / "kpis.yaml"
    path.write_text(KPIS_YAML)
    return path


@pytest.fixture
def catalogue(kpis_file: Path) -> KpiCatalogue:
    return load_kpis(kpis_file)


def scorecard_for_month(
    returns_dir: Path, catalogue: KpiCatalogue, month: str, settings: Settings | None = None
) -> pd.DataFrame:
    """This month's and last month's returns read (this month's must exist) and the scorecard built from them, as
    the month stage does without its decision: the rating of every figure."""
    require_month(returns_dir, month)
    authority = settings.authority if settings else None
    figures = load_returns(returns_dir, [previous_month(month), month], catalogue, authority)
    return build_scorecard(figures, catalogue, month, settings)


def write_return(returns: Path, month: str, body: str, header: str = HEADER) -> Path:
    """Write `<returns>/<month>/kpi_return.csv` from CSV text (the header added unless given)."""
    folder = returns / month
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kpi_return.csv"
    path.write_text(header + dedent(body))
    return path


@pytest.fixture(scope="session")
def rendered_editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample month's appendices for the authority and its small area, and the small area's quarter, in
    both editions (`<out>/public`, `<out>/internal-not-for-publication`), rendered once per test run: the first
    pytest-xdist worker to ask renders them, under a lock, into the run's shared temporary folder."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # every worker's temporary folder is in the run's
    out = shared / "sample-reports"
    with FileLock(str(shared / "sample-reports.lock")):
        if not (out / "rendered").exists():
            shutil.rmtree(out, ignore_errors=True)
            _render_sample(out)
            (out / "rendered").touch()
    return out


def _render_sample(out: Path) -> None:
    editions = ["--edition", "public", "--edition", "internal"]
    result = CliRunner().invoke(
        app,
        ["render", "--returns", str(paths.SAMPLE_RETURNS), "--kpis", str(paths.KPIS_FILE), "--month", SAMPLE_MONTH,
         "--area", "Kent", "--area", "West Kent", "--out", str(out), *editions, *SAMPLE_OPTIONS],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    quarter = CliRunner().invoke(
        app,
        ["render-quarter", "--returns", str(paths.SAMPLE_RETURNS), "--quarter", SAMPLE_QUARTER, "--area", "West Kent",
         "--out", str(out), *editions, *SAMPLE_OPTIONS],
    )  # fmt: skip
    assert quarter.exit_code == 0, quarter.output
    # a page leaves out what its notebook wrote to stderr (a warning, a traceback): the log says it, and
    # the sample's pages say nothing there
    logged = [line for line in (result.output + quarter.output).splitlines() if line.startswith("lacperf: ")]
    assert logged == [], logged


@pytest.fixture(scope="session")
def rendered(rendered_editions: Path) -> Path:
    """The public edition's folder of `rendered_editions`: what is published."""
    return rendered_editions / "public"


@pytest.fixture(scope="session")
def rendered_internal(rendered_editions: Path) -> Path:
    """The internal edition's folder of `rendered_editions`: every figure, not for publication."""
    return rendered_editions / "internal-not-for-publication"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium: `make test` installs it; in CI its absence is a failure, not a skip."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (as root) to run the browser tests")
    return CHROMIUM


REPORTED: list[str] = []  # the figures of every worker, gathered when the run ends


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Figures the issues ask to see in the test output."""
    for line in REPORTED:
        terminalreporter.write_line(line)


class _Lines:
    """What the figures are written to: a list (terminalreporter.write_line's stand-in)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def _figure_lines() -> list[str]:
    """The figures this process's tests gathered, one line each."""
    terminalreporter = _Lines()

    def loaded(name: str) -> Any:
        """A test module as pytest imported it ('tests.x' or 'x', by how the run was started), if it ran."""
        return sys.modules.get(f"tests.{name}") or sys.modules.get(name)

    mdc = loaded("test_spc_conformance")
    if mdc is not None and mdc.CHECKED["datasets"]:
        n = mdc.CHECKED
        terminalreporter.write_line(
            f"MDC conformance: {n['datasets_agreeing']}/{n['datasets']} datasets, {n['points_agreeing']}/{n['points']} "
            f"points as the Single Chart Tool colours them ({len(mdc.EXCEPTIONS)} documented exception(s))"
        )
    reference = loaded("test_ssda903_reference")
    if reference is not None and reference.CHECKED:
        terminalreporter.write_line(
            "SSDA903 headline figures against an independent reading: "
            + ", ".join(f"{name} {n['agreeing']}/{n['figures']} ({n['months']} month ends)"
                        for name, n in reference.CHECKED.items())
            + f"; {sum(n['figures'] for n in reference.CHECKED.values())} checked in all"
        )  # fmt: skip
    for audited in ("test_disclosure_audit", "test_disclosure_audit_stress"):
        disclosure = loaded(audited)
        if disclosure is not None:
            for name, line in disclosure.FIGURES.items():
                terminalreporter.write_line(f"disclosure audit, {name}: {line}")
    board = loaded("test_browser")
    if board is not None and board.PRINTED:
        terminalreporter.write_line(
            "board paper, A4 pages printed: "
            + ", ".join(f"{page} {n}" for page, n in board.PRINTED.items())
            + f" (target: at most {board.PAGES_TARGET})"
        )
    if board is not None and board.TYPE_SIZES:
        terminalreporter.write_line(
            "board paper, smallest printed type (pt, body / tables; target 10 / 9): "
            + ", ".join(f"{page} {n['body']:.1f} / {n['table']:.1f}" for page, n in board.TYPE_SIZES.items())
        )
    if board is not None and board.AXE_FOUND:
        terminalreporter.write_line(
            f"axe-core (WCAG 2.2 A and AA), {len(board.AXE_FOUND)} sample pages: "
            f"{sum(board.AXE_FOUND.values())} violation(s) ("
            + ", ".join(f"{page} {n}" for page, n in board.AXE_FOUND.items())
            + ")"
        )
    if board is not None and board.SCREENS:
        terminalreporter.write_line(
            "the KPI table starts this many screens down (1280 x 800): "
            + ", ".join(f"{page} {screens:.2f}" for page, screens in board.SCREENS.items())
        )
    fuzz = loaded("test_fuzz_inputs")
    if fuzz is not None and sum(fuzz.TRIED.values()):
        tried = fuzz.TRIED
        terminalreporter.write_line(
            f"malformed inputs tried: {sum(tried.values())} ({tried['returns']} monthly returns, "
            f"{tried['kpis']} KPI files, {tried['ssda903']} SSDA903 folders, {tried['benchmarks']} benchmarks files): "
            "each loaded or was refused with a message, none raised anything else"
        )
        kinds = fuzz.KINDS_TRIED
        if sum(kinds.values()):
            terminalreporter.write_line(
                f"file kinds, encodings and YAML aliases tried: {kinds['file kinds']} inputs of every file kind "
                f"(FIFOs, devices, folders, broken links and loops), {kinds['encodings']} returns in 7 encodings "
                f"(with stray bytes), {kinds['YAML aliases']} YAML files of nested aliases: each read or refused "
                "at once, naming the file"
            )
        if fuzz.NAMES_TRIED["names"]:
            terminalreporter.write_line(
                f"hostile names tried: {fuzz.NAMES_TRIED['names']} (each made a safe file name, apart from every "
                "other, or was refused naming both areas)"
            )
    scan = loaded("test_personal_data")
    if scan is not None and scan.SCANNED["files"]:
        n = scan.SCANNED
        terminalreporter.write_line(
            f"outputs scanned for personal data: {n['files']} ({n['html']} HTML, {n['pdf']} PDF, {n['csv']} CSV, "
            f"{n['json']} JSON): no child ID, date of birth or postcode in any"
        )
    batch = loaded("test_batch")
    if batch is not None and batch.SURVIVED["interrupted runs"]:
        terminalreporter.write_line(
            f"interrupted runs survived: {batch.SURVIVED['interrupted runs']} (killed mid-batch; every earlier "
            "appendix whole and readable, the next run finished the rest, nothing lost)"
        )
    if batch is not None and batch.SURVIVED["kills"]:
        terminalreporter.write_line(
            f"kills survived: {batch.SURVIVED['kills']} (kill -9 of the batch alone as its workers start, as their "
            "kernels run, after a page), "
            f"processes left running: {batch.SURVIVED['processes left']}, pages lost or half-written: 0"
        )
    return terminalreporter.lines


def copy_sample_month(returns: Path, month: str) -> Path:
    """One month of the sample (its return and its SSDA903 extract) in a folder of its own, to break."""
    shutil.copytree(paths.SAMPLE_RETURNS / month, returns / month)
    return returns / month


def _reports_folder() -> dict[str, int]:
    """Every file in the user's reports/ folder with its modification time."""
    return {str(p): p.stat().st_mtime_ns for p in paths.REPORTS.rglob("*") if p.is_file()}


_REPORTS_BEFORE: dict[str, int] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _REPORTS_BEFORE.update(_reports_folder())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No test writes into the user's reports/: their last good appendices are theirs. A worker leaves its
    figures for the controller, which gathers every worker's. The run's own temporary folders are removed."""
    figures = Path(os.environ[FIGURES_ENV])
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    if worker is not None:
        (figures / f"{worker}.txt").write_text("\n".join(_figure_lines()), encoding="utf-8")
    else:
        REPORTED.extend(_figure_lines())
        for path in sorted(figures.glob("*.txt")):
            REPORTED.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line)
    for folder in MADE_FOR_THE_RUN:
        shutil.rmtree(folder, ignore_errors=True)
    if _reports_folder() != _REPORTS_BEFORE:
        print(f"\nlacperf tests: a test wrote into {paths.REPORTS}: tests must write to their own folders")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def kpi_row(**values: object) -> Any:
    """A KpiRow as a page reads it: the values given, every other field blank (NaN, '' or None)."""
    from dataclasses import fields

    from lacperf_helpers.present.views import KpiRow

    blank = {"float": float("nan"), "str": "", "str | None": None, "int": 0}
    return KpiRow.from_record({f.name: values.get(f.name, blank[str(f.type)]) for f in fields(KpiRow)})


def published(card: Any) -> Any:
    """A scorecard with the columns a published card adds (disclosure, trend, England), blank: for the
    summary of a hand-worked card that went through none of them."""
    from lacperf_helpers.present.views import KpiRow

    extra = {name: "" for name in KpiRow.required() if name not in card.columns}
    return card.assign(**extra)


# The test files that take longest (most of it a fixture's work), longest first, as a test run measured them
# (`pytest -n 2 --dist loadfile --durations=60`): pytest-xdist hands each worker whole files in this order, so
# no long file starts last while the other worker idles. The stress audit (data of its own) goes second: the
# sample's month takes its first half minute to work out in the disclosure audit, and the personal-data scan,
# which was second before, waited for it all that time (its 100 s became 55). The sample's rendered appendices
# (`rendered_editions`) are made by the worker that reaches test_browser.py while the other is in the audit.
LONGEST_FIRST = (
    "test_disclosure_audit.py", "test_disclosure_audit_stress.py", "test_personal_data.py", "test_browser.py",
    "test_batch.py", "test_repository.py", "test_fuzz_inputs.py", "test_dfe_rules.py", "test_ground_truth.py",
    "test_board_paper.py", "test_explore.py", "test_benchmark_scripts.py", "test_council_codes.py",
    "test_hostile_inputs.py", "test_cli.py", "test_cache.py", "test_hostile_outputs.py", "test_cohorts.py",
)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's loadfile hands out files with the most tests first unless told not to reorder them
    (`--no-loadscope-reorder`): it is told here, so that LONGEST_FIRST is the order files are handed out in."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest files first (LONGEST_FIRST). LACPERF_TEST_ORDER=reverse runs every test in the opposite order:
    no test may lean on another's having run first (a fixture's work, a file left behind, a module-level cache)."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as collected
    if os.environ.get("LACPERF_TEST_ORDER") == "reverse":
        items.reverse()


def exited(result: Any, code: int) -> bool:
    """Did a CliRunner run end with exit `code` by the CLI's own choice? CliRunner catches every exception and
    prints no traceback, so "Traceback" is never in its output: a crash shows as `result.exception` instead
    (any exception but the SystemExit the CLI raises to leave with its code)."""
    exception = result.exception
    ended = exception is None or (isinstance(exception, SystemExit) and exception.code == code)
    return bool(result.exit_code == code and ended)
