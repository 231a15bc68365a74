"""`lacperf batch`: every appendix a run file asks for, in parallel, skipping what has not changed.

Its parts, each in its own module: the run file (run_file.py), a job and rendering it (jobs.py), the plan
that makes a run's jobs with every input checked first (plan.py), the workers that run them (workers.py),
and the index pages (index_pages.py). The names are here too, for those who import them from here.
"""

from __future__ import annotations

from lacperf_helpers.run.index_pages import write_indexes
from lacperf_helpers.run.jobs import FAILED, RENDERED, SKIPPED, Job, JobResult, fingerprint, run_job, worker_kernel
from lacperf_helpers.run.pages import NOTEBOOKS, Notebook
from lacperf_helpers.run.plan import plan, plan_pages, validation_folder
from lacperf_helpers.run.run_file import RUN_PATHS, MonthRange, RunFile, load_run
from lacperf_helpers.run.workers import SCHEDULER_TIMEOUT, WorkerPool, dask_results, execute

__all__ = [
    "FAILED", "NOTEBOOKS", "RENDERED", "RUN_PATHS", "SCHEDULER_TIMEOUT", "SKIPPED", "Job", "JobResult", "MonthRange",
    "Notebook", "RunFile", "WorkerPool", "dask_results", "execute", "fingerprint", "load_run", "plan", "plan_pages",
    "run_job", "validation_folder", "worker_kernel", "write_indexes",
]  # fmt: skip
