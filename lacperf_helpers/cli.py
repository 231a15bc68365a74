"""The `lacperf` command: the monthly scorecard as a CSV, and the HTML appendices per area."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from typer.core import TyperGroup

from lacperf_helpers.config import paths
from lacperf_helpers.config.editions import DEFAULT, FOLDERS, Edition, parse_edition
from lacperf_helpers.config.errors import InputError, printable
from lacperf_helpers.config.periods import reporting_month, reporting_quarter
from lacperf_helpers.config.vocabulary import ALL

if TYPE_CHECKING:  # names for annotations only: the heavy modules are imported where a command needs them,
    # so `lacperf --help` answers at once
    import pandas as pd
    from rich.console import Console

    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.run.jobs import Job, JobResult
    from lacperf_helpers.run.workers import WorkerPool


class _OneLineGroup(TyperGroup):
    """Every command's last word on what went wrong: bad input, or a file that cannot be read or written
    anywhere in a command (a full disk, a read-only folder), is one line naming the file and exit 2; Ctrl-C
    stops the run, exit 130 as a shell counts it. Never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # click's Context, which typer vendors privately
        try:
            return super().invoke(ctx)
        except InputError as exc:
            typer.echo(f"lacperf: {exc}", err=True)
            raise typer.Exit(2) from None
        except OSError as exc:
            where = printable(exc.filename) + ": " if exc.filename else ""
            typer.echo(f"lacperf: {where}{printable(exc.strerror or exc)}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("lacperf: interrupted: stopped (pages made so far are whole, the rest not made)", err=True)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_OneLineGroup,
    help="lacperf: the Children in Care monthly performance scorecard (KPIs, RAG, direction of travel).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
kpis_app = typer.Typer(help="Look at the KPI definitions.", no_args_is_help=True)


@app.callback()
def _logging(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also log each page made and each decision taken on the way.")
    ] = False,
) -> None:
    """lacperf: the Children in Care monthly performance scorecard (KPIs, RAG, direction of travel)."""
    import logging

    from lacperf_helpers.config.paths import leave_memory_to_the_system_at_exit, log_to_stderr

    log_to_stderr(logging.INFO if verbose else logging.WARNING)
    leave_memory_to_the_system_at_exit()


app.add_typer(kpis_app, name="kpis")

T = TypeVar("T")


def _check_month(month: str) -> str:
    try:
        reporting_month(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return month


ReturnsOption = Annotated[
    Path,
    typer.Option(
        "--returns",
        help="Folder of monthly returns: one folder per month, <YYYY-MM>/kpi_return.csv.",
        file_okay=False,
    ),
]
KpisOption = Annotated[
    Path,
    typer.Option("--kpis", help="KPI definitions (targets, floors, polarity), e.g. parameters/kpis.yaml."),
]
MonthOption = Annotated[
    str, typer.Option("--month", help="Reporting month, YYYY-MM (e.g. 2019-09).", callback=_check_month)
]
AreasOption = Annotated[
    list[str] | None,
    typer.Option("--area", help="Area to render; repeat for several. Default: every area in the return."),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Worker processes (default: this machine's cores; 1: in this process)."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Render even appendices whose inputs have not changed.")]
PdfOption = Annotated[
    bool, typer.Option("--pdf", help="Also print each appendix to PDF beside its HTML (for board papers).")
]
TrendOption = Annotated[
    Path,
    typer.Option(
        "--trend",
        "--trend-settings",  # its first name, kept
        help="The trend window, test and SPC rules, e.g. parameters/trend.yaml.",
        exists=True,
        dir_okay=False,
    ),
]
BenchmarksOption = Annotated[
    Path | None,
    typer.Option(
        "--benchmarks",
        help="England and statistical neighbour figures (default: none), e.g. the sample's parameters/benchmarks.csv.",
        exists=True,
        dir_okay=False,
    ),
]
SettingsOption = Annotated[
    Path,
    typer.Option(
        "--settings",
        help="The authority's settings: its name, notice and small-cohort threshold (default: "
        "parameters/settings.yaml, no council's; the sample's: parameters/sample-settings.yaml).",
    ),
]
CohortsOption = Annotated[
    Path,
    typer.Option("--cohorts", help="Named cohorts and breakdowns of your own, e.g. parameters/cohorts.yaml."),
]
NationalOption = Annotated[
    Path,
    typer.Option(
        "--national",
        help="Folder of the DfE's local-authority tables and statistical neighbours (la_indicators.csv, "
        "statistical_neighbours.csv, population.csv), e.g. parameters/national.",
        file_okay=False,
    ),
]


def _check_edition(edition: str | None) -> str | None:
    if edition is None:
        return None
    try:
        return parse_edition(edition).value
    except InputError as exc:
        raise typer.BadParameter(exc.message) from None


def _check_editions(editions: list[str] | None) -> list[str] | None:
    return None if editions is None else [str(_check_edition(e)) for e in editions]


EditionOption = Annotated[
    str,
    typer.Option(
        "--edition",
        help="public (the default: small numbers hidden, safe to publish) or internal (every figure, marked not "
        "for publication, for the council's own staff).",
        callback=_check_edition,
    ),
]
EditionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--edition",
        help="public (the default: small numbers hidden, safe to publish) or internal (every figure, marked not "
        "for publication); repeat for both. Each edition goes in its own folder under --out.",
        callback=_check_editions,
    ),
]
PublishedOption = Annotated[
    Path | None,
    typer.Option(
        "--published",
        help="The public edition's folder of pages (e.g. reports/public): what a version of a month published there "
        "hid stays hidden in this CSV too, as on the pages. Default: none.",
        file_okay=False,
    ),
]
CohortOption = Annotated[
    str | None,
    typer.Option("--cohort", help="Only this cohort, by its name in --cohorts (e.g. 'excluding UASC'). Default: all."),
]


def _run(action: Callable[[], T], report_to: Path | None = None) -> T:
    """Run `action`; bad input becomes one line naming file, row and column, and exit code 2. Inputs that
    fail validation are listed as a table, and (given `report_to`) written there as validation.csv/html."""
    try:
        return action()
    except InputError as exc:
        from lacperf_helpers.ingest.validation import ValidationError as InputValidationError

        if isinstance(exc, InputValidationError):
            _show_problems(exc.problems, report_to)
        typer.echo(f"lacperf: {exc}", err=True)
        raise typer.Exit(2) from None


SHOWN_PROBLEMS = 20


def _show_problems(problems: pd.DataFrame, report_to: Path | None) -> None:
    """Errors on the console as a table, each where it is; then one line per kind of warning with its count
    (not a line per row); and the report, every problem, beside the appendices."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from lacperf_helpers.ingest.validation import ERROR, PROBLEM_COLUMNS, write_report

    console = Console(stderr=True)
    errors = problems.loc[problems["severity"] == ERROR]
    warnings = problems.loc[problems["severity"] != ERROR]
    console.print(f"{len(errors)} error(s), {len(warnings)} warning(s)", highlight=False, markup=False)
    if len(errors):
        table = Table(title="errors", show_lines=False)
        for column in PROBLEM_COLUMNS:
            table.add_column(column, overflow="fold")
        for r in errors.head(SHOWN_PROBLEMS).itertuples(index=False):
            row = "" if pd.isna(r.row) else str(r.row)  # type: ignore[arg-type]
            cells = (Path(str(r.file)).name, row, *(str(getattr(r, c)) for c in PROBLEM_COLUMNS[2:]))
            table.add_row(*(Text(printable(cell)) for cell in cells))  # the inputs' own text: never markup or a control
        console.print(table, highlight=False)
        if len(errors) > SHOWN_PROBLEMS:
            console.print(f"... and {len(errors) - SHOWN_PROBLEMS} more error(s)", highlight=False, markup=False)
    for rule, kind in warnings.groupby("rule", sort=False):
        files = ", ".join(sorted({Path(str(f)).name for f in kind["file"]}))
        console.print(Text(printable(f"warning: {len(kind)} x {rule} ({files})")), highlight=False)
    if report_to is not None:
        csv_path, page = write_report(problems, report_to, f"Validation of the inputs of {report_to.name}")
        console.print(f"every problem: {csv_path} and {page}", highlight=False, markup=False)


@app.command(short_help="Check every input a month's pages read, and list every problem.")
def validate(
    returns: ReturnsOption,
    month: MonthOption,
    kpis: KpisOption = paths.KPIS_FILE,
    settings: SettingsOption = paths.SETTINGS_FILE,
    trend: TrendOption = paths.TREND_FILE,
    benchmarks: BenchmarksOption = None,
    national: NationalOption = paths.NATIONAL,
    cohorts: CohortsOption = paths.COHORTS_FILE,
    out: Annotated[
        str,
        typer.Option("--out", help="Folder for <out>/<YYYY-MM>/validation.csv and validation.html; - for none."),
    ] = str(paths.REPORTS),
    dfe_rules: Annotated[
        bool,
        typer.Option(
            "--dfe-rules",
            help="Also run the DfE's own SSDA903 rules (csc-validator-be-903) over the month's extract; its "
            "environment is made on first use.",
        ),
    ] = False,
) -> None:
    """Check every input a page of the month reads (the returns and extracts up to it, the KPI definitions,
    settings and benchmarks) and list every problem: file, row, column, value, rule, severity.

    Exits 2 if any is an error; warnings are stated in the appendices' data-quality notes."""
    from lacperf_helpers.ingest.validation import ERROR, write_report
    from lacperf_helpers.month.data import validate_month

    inputs = _inputs(
        returns=returns, kpis=kpis, settings=settings, trend=trend, benchmarks=benchmarks, national=national,
        cohorts=cohorts, dfe_rules=dfe_rules,
    )  # fmt: skip
    problems = _run(lambda: validate_month(month, inputs=inputs))  # the DfE rules' set-up can fail: one line
    report_to = None if out == "-" else Path(out) / month
    if problems.empty:
        typer.echo(f"{month}: no errors, no warnings")
        if report_to is not None:
            write_report(problems, report_to, f"Validation of the inputs of {month}")
        return
    _show_problems(problems, report_to)
    errors = int((problems["severity"] == ERROR).sum())
    if errors:
        typer.echo(f"lacperf: {month}: {errors} error(s) in the inputs", err=True)
        raise typer.Exit(2)
    typer.echo(f"{month}: no errors, {len(problems)} warning(s)")


@app.command(short_help="Write the month's tidy scorecard as a CSV (small numbers hidden).")
def scorecard(
    returns: ReturnsOption,
    month: MonthOption,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write the tidy scorecard to.", dir_okay=False)],
    kpis: KpisOption = paths.KPIS_FILE,
    area: Annotated[
        str | None, typer.Option("--area", help="Only this area (e.g. 'South Kent'); default: every area.")
    ] = None,
    settings: SettingsOption = paths.SETTINGS_FILE,
    cohorts: CohortsOption = paths.COHORTS_FILE,
    national: NationalOption = paths.NATIONAL,
    cohort: CohortOption = None,
    breakdown: Annotated[
        str | None,
        typer.Option(
            "--breakdown",
            help="Only this breakdown: total, age_band, sex, ethnicity, legal_status, placement_type. Default: all.",
        ),
    ] = None,
    edition: EditionOption = DEFAULT.value,
    published: PublishedOption = None,
) -> None:
    """Write the tidy scorecard: one row per month x area x KPI x cohort x breakdown x group, with RAG,
    last month and direction. Headline rows are cohort 'all', breakdown 'total', group 'all'.

    The public edition (the default) hides small numbers ('c') and rates only what it shows; the internal edition
    has every figure, each row marked 'internal: not for publication'."""
    from lacperf_helpers.config.paths import write_atomically
    from lacperf_helpers.disclose.publishing import published_csv
    from lacperf_helpers.month.tables import scorecard_table

    inputs = _inputs(
        returns=returns, kpis=kpis, settings=settings, national=national, cohorts=cohorts, published=published
    )
    view = _run(
        lambda: scorecard_table(
            month, inputs=inputs, edition=Edition(edition), area=area, cohort=cohort, breakdown=breakdown
        ),
        out.parent,
    )  # every problem beside the CSV, as the one-line error says
    card = view.frame
    write_atomically(out, published_csv(view))
    typer.echo(
        f"wrote {out}: {len(card)} rows ({card['area'].nunique()} area(s) x {card['kpi_id'].nunique()} KPIs)"
        + _edition_said(view.edition)
    )


def _edition_said(edition: Edition) -> str:
    return ", internal edition: NOT FOR PUBLICATION" if edition is Edition.INTERNAL else ", public edition"


@app.command(short_help="Render each area's monthly HTML appendix.")
def render(
    returns: ReturnsOption,
    month: MonthOption,
    kpis: KpisOption = paths.KPIS_FILE,
    area: AreasOption = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the appendices: <out>/<YYYY-MM>/<area>.html.", file_okay=False),
    ] = paths.REPORTS,
    settings: SettingsOption = paths.SETTINGS_FILE,
    trend: TrendOption = paths.TREND_FILE,
    benchmarks: BenchmarksOption = None,
    national: NationalOption = paths.NATIONAL,
    pdf: PdfOption = False,
    cohorts: CohortsOption = paths.COHORTS_FILE,
    cohort: Annotated[
        str, typer.Option("--cohort", help="A cohort named in --cohorts: its KPIs measured from SSDA903 data.")
    ] = ALL,
    force: ForceOption = False,
    workers: WorkersOption = None,
    edition: EditionsOption = None,
) -> None:
    """Render the HTML appendix of each area: summary, scorecard table, trends and notes, code hidden.

    A batch of one month: the inputs are checked once before any notebook runs, pages whose inputs have not
    changed are skipped (--force renders them), and the index pages list every page. An area that fails
    does not stop the others; its last good appendix stays in place, and the command exits 1 naming it.
    """
    inputs = _inputs(
        returns=returns, kpis=kpis, settings=settings, trend=trend, benchmarks=benchmarks, national=national,
        cohorts=cohorts,
    )  # fmt: skip
    _render_pages(
        "scorecard", month, inputs, area, (cohort,), out, pdf=pdf, force=force, workers=workers, editions=edition
    )


@app.command("render-quarter", short_help="Render each area's quarterly HTML appendix.")
def render_quarter(
    returns: ReturnsOption,
    quarter: Annotated[
        str,
        typer.Option(
            "--quarter",
            help="Financial-year quarter, e.g. 'Q2 2019/20' (July to September 2019).",
            callback=_check_quarter,
        ),
    ],
    kpis: KpisOption = paths.KPIS_FILE,
    area: AreasOption = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the appendices: <out>/<YYYY-YY-qN>/<area>.html.", file_okay=False),
    ] = paths.REPORTS,
    settings: SettingsOption = paths.SETTINGS_FILE,
    trend: TrendOption = paths.TREND_FILE,
    benchmarks: BenchmarksOption = None,
    national: NationalOption = paths.NATIONAL,
    cohorts: CohortsOption = paths.COHORTS_FILE,
    pdf: PdfOption = False,
    force: ForceOption = False,
    workers: WorkersOption = None,
    edition: EditionsOption = None,
) -> None:
    """Render the quarterly appendix of each area: the quarter against the previous quarter, the same
    quarter last year, the year to date and the rolling 12 months, with trends at the quarter's end.
    A batch of one quarter, as `render` is of one month."""
    inputs = _inputs(
        returns=returns, kpis=kpis, settings=settings, trend=trend, benchmarks=benchmarks, national=national,
        cohorts=cohorts,
    )  # fmt: skip
    _render_pages(
        "quarterly", quarter, inputs, area, (ALL,), out, pdf=pdf, force=force, workers=workers, editions=edition
    )


def _check_quarter(quarter: str) -> str:
    try:
        reporting_quarter(quarter)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return quarter


def _inputs(
    *,
    returns: Path,
    kpis: Path = paths.KPIS_FILE,
    settings: Path = paths.SETTINGS_FILE,
    trend: Path = paths.TREND_FILE,
    benchmarks: Path | None = None,
    national: Path = paths.NATIONAL,
    cohorts: Path = paths.COHORTS_FILE,
    dfe_rules: bool = False,
    published: Path | None = None,
) -> Inputs:
    """Every command's inputs, one option each (--returns, --kpis, --settings, --trend, --benchmarks, --national,
    --cohorts), as absolute paths (the kernel runs in notebooks/). No benchmarks for the CSV commands: their CSVs
    are the council's own figures."""
    from lacperf_helpers.config.inputs import Inputs

    return Inputs(
        returns=returns.resolve(), kpis=kpis.resolve(), settings=settings.resolve(), trend=trend.resolve(),
        benchmarks=benchmarks.resolve() if benchmarks is not None else None, national=national.resolve(),
        cohorts=cohorts.resolve(), dfe_rules=dfe_rules, published=published.resolve() if published else None,
    )  # fmt: skip


def _render_pages(
    notebook: Literal["scorecard", "quarterly"],
    period: str,
    inputs: Inputs,
    areas: list[str] | None,
    cohorts: tuple[str, ...],
    out: Path,
    *,
    pdf: bool,
    force: bool,
    workers: int | None,
    editions: list[str] | None,
) -> None:
    """`render` and `render-quarter`: the period's pages planned and run as a batch is (its workers started
    alongside the plan where there may be more than one page), each edition in its own folder."""
    from lacperf_helpers.run.plan import plan_pages
    from lacperf_helpers.run.workers import WorkerPool

    chosen = [Edition(e) for e in dict.fromkeys(editions or [DEFAULT.value])]
    several = areas is None or len(areas) * len(cohorts) * len(chosen) > 1
    with WorkerPool(workers) as pool:
        start = pool.start if several else lambda: None
        jobs = _run(
            lambda: [
                job
                for edition in chosen
                for job in plan_pages(
                    notebook,
                    period,
                    inputs=inputs,
                    areas=areas,
                    cohorts=cohorts,
                    out=out,
                    pdf=pdf,
                    force=force,
                    on_new_work=start,
                    edition=edition,
                )
            ]
        )
        if not jobs:
            typer.echo(
                f"lacperf: nothing to render: no KPI is measured for the cohort {cohorts[0]!r} in {period}", err=True
            )
            raise typer.Exit(2)
        _execute(jobs, workers, None, pool)


def _execute(jobs: list[Job], workers: int | None, scheduler: str | None, pool: WorkerPool | None = None) -> None:
    """Run the jobs with a progress bar, then the summary; exit 1 if any page failed. `pool`: workers
    started while the jobs were planned."""
    from rich.console import Console

    from lacperf_helpers.run.workers import execute

    console = Console(stderr=True)
    if console.is_terminal:
        from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn

        columns = (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("Rendering appendices", total=len(jobs))
            results = execute(jobs, workers, scheduler, on_result=lambda result: progress.advance(task), pool=pool)
    else:  # a log file or a scheduler's capture: a line per page as it is done (a bar would show only at the end)
        done = itertools.count(1)

        def said(result: JobResult) -> None:
            seconds = f" in {result.seconds:.1f} s" if result.seconds else ""
            typer.echo(printable(f"[{next(done)}/{len(jobs)}] {result.label}: {result.status}{seconds}"), err=True)

        results = execute(jobs, workers, scheduler, on_result=said, pool=pool)
    _summarise(console, results, list(dict.fromkeys(Path(job.out) for job in jobs)))


@app.command(short_help="Render what a run file asks for, in parallel; unchanged pages are skipped.")
def batch(
    run: Annotated[
        str, typer.Argument(help="Run file: a name in parameters/runs (e.g. monthly) or a path.")
    ] = "monthly",
    months: Annotated[
        str | None, typer.Option("--months", help="Override the run's months: 2019-09, or a range 2018-10:2019-09.")
    ] = None,
    quarter: Annotated[
        list[str] | None, typer.Option("--quarter", help="Override the quarters, e.g. 'Q2 2019/20'.")
    ] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Override the areas; repeat for several.")] = None,
    notebook: Annotated[
        list[str] | None, typer.Option("--notebook", help="Override the notebooks: scorecard and/or quarterly.")
    ] = None,
    returns: Annotated[
        Path | None, typer.Option("--returns", help="Override the returns folder.", file_okay=False)
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Override the output folder.", file_okay=False)] = None,
    kpis: Annotated[
        Path | None,
        typer.Option("--kpis", help="Override the KPI definitions (e.g. your own catalogue).", dir_okay=False),
    ] = None,
    settings: Annotated[
        Path | None,
        typer.Option("--settings", help="Override the settings (the authority's name, notice ...).", dir_okay=False),
    ] = None,
    trend: Annotated[
        Path | None,
        typer.Option("--trend", "--trend-settings", help="Override the trend settings.", dir_okay=False),
    ] = None,
    benchmarks: Annotated[
        Path | None, typer.Option("--benchmarks", help="Override the benchmarks.", dir_okay=False)
    ] = None,
    national: Annotated[
        Path | None,
        typer.Option("--national", help="Override the folder of the DfE's national tables.", file_okay=False),
    ] = None,
    cohorts: Annotated[
        Path | None,
        typer.Option("--cohorts", help="Override the cohorts file (the run file's cohorts_file).", dir_okay=False),
    ] = None,
    workers: WorkersOption = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on a Dask distributed cluster at this address, e.g. tcp://host:8786."),
    ] = None,
    force: ForceOption = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each appendix to PDF beside its HTML.")] = False,
    fresh_kernels: Annotated[
        bool,
        typer.Option(
            "--fresh-kernels",
            help="Start a new kernel for every appendix (slower) rather than one per worker, cleared between pages.",
        ),
    ] = False,
    edition: EditionsOption = None,
) -> None:
    """Render every appendix a run file asks for, in parallel, skipping those whose inputs have not changed.

    Ends with a summary; an appendix that fails does not stop the others, keeps its last good version,
    and makes the command exit 1. Index pages list every appendix with its Green, Amber and Red counts.
    """
    from pydantic import ValidationError

    from lacperf_helpers.run.pages import NOTEBOOKS
    from lacperf_helpers.run.plan import plan
    from lacperf_helpers.run.run_file import INPUT_KEYS, MonthRange, RunFile, load_run
    from lacperf_helpers.run.workers import WorkerPool

    overrides: dict[str, object] = {}

    def refuse(option: str, value: str, why: str) -> None:
        typer.echo(f"lacperf: {option} {value!r}: {why}", err=True)
        raise typer.Exit(2)

    if months:
        first, _, last = months.partition(":")
        for one in (first, last) if last else (first,):
            try:
                reporting_month(one)
            except ValueError as exc:
                refuse("--months", months, str(exc))
        if last and last < first:
            refuse("--months", months, f"the range runs backwards: {first} is after {last}")
        overrides["months"] = MonthRange(first=first, last=last) if last else first
    for one_quarter in quarter or []:
        try:
            reporting_quarter(one_quarter)
        except ValueError as exc:
            refuse("--quarter", one_quarter, str(exc))
    for one_notebook in notebook or []:
        if one_notebook not in NOTEBOOKS:
            refuse("--notebook", one_notebook, f"not a notebook lacperf renders; they are: {', '.join(NOTEBOOKS)}")
    for key, value in (("quarters", quarter), ("areas", area), ("notebooks", notebook), ("editions", edition)):
        if value:
            overrides[key] = tuple(value)
    given = {"returns": returns, "kpis": kpis, "settings": settings, "trend": trend, "benchmarks": benchmarks,
             "national": national, "cohorts": cohorts}  # fmt: skip
    for field, folder in given.items():  # each by its key in the run file
        if folder is not None:
            overrides[INPUT_KEYS[field]] = str(folder.resolve())
    if out is not None:
        overrides["out"] = str(out.resolve())
    if pdf:
        overrides["pdf"] = True

    def plan_jobs(pool: WorkerPool) -> list[Job]:
        spec = load_run(run)
        try:
            spec = RunFile.model_validate({**spec.model_dump(by_alias=True), **overrides})
        except ValidationError as exc:
            raise InputError(run, str(exc.errors()[0]["msg"])) from None
        # warm workers are started as soon as there is new work, to start their kernels alongside the plan
        started_early = scheduler is None and not fresh_kernels
        return plan(
            spec, force, warm=not fresh_kernels, on_new_work=pool.start if started_early else lambda: None,
            say=lambda line: typer.echo(printable(line), err=True),
        )  # fmt: skip

    # said at once: on a cold cache, checking a year's inputs takes a minute before the first page
    typer.echo(printable(f"lacperf batch {run}: checking each period's inputs, then rendering"), err=True)
    with WorkerPool(workers) as pool:
        jobs = _run(lambda: plan_jobs(pool))
        if not jobs:
            typer.echo("lacperf: nothing to render: the run names no months, quarters or areas", err=True)
            raise typer.Exit(2)
        _execute(jobs, workers, scheduler, pool)


def _shown_path(path: str) -> str:
    """A path as short as it can be said: relative to the working folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return path


def _summarise(console: Console, results: list[JobResult], outs: list[Path]) -> None:
    """Counts by outcome, then every appendix with its outcome and where it is (failures say why)."""
    from rich.table import Table
    from rich.text import Text

    from lacperf_helpers.run.jobs import FAILED, RENDERED, SKIPPED

    totals = Table(title="lacperf batch")
    for heading in ("Status", "Appendices", "Seconds"):
        totals.add_column(heading)
    for status in (RENDERED, SKIPPED, FAILED):
        chosen = [r for r in results if r.status == status]
        totals.add_row(status, str(len(chosen)), f"{sum(r.seconds for r in chosen):.1f}")
    console.print(totals)
    for r in sorted(results, key=lambda r: r.label):  # a line each: a path is never broken inside its name
        where = _shown_path(r.path) + (f" (+ {Path(r.pdf).name})" if r.pdf else "")
        if r.status == FAILED:
            kept = f"; the last good one is still at {_shown_path(r.path)}" if Path(r.path).exists() else ""
            where = r.message + kept
        # area names and messages: never markup, never a control character sent to the terminal
        console.print(Text(printable(f"{r.label}: {r.status}: {where}")), soft_wrap=True, highlight=False)
    for out in outs:
        edition = "internal edition, not for publication" if out.name == FOLDERS[Edition.INTERNAL] else "public edition"
        index = _shown_path(str(out / "index.html"))
        console.print(f"index of every appendix ({edition}): {index}", highlight=False, markup=False, soft_wrap=True)
    failed = [r for r in results if r.status == FAILED]
    for r in failed:  # one line each, as every other error: what, and why
        kept = f"; the last good appendix {r.path} is unchanged" if Path(r.path).exists() else ""
        typer.echo(printable(f"lacperf: {r.label}: not rendered: {r.message}{kept}"), err=True)
    if failed:
        names = printable(", ".join(r.label for r in failed))
        typer.echo(f"lacperf: {len(failed)} of {len(results)} appendices failed: {names}", err=True)
        raise typer.Exit(1)


@app.command(short_help="Write the SSDA903 and Annex A measures by cohort, breakdown and area as a CSV.")
def measures(
    returns: ReturnsOption,
    month: MonthOption,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write the measures table to.", dir_okay=False)],
    authority: Annotated[
        str | None,
        typer.Option(
            "--authority",
            help="Name of the authority as a whole (default: the settings', else taken from the month's return).",
        ),
    ] = None,
    measure: Annotated[
        list[str] | None, typer.Option("--measure", help="Only this measure; repeat for several. Default: all.")
    ] = None,
    settings: SettingsOption = paths.SETTINGS_FILE,
    cohorts: CohortsOption = paths.COHORTS_FILE,
    cohort: CohortOption = None,
    breakdown: Annotated[
        list[str] | None,
        typer.Option("--breakdown", help="Only this breakdown (and the total); repeat for several. Default: all."),
    ] = None,
    edition: EditionOption = DEFAULT.value,
    kpis: KpisOption = paths.KPIS_FILE,
) -> None:
    """Compute the SSDA903 measures from <returns>/<YYYY-MM>/903/ and the Annex A measures from annex_a/ by
    cohort (--cohorts: all, excluding UASC ...), breakdown (age band, sex, ethnicity, legal status, placement
    type, and the file's own: age bands, two crossed) and area (child_area.csv; Annex A: annex_a/child_area.csv
    or the allocated team's in annex_a/team_area.csv). Every cohort is measured, so the hidden figures are the same
    whichever is written.

    One row per area x measure x cohort x breakdown x group; headline rows are breakdown 'total', group
    'all'. Data-quality findings are printed, and nothing is dropped without being counted. --kpis: the KPI file
    the pages are rendered with (the public edition reads what they show of the months before any extract)."""
    from lacperf_helpers.config.paths import write_atomically
    from lacperf_helpers.disclose.publishing import published_csv
    from lacperf_helpers.ingest.validation import problem_counts
    from lacperf_helpers.month.tables import measures_table

    inputs = _inputs(returns=returns, kpis=kpis, settings=settings, cohorts=cohorts)
    view, notes = _run(
        lambda: measures_table(
            month, inputs=inputs, edition=Edition(edition), authority=authority, measures=measure or (),
            cohort=cohort, breakdowns=breakdown or (),
        ),
        out.parent,
    )  # fmt: skip
    table = view.frame
    write_atomically(out, published_csv(view))
    for note in problem_counts(notes).itertuples():
        typer.echo(printable(f"data quality: {Path(str(note.file)).name}: {note.count} x {note.rule}"), err=True)
    typer.echo(f"wrote {out}: {len(table)} rows ({table['measure'].nunique()} measures)" + _edition_said(view.edition))


@app.command(short_help="Write each KPI's direction of travel and SPC by area and cohort as a CSV.")
def trend(
    returns: ReturnsOption,
    month: MonthOption,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write the trend table to.", dir_okay=False)],
    kpis: KpisOption = paths.KPIS_FILE,
    window: Annotated[
        int | None,
        typer.Option(
            "--window", min=3, help="Months in the trend window ending with --month (default: trend.yaml, 12)."
        ),
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Only this area (e.g. 'South Kent'); default: every area.")
    ] = None,
    trend: TrendOption = paths.TREND_FILE,
    settings: SettingsOption = paths.SETTINGS_FILE,
    cohorts: CohortsOption = paths.COHORTS_FILE,
    national: NationalOption = paths.NATIONAL,
    edition: EditionOption = DEFAULT.value,
    published: PublishedOption = None,
) -> None:
    """Write the direction of travel over a period: per KPI x area x cohort, the fitted change and its
    verdict (Mann-Kendall), the SPC mean, limits, variation and assurance, and the current run. The public
    edition (the default) works each out from the months it shows."""
    from lacperf_helpers.config.paths import write_atomically
    from lacperf_helpers.disclose.publishing import published_csv
    from lacperf_helpers.month.tables import trend_table

    inputs = _inputs(
        returns=returns, kpis=kpis, settings=settings, trend=trend, national=national, cohorts=cohorts,
        published=published,
    )  # fmt: skip
    view = _run(  # every problem beside the CSV, as the one-line error says
        lambda: trend_table(month, inputs=inputs, edition=Edition(edition), window=window, area=area), out.parent
    )
    table = view.frame
    write_atomically(out, published_csv(view))
    typer.echo(
        f"wrote {out}: {len(table)} rows (KPI x area x cohort), window {table['window_start'].iloc[0]} to {month}"
        + _edition_said(view.edition)
    )


@app.command(short_help="Write what falls due in the coming weeks, by area and team (internal: not for publication).")
def due(
    returns: ReturnsOption,
    month: MonthOption,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write the counts to.", dir_okay=False)],
    weeks: Annotated[
        list[int] | None,
        typer.Option(
            "--weeks", min=1, max=52, help="Look this many weeks ahead; repeat for several. Default: 4 and 8."
        ),
    ] = None,
    settings: SettingsOption = paths.SETTINGS_FILE,
    authority: Annotated[
        str | None, typer.Option("--authority", help="Name of the authority as a whole (default: settings.yaml's).")
    ] = None,
) -> None:
    """From the month's Annex A (<returns>/<YYYY-MM>/annex_a/, List 8): how many statutory reviews, social work
    visits, health assessments and dental checks fall due before the next month end and in the next --weeks, by
    area and allocated team (areas from child_area.csv or team_area.csv), and what each month-end figure becomes
    if none of them is met. Counts only: no child is named, and no ID, date of birth or postcode is written.

    One row per date ahead x measure x area x team, each area's teams added up ('All teams') and the
    authority's. The counts are exact, small ones included: for the council's own managers, never published."""
    from lacperf_helpers.config.paths import write_atomically
    from lacperf_helpers.disclose.publishing import published_csv
    from lacperf_helpers.month.tables import due_table

    view = _run(  # every problem beside the CSV, as the one-line error says
        lambda: due_table(returns, month, settings=settings, authority=authority, weeks=weeks or ()), out.parent
    )
    write_atomically(out, published_csv(view))
    table = view.frame
    ahead = ", ".join(sorted(set(table["horizon"])))
    typer.echo(
        f"wrote {out}: {len(table)} rows (date ahead x measure x area x team; {ahead})" + _edition_said(view.edition)
    )


@kpis_app.command("list", short_help="List the KPIs with their polarity, unit, target and floor.")
def kpis_list(kpis: KpisOption = paths.KPIS_FILE) -> None:
    """List the KPIs with their polarity, unit, target and floor."""
    from lacperf_helpers.config.definitions import load_kpis

    catalogue = _run(lambda: load_kpis(kpis))
    for kpi in catalogue.kpis:
        years = f"  (changes in {', '.join(kpi.years)})" if kpi.years else ""
        line = f"{kpi.id:38} {kpi.polarity} {kpi.unit:8} target {kpi.target:g} floor {kpi.floor:g}  {kpi.title}{years}"
        typer.echo(printable(line))  # a title's escape or bell character is shown, never sent to the terminal
