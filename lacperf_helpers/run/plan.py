"""The plan: a run file's jobs, every input checked first (notebooks x periods x areas x cohorts x
editions), with each period's validation report and disclosure log written beside its pages. A plan is
kept in the disk cache, so a re-run with nothing changed plans without reading a table."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

from lacperf_helpers.config import cache
from lacperf_helpers.config.editions import DEFAULT, Edition, edition_folder
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.paths import csv_text, write_atomically
from lacperf_helpers.config.periods import last_month, period_folder
from lacperf_helpers.config.vocabulary import ALL
from lacperf_helpers.ingest.layout import VALIDATION_CSV, VALIDATION_PAGE, return_path
from lacperf_helpers.ingest.manifest import page_inputs
from lacperf_helpers.month.stamp import worked_out
from lacperf_helpers.run.jobs import Job
from lacperf_helpers.run.pages import NOTEBOOKS, Notebook, check_file_names
from lacperf_helpers.run.run_file import RunFile

log = logging.getLogger("lacperf.batch")


def rating_counts(
    notebook: str, period: str, inputs: Inputs, cohort: str = ALL, edition: Edition = DEFAULT
) -> dict[str, dict[str, int]]:
    """Per area, the Green / Amber / Red / not rated counts of its page in `edition`, for the index."""
    from lacperf_helpers.month.edition import edition_view
    from lacperf_helpers.month.edition import rating_counts as counts_of

    last = last_month(period)
    return counts_of(edition_view(last, inputs=inputs, edition=edition, cohort=cohort), notebook, period)


def plan(
    run: RunFile,
    force: bool = False,
    warm: bool = True,
    on_new_work: Callable[[], None] = lambda: None,
    say: Callable[[str], None] = lambda line: None,
) -> list[Job]:
    """The jobs of a run: notebooks x periods x areas x cohorts, every input checked first. `on_new_work` is
    called when a period's inputs are new (nothing has worked out its figures: pages will be rendered), before
    they are parsed and checked, even before the libraries that do so are imported: the batch starts its workers
    then (`WorkerPool.start`), and their kernels start alongside.
    `say`: called with a line of progress as each period's inputs are checked and its pages planned (a cold
    cache reads and checks a month's inputs for seconds, a year's for minutes)."""
    inputs = run.inputs()
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
    cohorts: tuple[str, ...] = (ALL,),
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
    last = last_month(period)
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
    if not worked_out(last, inputs):  # pages to make: the workers start their kernels while the month is worked out
        on_new_work()
    jobs = _plan_pages(notebook, period, inputs, areas, cohorts, out, pdf, force, warm, edition)
    cache.store(key, jobs)
    return jobs


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
    edition: Edition,
) -> list[Job]:
    from lacperf_helpers.config.cohorts import load_cohorts
    from lacperf_helpers.ingest.validation import ValidationError, write_report
    from lacperf_helpers.month.data import DISCLOSURE_LOG, check_inputs, keep_decision, month_data, period_log
    from lacperf_helpers.rate.scorecard import order_areas, require_area

    last = last_month(period)
    folder = validation_folder(out, period)
    title = f"Validation of the inputs of {folder.name}"
    try:
        known = check_inputs(last, inputs=inputs)
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
    for cohort in cohorts if notebook == "scorecard" else (ALL,):
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
