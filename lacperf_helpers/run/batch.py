"""`lacperf batch`: every appendix a run file asks for, in parallel, skipping what has not changed.

A job is one notebook x period x area x cohort. Its fingerprint hashes everything the page is made from
(the notebook, the lacperf version, the parameter files and every return file up to the period's end);
an appendix whose manifest carries the same fingerprint is skipped unless forced. Each job holds a lock
on its appendix while it works, so two batches started at once take turns rather than interleave, and
pages are renamed into place whole, so a failed or interrupted run leaves the last good one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jinja2
from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lacperf_helpers import __version__
from lacperf_helpers.config import cache, paths
from lacperf_helpers.config.cache import code_hash
from lacperf_helpers.config.definitions import load_settings, load_yaml_model
from lacperf_helpers.config.editions import DEFAULT, FOLDERS, Edition, edition_folder
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.paths import csv_text, log_to_stderr, read_regular_file, write_atomically
from lacperf_helpers.config.periods import (
    financial_quarter,
    is_month,
    month_label,
    months_between,
    quarter_months,
    quarter_slug,
    reporting_month,
    reporting_quarter,
)
from lacperf_helpers.ingest.layout import VALIDATION_CSV, VALIDATION_PAGE, return_path
from lacperf_helpers.ingest.manifest import describe, page_inputs
from lacperf_helpers.run.links import link_pages
from lacperf_helpers.run.pages import TEMPLATE, TEMPLATES, RenderError, appendix_path, check_file_names, clear_leftovers

if TYPE_CHECKING:
    from lacperf_helpers.run.render import WarmKernel

log = logging.getLogger("lacperf.batch")
NOTEBOOKS = {"scorecard": paths.SCORECARD_NOTEBOOK, "quarterly": paths.QUARTERLY_NOTEBOOK}
Notebook = Literal["scorecard", "quarterly"]
RENDERED, SKIPPED, FAILED = "rendered", "skipped as unchanged", "failed"


class MonthRange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    first: str = Field(alias="from")
    last: str = Field(alias="to")


class RunFile(BaseModel):
    """parameters/runs/<name>.yaml: what one batch renders. Paths given in the file are relative to its own folder
    (`load_run`); those left out are the project's defaults, which belong to no council (no benchmarks)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    notebooks: tuple[Notebook, ...] = ("scorecard",)
    months: str | tuple[str, ...] | MonthRange
    quarters: tuple[str, ...] = ()
    areas: Literal["all"] | tuple[str, ...] = "all"
    cohorts: tuple[str, ...] = ("all",)  # names from the cohorts file, each a page per area (quarters: all only)
    cohorts_file: str = "parameters/cohorts.yaml"  # the cohorts and breakdowns, as data
    returns: str = "data/sample"
    kpis: str = "parameters/kpis.yaml"
    settings: str = "parameters/settings.yaml"
    trend: str = "parameters/trend.yaml"
    benchmarks: str | None = None  # England and statistical neighbours (none unless given)
    national: str = "parameters/national"  # the DfE's local-authority tables and statistical neighbours
    out: str = "reports"
    pdf: bool = False
    dfe_rules: bool = False  # also run the DfE's SSDA903 rules: in validation.csv and each data-quality note
    editions: tuple[Edition, ...] = (DEFAULT,)  # public (safe to publish) and/or internal (not for publication)

    @model_validator(mode="after")
    def _periods_are_periods(self) -> RunFile:
        """'2019-13' or 'Q5 2019/20' is refused here, naming it, not when the batch reaches it."""
        if isinstance(self.months, MonthRange):
            for month in (self.months.first, self.months.last):
                reporting_month(month)
            if self.months.last < self.months.first:
                raise ValueError(f"the months run backwards: {self.months.first} is after {self.months.last}")
        else:
            for month in [self.months] if isinstance(self.months, str) else self.months:
                reporting_month(month)
        for quarter in self.quarters:
            reporting_quarter(quarter)
        return self

    def month_list(self) -> list[str]:
        if isinstance(self.months, MonthRange):
            return months_between(self.months.first, self.months.last)
        return [self.months] if isinstance(self.months, str) else list(self.months)

    def quarter_list(self) -> list[str]:
        """The quarters asked for, or else each quarter whose last month is among the months."""
        if self.quarters:
            return list(self.quarters)
        months = self.month_list()
        return [financial_quarter(m) for m in months if quarter_months(financial_quarter(m))[-1] == m]

    def path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else paths.PROJECT_ROOT / path


@dataclass(frozen=True, kw_only=True)
class Job:
    """One appendix to render: a notebook, for a period, area, cohort and edition, into `out`."""

    notebook: str
    period: str  # 'YYYY-MM' for the scorecard, 'Q2 2019/20' for the quarterly appendix
    area: str
    cohort: str
    out: str
    inputs: Inputs
    pdf: bool = False
    force: bool = False
    warm: bool = True  # reuse the worker's kernel (fresh namespace each time) rather than start one per page
    ratings: tuple[tuple[str, int], ...] = ()  # Green / Amber / Red / Not rated, for the index
    notebook_path: str = ""  # the notebook file, chosen when planned (blank: the project's)
    edition: Edition = DEFAULT  # `out` is this edition's folder
    authority: str = ""  # the authority as a whole (named, or taken from the return): listed first in the index

    @property
    def notebook_file(self) -> Path:
        return Path(self.notebook_path) if self.notebook_path else NOTEBOOKS[self.notebook]

    @property
    def folder(self) -> str:
        return period_folder(self.period)

    @property
    def last_month(self) -> str:
        return self.period if is_month(self.period) else quarter_months(self.period)[-1]

    @property
    def target(self) -> Path:
        return appendix_path(self.out, self.folder, self.area, self.cohort)

    @property
    def manifest_file(self) -> Path:
        return self.target.with_suffix(".json")

    @property
    def label(self) -> str:
        cohort = "" if self.cohort == "all" else f" ({self.cohort})"
        return f"{self.notebook} {self.period} {self.area}{cohort}" + (
            " (internal edition)" if self.edition is Edition.INTERNAL else ""
        )

    def parameters(self, made_at: str) -> dict[str, str | bool]:
        """The notebook's parameters (the page's own; `area` and the manifest are added when rendered)."""
        own = (
            {"month": self.period, "cohort": self.cohort} if self.notebook == "scorecard" else {"quarter": self.period}
        )
        return {**own, **self.inputs.notebook_parameters(), "made_at": made_at, "edition": self.edition.value}

    def manifest(self, made_at: str) -> dict[str, Any]:
        """What the page is made from, with its fingerprint: made once per page and passed on (to the notebook,
        which shows it, and beside the page as JSON)."""
        made = describe(
            self.inputs,
            self.last_month,
            {**self.parameters(made_at), "area": self.area},
            made_at,
            code=(self.notebook_file, TEMPLATE),
        )
        identity = {
            "notebook": self.notebook, "period": self.period, "area": self.area, "cohort": self.cohort,
            "edition": self.edition.value,
        }  # fmt: skip
        return {
            **made,
            "fingerprint": fingerprint({**identity, "pdf": self.pdf}, made),
            **identity,
            "html": self.target.name,
            "pdf": self.target.with_suffix(".pdf").name if self.pdf else "",
            "ratings": dict(self.ratings),
            "authority": self.authority,
        }


@dataclass
class JobResult:
    label: str
    status: str
    path: str
    seconds: float
    message: str = ""
    pdf: str = ""


def fingerprint(identity: dict[str, Any], manifest: dict[str, Any]) -> str:
    """The hash of what makes the page: which page it is, lacperf's own code (every stage, the notebook and
    template), and every input file's SHA-256. The time it was made is not part of it."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"lacperf": __version__, "code": code_hash(), **identity}, sort_keys=True).encode())
    for made_from in (*manifest["code"], *manifest["inputs"]):
        digest.update(
            f"{made_from['file']}:{made_from['sha256']}".encode("utf-8", "surrogateescape")
        )  # a name not UTF-8
    return digest.hexdigest()


def unchanged(job: Job, print_: str) -> bool:
    if job.force or not job.target.exists() or not job.manifest_file.exists():
        return False
    try:
        manifest = json.loads(job.manifest_file.read_text())
    except (ValueError, OSError):  # not JSON, not UTF-8, unreadable: made again
        return False
    return isinstance(manifest, dict) and manifest.get("fingerprint") == print_


def rating_counts(
    notebook: str, period: str, inputs: Inputs, cohort: str = "all", edition: Edition = DEFAULT
) -> dict[str, dict[str, int]]:
    """Per area, the Green / Amber / Red / not rated counts of its page in `edition`, for the index."""
    from lacperf_helpers.month.edition import edition_view
    from lacperf_helpers.month.edition import rating_counts as counts_of

    last = period if is_month(period) else quarter_months(period)[-1]
    return counts_of(edition_view(last, inputs=inputs, edition=edition, cohort=cohort), notebook, period)


_WORKER_KERNEL: list[WarmKernel] = []  # imported when a page is rendered: a re-run needs none of it


def worker_kernel() -> WarmKernel:
    """This worker process's warm kernel, shut down when the process ends."""
    from lacperf_helpers.run.render import WarmKernel

    if not _WORKER_KERNEL:
        kernel = WarmKernel()
        multiprocessing.util.Finalize(kernel, kernel.shutdown, exitpriority=10)
        _WORKER_KERNEL.append(kernel)
    return _WORKER_KERNEL[0]


def run_job(job: Job, made_at: str, manifest: dict[str, Any] | None = None) -> JobResult:
    """Render one appendix (or skip it as unchanged); never raises for a failure of the page itself.
    `manifest`: the page's, if the batch made it already (each input is hashed once per page)."""
    started = time.perf_counter()
    job.target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(job.target.with_name(f".{job.target.name}.lock"))):
        for written in (job.target, job.manifest_file, job.target.with_suffix(".pdf")):  # what a killed run left
            for leftover in written.parent.glob(f".{written.name}.*.tmp"):
                leftover.unlink(missing_ok=True)
        try:
            manifest = manifest or job.manifest(made_at)
            if unchanged(job, manifest["fingerprint"]):  # another batch may have made it meanwhile
                return JobResult(job.label, SKIPPED, str(job.target), time.perf_counter() - started)
            from lacperf_helpers.run.render import render_appendix

            kernel = worker_kernel() if job.warm else None
            render_appendix(
                job.out,
                job.folder,
                job.area,
                parameters=job.parameters(made_at),
                manifest=manifest,
                notebook=job.notebook_file,
                kernel=kernel,
                cohort=job.cohort,
                before_manifest=_print_pdf if job.pdf else None,
            )
        except Exception as exc:  # a page's failure of any kind (a PDF, a file that cannot be written) is
            # that page's: it is marked failed and the batch finishes the others; but not Ctrl-C, which the
            # kernel's client may have turned into another error on the way (nbclient: an AssertionError)
            if _INTERRUPTED.is_set():
                raise KeyboardInterrupt from None
            reason = str(exc) if isinstance(exc, RenderError | InputError) else f"{type(exc).__name__}: {exc}"
            if isinstance(exc, OSError) and exc.strerror:
                reason = f"{exc.strerror} ({exc.filename})"
            return JobResult(job.label, FAILED, str(job.target), time.perf_counter() - started, reason)
        pdf = str(job.target.with_suffix(".pdf")) if job.pdf else ""
        return JobResult(job.label, RENDERED, str(job.target), time.perf_counter() - started, pdf=pdf)


def _print_pdf(page: Path) -> None:
    from lacperf_helpers.run.pdf import write_pdf

    write_pdf(page)


def load_run(name: str) -> RunFile:
    """A run file by name (parameters/runs/<name>.yaml) or by path."""
    path = Path(name)
    if not path.suffix:
        path = paths.PARAMETERS / "runs" / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in (paths.PARAMETERS / "runs").glob("*.yaml")))
        raise InputError(path, f"no such run file; the runs in parameters/runs are: {known}")
    run = load_yaml_model(path, RunFile)
    # a path the file gives is relative to the file's folder, so a council's run file travels with its inputs
    given = {
        name: str((path.parent / value).resolve())
        for name in RUN_PATHS
        if name in run.model_fields_set and (value := getattr(run, name)) and not Path(value).is_absolute()
    }
    return run.model_copy(update=given)


RUN_PATHS = ("cohorts_file", "returns", "kpis", "settings", "trend", "benchmarks", "national", "out")


def plan(
    run: RunFile,
    force: bool = False,
    warm: bool = True,
    on_new_work: Callable[[], None] = lambda: None,
    say: Callable[[str], None] = lambda line: None,
) -> list[Job]:
    """The jobs of a run: notebooks x periods x areas x cohorts, every input checked first. `on_new_work` is
    called when a period's inputs are checked and new (nothing has worked out its figures: pages will be
    rendered), before its figures are worked out: the batch starts its workers then (`WorkerPool.start`).
    `say`: called with a line of progress as each period's inputs are checked and its pages planned (a cold
    cache reads and checks a month's inputs for seconds, a year's for minutes)."""
    inputs = Inputs(
        returns=run.path(run.returns),
        kpis=run.path(run.kpis),
        settings=run.path(run.settings),
        trend=run.path(run.trend),
        benchmarks=run.path(run.benchmarks) if run.benchmarks else None,
        national=run.path(run.national),
        cohorts=run.path(run.cohorts_file),
        dfe_rules=run.dfe_rules,
    )
    periods = {"scorecard": run.month_list(), "quarterly": run.quarter_list()}
    jobs: list[Job] = []
    for notebook in run.notebooks:
        for period in periods[notebook]:
            for edition in dict.fromkeys(run.editions):
                say(f"{period} ({edition.value} edition): checking the inputs")
                pages = plan_pages(
                    notebook,
                    period,
                    inputs=inputs,
                    areas=None if run.areas == "all" else list(run.areas),
                    cohorts=run.cohorts,
                    out=run.path(run.out),
                    pdf=run.pdf,
                    force=force,
                    warm=warm,
                    on_new_work=on_new_work,
                    edition=edition,
                )
                say(f"{period} ({edition.value} edition): {len(pages)} page(s) planned")
                jobs += pages
    return jobs


def plan_pages(
    notebook: Notebook,
    period: str,
    *,
    inputs: Inputs,
    areas: list[str] | None,
    cohorts: tuple[str, ...] = ("all",),
    out: Path,
    pdf: bool = False,
    force: bool = False,
    warm: bool = True,
    on_new_work: Callable[[], None] = lambda: None,
    edition: Edition = DEFAULT,
) -> list[Job]:
    """The pages of one period and edition: `areas` (None: every area of the return, the authority first) x
    cohorts, in `<out>/<edition's folder>/`.

    Every input is checked first, and the period's validation report written beside the internal edition's
    pages (the whole report, then the run stops, if any input has an error): it counts and places findings
    about children, so it is never in the public edition's folder. A plan is kept in the disk cache under
    every input's content: a re-run with nothing changed plans without reading a table (or importing a
    library that reads them)."""
    last = period if is_month(period) else quarter_months(period)[-1]
    if edition is Edition.PUBLIC:  # what a version already published hid stays hidden (kept beside the pages)
        inputs = dataclasses.replace(inputs, published=edition_folder(out, Edition.PUBLIC).resolve())
    asked = [
        notebook,
        period,
        repr(areas),
        repr(cohorts),
        str(out),
        str(pdf),
        str(NOTEBOOKS[notebook]),
        edition.value,
    ]  # not force or warm: how the pages are run, not which (a re-run after a forced run finds its plan)
    key = cache.cache_key("plan", asked, page_inputs(inputs, last))
    planned = cache.load(key)
    reported = all((validation_folder(out, period) / name).is_file() for name in (VALIDATION_CSV, VALIDATION_PAGE))
    if isinstance(planned, list) and reported and all(isinstance(job, Job) for job in planned):
        return [dataclasses.replace(job, force=force, warm=warm) for job in planned]
    jobs = _plan_pages(notebook, period, inputs, areas, cohorts, out, pdf, force, warm, on_new_work, edition)
    cache.store(key, jobs)
    return jobs


def period_folder(period: str) -> str:
    """'2019-09', or '2019-20-q2' for a quarter."""
    return period if is_month(period) else quarter_slug(period)


def validation_folder(out: Path, period: str) -> Path:
    """Where a period's validation report goes: beside the internal edition's pages."""
    return edition_folder(out, Edition.INTERNAL) / period_folder(period)


def _plan_pages(
    notebook: Notebook,
    period: str,
    inputs: Inputs,
    areas: list[str] | None,
    cohorts: tuple[str, ...],
    out: Path,
    pdf: bool,
    force: bool,
    warm: bool,
    on_new_work: Callable[[], None],
    edition: Edition,
) -> list[Job]:
    from lacperf_helpers.config.cohorts import load_cohorts
    from lacperf_helpers.ingest.validation import ValidationError, write_report
    from lacperf_helpers.month.data import DISCLOSURE_LOG, check_inputs, keep_decision, month_data, period_log
    from lacperf_helpers.rate.scorecard import order_areas, require_area

    last = period if is_month(period) else quarter_months(period)[-1]
    folder = validation_folder(out, period)
    title = f"Validation of the inputs of {folder.name}"
    try:
        known = check_inputs(last, inputs=inputs, before_work=on_new_work)
    except ValidationError as error:  # every problem beside the pages, then the batch stops
        write_report(error.problems, folder, title)
        raise
    data = month_data(last, inputs=inputs)
    if inputs.published is not None:
        keep_decision(inputs.published, data, last)
    write_report(data.problems, folder, title)
    write_atomically(folder / DISCLOSURE_LOG, csv_text(period_log(data, period)))  # for the data-protection officer
    source = return_path(inputs.returns, last)
    check_file_names(known, source)
    for area in areas or []:
        require_area(known, area, source)
    authority = data.settings.authority  # as the settings name it, or taken from the return
    jobs = []
    # the quarterly appendix is of all children; cohorts are the monthly scorecard's
    defined = load_cohorts(inputs.cohorts)
    for cohort in cohorts if notebook == "scorecard" else ("all",):
        defined.require_exact(cohort, inputs.cohorts, column="cohort")
        ratings = rating_counts(notebook, period, inputs, cohort, edition)
        if not ratings:  # said, not dropped: a month before any SSDA903 extract has no 'excluding UASC' KPI
            log.warning("%s: no KPI is measured for the cohort %r: no page", period, cohort)
        for area in order_areas(areas or known, authority):
            if area not in ratings:
                continue  # no KPI for this cohort in this area
            counts = tuple(ratings[area].items())
            jobs.append(
                Job(
                    notebook=notebook, period=period, area=area, cohort=cohort, out=str(edition_folder(out, edition)),
                    inputs=inputs, pdf=pdf, force=force, warm=warm, ratings=counts,
                    notebook_path=str(NOTEBOOKS[notebook]), edition=edition, authority=authority or "",
                )
            )  # fmt: skip
    return jobs


def die_with(batch: int, log_level: int = logging.WARNING) -> None:
    """In a worker: end when the batch process ends, even by kill -9, rather than finish pages for a batch
    that is gone (Linux's parent-death signal; its kernel follows it: ipykernel watches its parent). Logs
    as the batch does."""
    log_to_stderr(log_level)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker ends when it next finds the queue gone
        return
    if os.getppid() != batch:  # the batch ended before the signal was asked for
        os._exit(1)


def warm_worker() -> None:
    """In a worker, before its first page: start its kernel and import what every page imports."""
    worker_kernel().warm(paths.SCORECARD_NOTEBOOK.parent)


class WorkerPool:
    """The batch's worker processes on this machine: fresh ones, no state shared between appendices.

    Started as soon as the plan knows there are pages to render (`start`, as `plan`'s `on_new_work`), so
    each worker's kernel starts and imports lacperf while the batch still reads and checks the month's
    inputs; a re-run with nothing to render starts none. Used as a context manager: closed at the end
    (waiting for a warm-up under way: a plan that fails soon after starting them ends a second or two later)."""

    def __init__(self, workers: int | None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.pool is not None or self.workers == 1:
            return
        # spawned, not forked: a worker must not inherit the parent's kernel sockets (a fork after a kernel
        # client ran in the parent can hang), and each worker starts clean
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with,
            initargs=(os.getpid(),),
        )
        for _ in range(self.workers):  # each worker is busy with one for a second or two, so each gets one
            self.pool.submit(warm_worker)

    def results(self, jobs: list[tuple[Job, dict[str, Any]]], made_at: str) -> Iterator[JobResult]:
        self.start()
        assert self.pool is not None
        futures = {self.pool.submit(run_job, job, made_at, manifest): job for job, manifest in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker that died: its pages (and those the broken pool still held)
                # are marked failed, the summary and index are still written, and the next run makes them
                job = futures[future]
                yield JobResult(job.label, FAILED, str(job.target), 0.0, f"the worker stopped: {type(exc).__name__}")

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


SCHEDULER_TIMEOUT = "20s"  # to connect to a Dask scheduler


def dask_results(jobs: list[tuple[Job, dict[str, Any]]], made_at: str, scheduler: str) -> Iterator[JobResult]:
    """The same jobs on a Dask distributed cluster (workers must share the file system)."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError(scheduler, "a Dask scheduler needs the distributed package: install lacperf[dask]") from None
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, ValueError, TypeError) as exc:  # no scheduler there, or not an address: one line, not a trace
        said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("--scheduler", f"cannot reach a Dask scheduler at {scheduler!r}: {said}") from None
    with client:
        futures = [client.submit(run_job, job, made_at, manifest, pure=False) for job, manifest in jobs]
        for future in dask_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()


def execute(
    jobs: list[Job],
    workers: int | None = None,
    scheduler: str | None = None,
    on_result: Callable[[JobResult], None] = lambda result: None,
    pool: WorkerPool | None = None,
) -> list[JobResult]:
    """Render the jobs (`lacperf render` and `lacperf batch` alike), skipping pages whose inputs have not
    changed; then the index pages. One worker: in this process, one page after another. `pool`: workers
    the caller started already (else they are started here)."""
    made_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    clear_leftovers()  # kernel sockets of a batch killed before this one
    results = []
    to_render = []
    for job in jobs:  # pages already up to date need no worker (each worker re-checks under its lock)
        manifest = job.manifest(made_at)
        if unchanged(job, manifest["fingerprint"]):
            results.append(JobResult(job.label, SKIPPED, str(job.target), 0.0))
            on_result(results[-1])
        else:
            to_render.append((job, manifest))
    with contextlib.ExitStack() as stack:
        for result in _results(to_render, made_at, workers, scheduler, pool, stack):
            results.append(result)
            if result.status == FAILED:
                log.warning("%s: failed: %s", result.label, result.message)
            else:
                log.info("%s: %s", result.label, result.status)
            on_result(result)
    made = any(result.status == RENDERED for result in results)
    for out in dict.fromkeys(Path(job.out) for job in jobs):  # each edition's folder its own index
        write_indexes(out)
        if made:  # pages made now: every page links them, and names those not made yet (run/links.py)
            with FileLock(str(out / ".index.lock")):
                link_pages(out)
        remove_lock_files(out)
    return results


def _results(
    to_render: list[tuple[Job, dict[str, Any]]],
    made_at: str,
    workers: int | None,
    scheduler: str | None,
    pool: WorkerPool | None,
    stack: contextlib.ExitStack,
) -> Iterable[JobResult]:
    """The pages' results as they finish: on Dask, in the workers started early, in this process (one
    worker or one page), or in workers started now (closed with `stack`)."""
    if not to_render:
        return []
    if scheduler:
        return dask_results(to_render, made_at, scheduler)
    if pool is not None and pool.pool is not None:  # started while the plan was made
        return pool.results(to_render, made_at)
    if min(workers or os.cpu_count() or 1, len(to_render)) == 1:
        return _in_this_process(to_render, made_at)
    own = stack.enter_context(WorkerPool(min(workers or os.cpu_count() or 1, len(to_render))))
    return own.results(to_render, made_at)


_INTERRUPTED = threading.Event()  # Ctrl-C while a page renders in this process


def _in_this_process(to_render: list[tuple[Job, dict[str, Any]]], made_at: str) -> Iterator[JobResult]:
    """The pages one after another in this process. Ctrl-C stops the run (KeyboardInterrupt, exit 130), as it
    does with workers, even where the kernel's client turns it into an error of the page in hand."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield from (run_job(job, made_at, manifest) for job, manifest in to_render)
        return
    previous = signal.getsignal(signal.SIGINT)

    def noticed(signum: int, frame: object) -> None:
        _INTERRUPTED.set()
        raise KeyboardInterrupt

    _INTERRUPTED.clear()
    signal.signal(signal.SIGINT, noticed)
    try:
        for job, manifest in to_render:
            yield run_job(job, made_at, manifest)
    finally:
        signal.signal(signal.SIGINT, previous)
        _INTERRUPTED.clear()


def remove_lock_files(out: Path) -> None:
    """The run's lock files, once nobody holds them (another batch at work keeps its own)."""
    for path in [*out.glob(".*.lock"), *out.glob("*/.*.lock")]:
        lock = FileLock(str(path))
        try:
            with lock.acquire(timeout=0):
                path.unlink(missing_ok=True)
        except (Timeout, OSError):
            continue


# --- index pages -------------------------------------------------------------------------------------


def _index_template() -> jinja2.Template:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return environment.get_template("index.html.j2")


def _authority_first(manifest: dict[str, Any]) -> tuple[bool, str, str]:
    if isinstance(manifest.get("authority"), str) and manifest["authority"]:  # as the batch knew it
        return (manifest["area"] != manifest["authority"], str(manifest["area"]).casefold(), str(manifest["cohort"]))
    given = manifest.get("parameters")
    settings_file = given.get("settings_file") if isinstance(given, dict) else None
    try:  # the manifest names it relative to the project folder
        settings = paths.PROJECT_ROOT / str(settings_file) if settings_file else None
        authority = load_settings(settings).authority if settings is not None and settings.exists() else None
    except InputError:  # changed since the page was made: the authority is then listed among its areas
        authority = None
    return (manifest["area"] != authority, str(manifest["area"]).casefold(), str(manifest["cohort"]))


# What an index reads of a page's manifest, and its type
_LISTED = {"fingerprint": str, "html": str, "period": str, "area": str, "cohort": str, "ratings": dict}


def _page_manifest(path: Path) -> dict[str, Any] | None:
    """A page's manifest, or None for any other .json in a report folder (not JSON, not UTF-8, a list, a file
    of the user's): skipped with a warning, so one stray file never stops every later batch's index."""
    try:
        manifest = json.loads(read_regular_file(path, "a page's manifest"))
    except (ValueError, InputError) as exc:  # not JSON or not UTF-8 (both ValueError), a FIFO, too large
        manifest, why = None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    else:
        why = "not a page's manifest"
    if isinstance(manifest, dict) and all(isinstance(manifest.get(k), t) for k, t in _LISTED.items()):
        page: dict[str, Any] = manifest
        if Path(page["html"]).name == page["html"] not in ("", ".", ".."):  # a page beside it, never a path
            return page
    log.warning("%s: not listed in the index: %s", path, why)
    return None


def write_indexes(out: Path) -> None:
    """`<out>/<period>/index.html` for each period and `<out>/index.html` listing the periods, `out` an
    edition's folder: an index lists only its own edition's pages.

    Built from the manifests on disk, so pages made by earlier batches are listed too.
    """
    template = _index_template()
    internal = out.name == FOLDERS[Edition.INTERNAL]  # an edition's pages and indexes are in its own folder
    with FileLock(str(out / ".index.lock")):
        by_folder: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(out.glob("*/*.json")):
            manifest = _page_manifest(path)
            if manifest is not None and (path.parent / manifest["html"]).is_file():
                by_folder.setdefault(path.parent.name, []).append(manifest)
        periods = []
        for folder, appendices in sorted(by_folder.items(), reverse=True):
            appendices.sort(key=_authority_first)
            period = str(appendices[0]["period"])
            period = month_label(period) if is_month(period) else period
            title = f"Children in Care scorecard · {period}"
            page = template.render(
                title=title, appendices=appendices, periods=[], version=__version__, internal=internal
            )
            write_atomically(out / folder / "index.html", page)
            periods.append({"folder": folder, "period": period, "count": len(appendices)})
        if periods:
            page = template.render(
                title="Children in Care scorecard", appendices=[], periods=periods, version=__version__,
                internal=internal,
            )  # fmt: skip
            write_atomically(out / "index.html", page)
