"""A job: one appendix to render (a notebook x period x area x cohort x edition), and rendering it.

Its fingerprint hashes everything the page is made from (the notebook, the lacperf version, the parameter
files and every return file up to the period's end); an appendix whose manifest carries the same fingerprint
is skipped unless forced. Each job holds a lock on its appendix while it works, so two batches started at
once take turns rather than interleave, and pages are renamed into place whole, so a failed or interrupted
run leaves the last good one.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import multiprocessing.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from lacperf_helpers import __version__
from lacperf_helpers.config.cache import code_hash
from lacperf_helpers.config.editions import DEFAULT, Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import last_month, period_folder
from lacperf_helpers.config.vocabulary import ALL
from lacperf_helpers.ingest.manifest import Manifest, RunHashes, describe
from lacperf_helpers.run.pages import NOTEBOOKS, TEMPLATE, RenderError, appendix_path

if TYPE_CHECKING:
    from lacperf_helpers.run.pdf import Printer
    from lacperf_helpers.run.render import WarmKernel


RENDERED, SKIPPED, FAILED = "rendered", "skipped as unchanged", "failed"


class PageManifest(Manifest):
    """A rendered page's manifest, as written beside it (<area>.json): what it was made from, which page it
    is, its fingerprint and files, and its ratings for the index."""

    fingerprint: str
    notebook: str
    period: str
    area: str
    cohort: str
    edition: str
    html: str  # the page's file name, beside the manifest
    pdf: str  # its PDF's, or blank
    ratings: dict[str, int]  # Green / Amber / Red / Not rated
    authority: str  # the authority as a whole, listed first in the index


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
        return last_month(self.period)

    @property
    def target(self) -> Path:
        return appendix_path(self.out, self.folder, self.area, self.cohort)

    @property
    def manifest_file(self) -> Path:
        return self.target.with_suffix(".json")

    @property
    def label(self) -> str:
        cohort = "" if self.cohort == ALL else f" ({self.cohort})"
        return f"{self.notebook} {self.period} {self.area}{cohort}" + (
            " (internal edition)" if self.edition is Edition.INTERNAL else ""
        )

    def parameters(self, made_at: str) -> dict[str, str | bool]:
        """The notebook's parameters (the page's own; `area` and the manifest are added when rendered)."""
        own = (
            {"month": self.period, "cohort": self.cohort} if self.notebook == "scorecard" else {"quarter": self.period}
        )
        return {**own, **self.inputs.notebook_parameters(), "made_at": made_at, "edition": self.edition.value}

    def manifest(self, made_at: str, run: RunHashes | None = None) -> PageManifest:
        """What the page is made from, with its fingerprint: made once per page and passed on (to the notebook,
        which shows it, and beside the page as JSON). `run`: the hashes of the run the page is one of."""
        made = describe(
            self.inputs,
            self.last_month,
            {**self.parameters(made_at), "area": self.area},
            made_at,
            code=(self.notebook_file, TEMPLATE),
            run=run,
        )
        identity = {
            "notebook": self.notebook, "period": self.period, "area": self.area, "cohort": self.cohort,
            "edition": self.edition.value,
        }  # fmt: skip
        return PageManifest(
            **made,
            fingerprint=fingerprint({**identity, "pdf": self.pdf}, made),
            notebook=self.notebook,
            period=self.period,
            area=self.area,
            cohort=self.cohort,
            edition=self.edition.value,
            html=self.target.name,
            pdf=self.target.with_suffix(".pdf").name if self.pdf else "",
            ratings=dict(self.ratings),
            authority=self.authority,
        )


@dataclass
class JobResult:
    label: str
    status: str
    path: str
    seconds: float
    message: str = ""
    pdf: str = ""


def fingerprint(identity: dict[str, Any], manifest: Manifest) -> str:
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


_WORKER_KERNEL: list[WarmKernel] = []  # imported when a page is rendered: a re-run needs none of it


def worker_kernel() -> WarmKernel:
    """This worker process's warm kernel, shut down when the process ends."""
    from lacperf_helpers.run.render import WarmKernel

    if not _WORKER_KERNEL:
        kernel = WarmKernel()
        multiprocessing.util.Finalize(kernel, kernel.shutdown, exitpriority=10)
        _WORKER_KERNEL.append(kernel)
    return _WORKER_KERNEL[0]


INTERRUPTED = threading.Event()  # Ctrl-C while a page renders in this process


def run_job(job: Job, made_at: str, manifest: PageManifest | None = None) -> JobResult:
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
            if INTERRUPTED.is_set():
                raise KeyboardInterrupt from None
            reason = str(exc) if isinstance(exc, RenderError | InputError) else f"{type(exc).__name__}: {exc}"
            if isinstance(exc, OSError) and exc.strerror:
                reason = f"{exc.strerror} ({exc.filename})"
            return JobResult(job.label, FAILED, str(job.target), time.perf_counter() - started, reason)
        pdf = str(job.target.with_suffix(".pdf")) if job.pdf else ""
        return JobResult(job.label, RENDERED, str(job.target), time.perf_counter() - started, pdf=pdf)


_PRINTER: list[tuple[Printer, multiprocessing.util.Finalize]] = []  # started at the first PDF: else none


def _print_pdf(page: Path) -> None:
    printer().print(page)


def printer() -> Printer:
    """This process's browser for its pages' PDFs: kept for a worker's every page and closed when the worker
    ends; in the run's own process, closed when the run ends (`close_printer`)."""
    from lacperf_helpers.run.pdf import Printer

    if not _PRINTER:
        kept = Printer()
        _PRINTER.append((kept, multiprocessing.util.Finalize(kept, kept.close, exitpriority=10)))
    return _PRINTER[0][0]


def close_printer() -> None:
    """Close this process's browser, if it started one (and forget it: nothing is left to do at exit)."""
    if _PRINTER:
        _, close = _PRINTER.pop()
        close()
