"""Running the jobs: in this process, in worker processes on this machine (each with a warm kernel), or
on a Dask cluster; then each edition's index pages."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from lacperf_helpers.config import paths
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.paths import leave_memory_to_the_system_at_exit, log_to_stderr
from lacperf_helpers.ingest.manifest import RunHashes
from lacperf_helpers.run.index_pages import write_indexes
from lacperf_helpers.run.jobs import (
    FAILED,
    INTERRUPTED,
    RENDERED,
    SKIPPED,
    Job,
    JobResult,
    PageManifest,
    close_printer,
    run_job,
    unchanged,
    worker_kernel,
)
from lacperf_helpers.run.links import link_pages
from lacperf_helpers.run.pages import clear_leftovers

log = logging.getLogger("lacperf.batch")


def die_with(batch: int, log_level: int = logging.WARNING) -> None:
    """In a worker: end when the batch process ends, even by kill -9, rather than finish pages for a batch
    that is gone (Linux's parent-death signal; its kernel follows it: ipykernel watches its parent). Logs
    as the batch does."""
    log_to_stderr(log_level)
    leave_memory_to_the_system_at_exit()  # a worker's pages: collected at its exit, a fifth of a second
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

    def results(self, jobs: list[tuple[Job, PageManifest]], made_at: str) -> Iterator[JobResult]:
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


def dask_results(jobs: list[tuple[Job, PageManifest]], made_at: str, scheduler: str) -> Iterator[JobResult]:
    """The same jobs on a Dask distributed cluster (workers must share the file system)."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError(scheduler, "a Dask scheduler needs the distributed package: install lacperf[dask]") from None
    refused: InputError | None = None
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, ValueError, TypeError) as exc:  # no scheduler there, or not an address: one line, not a trace
        said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        refused = InputError("--scheduler", f"cannot reach a Dask scheduler at {scheduler!r}: {said}")
    except Exception:  # something answered, not as a scheduler: a web server's reply read as a frame's length
        # asked for exabytes (MemoryError)
        refused = InputError("--scheduler", f"{scheduler!r} answered, but not as a Dask scheduler does: is it the "
                             "dashboard's address (port 8787 by default) and not the scheduler's (8786)?")  # fmt: skip
    if refused is not None:
        # A client refused an address (ValueError, TypeError) is left half made, in a reference cycle, and closes
        # itself when collected: left to the collector, that can happen inside another client's start, and its
        # close then waits for ever on the lock distributed's start holds (a test run hung so). Collected here,
        # the exception that held it gone, it closes now. (One that timed out has closed itself already.)
        gc.collect()
        raise refused
    with client:
        futures = {client.submit(run_job, job, made_at, manifest, pure=False): job for job, manifest in jobs}
        for future in dask_completed(list(futures)):  # type: ignore[no-untyped-call]
            try:
                yield future.result()
            except Exception as exc:  # the scheduler lost, or the worker gone: as in a local pool, the page is
                # marked failed, the summary and index are still written, and the next run makes it
                job = futures[future]
                yield JobResult(
                    job.label, FAILED, str(job.target), 0.0, f"the Dask cluster lost it: {type(exc).__name__}"
                )


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
    run = RunHashes()  # each input read once for every page of the run, not once a page
    for job in jobs:  # pages already up to date need no worker (each worker re-checks under its lock)
        manifest = job.manifest(made_at, run)
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
    to_render: list[tuple[Job, PageManifest]],
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


def _in_this_process(to_render: list[tuple[Job, PageManifest]], made_at: str) -> Iterator[JobResult]:
    """The pages one after another in this process. Ctrl-C stops the run (KeyboardInterrupt, exit 130), as it
    does with workers, even where the kernel's client turns it into an error of the page in hand."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        try:
            yield from (run_job(job, made_at, manifest) for job, manifest in to_render)
        finally:
            close_printer()
        return
    previous = signal.getsignal(signal.SIGINT)

    def noticed(signum: int, frame: object) -> None:
        INTERRUPTED.set()
        raise KeyboardInterrupt

    INTERRUPTED.clear()
    signal.signal(signal.SIGINT, noticed)
    try:
        for job, manifest in to_render:
            yield run_job(job, made_at, manifest)
    finally:
        signal.signal(signal.SIGINT, previous)
        INTERRUPTED.clear()
        close_printer()  # this process goes on after the run: its browser does not


def remove_lock_files(out: Path) -> None:
    """The run's lock files, once nobody holds them (another batch at work keeps its own)."""
    for path in [*out.glob(".*.lock"), *out.glob("*/.*.lock")]:
        lock = FileLock(str(path))
        try:
            with lock.acquire(timeout=0):
                path.unlink(missing_ok=True)
        except (Timeout, OSError):
            continue
