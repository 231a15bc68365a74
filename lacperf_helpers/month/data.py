"""A month's inputs read, checked and rated once, and its one disclosure decision: what every page, index and
CSV of the month (and the quarter it ends) is made from. Nothing above this stage decides what is hidden."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lacperf_helpers.config import cache
from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import (
    DisclosureRule,
    KpiCatalogue,
    Settings,
    TrendSettings,
    load_kpis,
    load_settings,
    load_trend_settings,
)
from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.paths import csv_text, write_atomically
from lacperf_helpers.config.periods import is_month, month_end, period_months, previous_month, shift_month
from lacperf_helpers.config.vocabulary import ALL, HEADLINE, TOTAL
from lacperf_helpers.disclose.flow_tables import HORIZON, history_of
from lacperf_helpers.disclose.flows import FlowRule, carriers_of
from lacperf_helpers.disclose.publishing import (
    Published,
    hide_in_measures,
    measures_decided,
    with_empty_groups,
)
from lacperf_helpers.disclose.solver import ALREADY_PUBLISHED, Decision, Twin, decision
from lacperf_helpers.disclose.sums import KEYS, periods_ending
from lacperf_helpers.ingest.annex_a import load_annex_a
from lacperf_helpers.ingest.dfe_rules import dfe_problems
from lacperf_helpers.ingest.layout import annex_a_path, available_months, exists, return_path, ssda903_path
from lacperf_helpers.ingest.returns import require_month, return_authority
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.ingest.validation import ValidationError, as_problems, combine, errors_in
from lacperf_helpers.measures.annex_a import GROUP_IS_TOTAL, NESTED, annex_a_measure_table
from lacperf_helpers.measures.annex_a import MEASURES as ANNEX_A_MEASURES
from lacperf_helpers.measures.annex_a import SAME_CHILDREN as ANNEX_A_SAME_CHILDREN
from lacperf_helpers.measures.figures import check_kpi_polarity, input_problems, load_returns_to, reconciliation
from lacperf_helpers.measures.registry import RETURNED_STOCKS, ROLLING_TOTALS, measure_table
from lacperf_helpers.measures.registry import SAME_CHILDREN as SSDA903_SAME_CHILDREN
from lacperf_helpers.month.stamp import (
    KEPT_DECISION,
    Stamp,
    figures_key,
    first_extract,
    inputs_stamp,
    measure_files,
    month_key,
)
from lacperf_helpers.rate.benchmarks import benchmark_problems, load_benchmarks
from lacperf_helpers.rate.national import national_problems
from lacperf_helpers.rate.scorecard import order_areas, with_slice

# counts that are the same children in two measures, of either source (disclosure hides both or neither)
SAME_CHILDREN = SSDA903_SAME_CHILDREN + ANNEX_A_SAME_CHILDREN
WIDER = frozenset(wide for _, wide in NESTED)  # the public edition of the measures shows none of their figures


def check_inputs(month: str, *, inputs: Inputs) -> list[str]:
    """Read and check everything an appendix of `month` reads, once, before any notebook runs.

    Returns the month's areas, the authority first. Raises InputError naming file, row and column.
    """
    data = month_data(month, inputs=inputs)
    return order_areas(data.areas, data.settings.authority)


def validate_month(month: str, *, inputs: Inputs) -> pd.DataFrame:
    """Every problem in what a page of `month` reads, as rows: definitions, settings, benchmarks, and each
    month's return and extract up to `month` (and the DfE's rules, if `inputs` asks). A file that cannot be
    read at all is one error row."""
    try:
        catalogue, *_ = _definitions(month, inputs)
        cohorts = load_cohorts(inputs.cohorts)
    except InputError as error:
        return as_problems(error)
    months = [m for m in available_months(inputs.returns) if m <= month]
    return combine(
        [
            benchmark_problems(inputs.benchmarks, catalogue),
            national_problems(inputs.national),
            input_problems(inputs.returns, months, catalogue, cohorts),
            _dfe_findings(month, inputs),
        ]
    )


def _definitions(month: str, inputs: Inputs) -> tuple[KpiCatalogue, Settings, TrendSettings, pd.DataFrame]:
    """The definitions, settings and benchmarks a page reads, each checked; and the month must have data."""
    catalogue = load_kpis(inputs.kpis)
    check_kpi_polarity(catalogue, inputs.kpis)
    settings = load_settings(inputs.settings)
    trend_settings = load_trend_settings(inputs.trend)
    benchmarks = load_benchmarks(inputs.benchmarks, catalogue)
    require_month(inputs.returns, month)
    return catalogue, settings, trend_settings, benchmarks


def with_authority(settings: Settings, returns: Path, month: str, settings_file: Path) -> Settings:
    """`settings` with the authority as a whole named: as the settings name it, else taken from the month's return
    (`authority_of`: its only area, or the one that is the sum of the others). Without it no sum of the areas to
    the authority is formed, and hidden counts could be worked out from the areas."""
    if settings.authority:
        return settings
    # the month's return; for a month of SSDA903 data only, the latest return before it
    given = [return_path(returns, m) for m in reversed(available_months(returns)) if m <= month]
    path = next((p for p in given if exists(p)), None)
    if path is None:
        raise InputError(
            settings_file,
            f"no authority is named, and no return up to {month} ({return_path(returns, month)}) to take it from: "
            "name it",
            column="authority",
        )
    return settings.model_copy(update={"authority": return_authority(path)})


def require_authority(settings: Settings, areas: list[str], settings_file: str | Path, month_file: str | Path) -> str:
    """The authority as a whole (named, or taken from the return: `with_authority`) must be an area of the month."""
    known = ", ".join(sorted(areas)) or "none"
    if not settings.authority:
        raise InputError(
            settings_file, f"no authority is named; name it as {month_file} does (areas: {known})", column="authority"
        )
    if settings.authority not in areas:
        raise InputError(
            settings_file,
            f"the authority {settings.authority!r} is not an area of {month_file}; its areas are: {known}",
            column="authority",
        )
    return settings.authority


def month_data(month: str, *, inputs: Inputs) -> MonthData:
    """The month's checked inputs, figures and decision, read once while the files are unchanged; what a
    version of a month already published hid (`inputs.published`) stays hidden."""
    return decided_month(month, inputs, inputs_stamp(month, inputs))


def decided_month(month: str, inputs: Inputs, stamp: Stamp) -> MonthData:
    """`_month_data`, its decision made again where a version already published hid more than it does."""
    data = _month_data(month, inputs, stamp)
    kept = kept_decisions(inputs.published, month)
    if kept is None or _keys_of(kept) <= _keys_of(data.hidden):
        return data
    signature = (month, inputs, stamp, tuple(sorted(_keys_of(kept))))
    if signature not in _REDECIDED:
        again = decide_month(data.figures, data.catalogue, data.settings, data.cohorts, kept, data.in_measures)
        _REDECIDED.clear()  # one month at a time: a corrected month is rare
        _REDECIDED[signature] = dataclasses.replace(data, hidden=again.hidden, disclosure_log=again.log)
    return _REDECIDED[signature]


_REDECIDED: dict[object, MonthData] = {}


def _keys_of(hidden: pd.DataFrame) -> set[tuple[str, ...]]:
    return set(hidden.loc[:, list(KEYS)].astype(str).itertuples(index=False, name=None))


def kept_decisions(published: Path | None, month: str) -> pd.DataFrame | None:
    """Every figure a version of a month up to `month` already published hid (None: none kept)."""
    if published is None:
        return None
    files = sorted(
        f for f in published.glob(f"*/{KEPT_DECISION}") if is_month(f.parent.name) and f.parent.name <= month
    )
    frames = []
    for file in files:
        try:
            frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise InputError(file, f"the kept decision cannot be read: {exc}") from None
        missing = [k for k in KEYS if k not in frame]
        if missing:
            raise InputError(file, f"not a kept decision: no column {', '.join(missing)}")
        frames.append(frame.loc[:, list(KEYS)])
    return pd.concat(frames, ignore_index=True) if frames else None


def keep_decision(published: Path, data: MonthData, month: str) -> None:
    """Keep what the public edition hides of `month` (its figures, and the periods ending with it) beside its
    pages, with what every earlier version hid: a corrected month never shows what a version already
    published hid (`decided_month`). Written only when it changes."""
    labels = {label for label, _ in periods_ending(month)}
    now = data.hidden.loc[data.hidden["month"].isin({month, *labels}), list(KEYS)].astype(str)
    file = published / month / KEPT_DECISION
    before = kept_decisions(published, month)
    earlier = set() if before is None else {k for k in _keys_of(before) if k[0] == month or k[0] in labels}
    union = sorted(_keys_of(now) | earlier)
    if file.is_file() and set(union) == earlier:
        return
    write_atomically(file, csv_text(pd.DataFrame(union, columns=list(KEYS))))


def _dfe_findings(month: str, inputs: Inputs) -> pd.DataFrame:
    """The DfE's rules' failures in the month's SSDA903 extract, when `inputs` asks for them (else none)."""
    folder = ssda903_path(inputs.returns, month)
    return dfe_problems(folder, month) if inputs.dfe_rules and folder.is_dir() else combine([])


@dataclass(frozen=True)
class MonthData:
    """What every page of one month shares, before any edition: definitions, settings, every figure up to the
    month (exact: this never leaves the month stage but as an edition's Published view) and the decision."""

    catalogue: KpiCatalogue
    settings: Settings
    trend_settings: TrendSettings
    benchmarks: pd.DataFrame
    cohorts: CohortCatalogue
    figures: pd.DataFrame  # every area's checked figures up to the month, with cohort, breakdown and group
    areas: list[str]  # the month's areas, as in its figures
    problems: pd.DataFrame  # warnings only (errors stop the month): file, row, column, value, rule, severity, code
    hidden: pd.DataFrame  # the public edition's decision: month or period, area, KPI, cohort, breakdown, group
    disclosure_log: pd.DataFrame  # why each is hidden (disclosure.disclosure_log): internal, not for publication
    children: dict[Edition, dict[str, float | None]]  # per edition, counts given per 10,000 (`published_counts`)
    # the return's own figures of KPIs computed from a file, beside the computed ones (figures.reconciliation):
    # the internal edition's annex reconciles them; never on a public page
    reconciled: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    # the figures of KPIs computed from a file that the measures table hides (`measures_hidden`), with why
    in_measures: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def months_held(inputs: Inputs) -> tuple[str, ...]:
    """Every month the returns folder holds (a return or an extract), oldest first: the months a page links to
    before and after its own. Read now, not kept with a month's data (a later month may have come since)."""
    return tuple(available_months(inputs.returns))


def return_files(month: str, inputs: Inputs) -> tuple[Path, ...]:
    """The return files the month's and the month before's figures came from (those that exist)."""
    returns = inputs.returns
    return tuple(p for p in (return_path(returns, previous_month(month)), return_path(returns, month)) if p.is_file())


# A batch worker's warm kernel renders many areas of one month: the month's inputs are read, checked
# and rated once, not once per area. Keyed on every input file's size and modification time; callers
# get frames they must not change (every step after this builds new frames).
@functools.lru_cache(maxsize=4)
def _month_data(month: str, inputs: Inputs, stamp: Stamp) -> MonthData:
    # another worker, or the batch's plan, may have done this month already, or be doing it (month/stamp.py)
    return cache.kept_or_worked_out(month_key(month, inputs, stamp), MonthData, lambda: _work_out_month(month, inputs))


def same_children(catalogue: KpiCatalogue) -> tuple[Twin, ...]:
    """The counts KPIs share, from the measures' (SAME_CHILDREN) and two KPIs of one measure."""
    by_measure: dict[str, list[str]] = {}
    for kpi in catalogue.kpis:
        if kpi.measure:
            by_measure.setdefault(kpi.measure, []).append(kpi.id)
    twins: list[Twin] = []
    for (one, count), (other, its) in SAME_CHILDREN:
        twins += [((a, count), (b, its)) for a in by_measure.get(one, []) for b in by_measure.get(other, [])]
    for kpis in by_measure.values():
        twins += [((a, "numerator"), (b, "numerator")) for a, b in itertools.pairwise(kpis)]
    return tuple(twins)


def holding_anothers_children(catalogue: KpiCatalogue) -> set[str]:
    """The KPIs measured by the wider measure of a NESTED pair whose narrower measure a KPI measures too."""
    measured = {kpi.measure for kpi in catalogue.kpis if kpi.measure}
    wide = {w for narrow, w in NESTED if narrow in measured and w in measured}
    return {kpi.id for kpi in catalogue.kpis if kpi.measure in wide}


def decide_month(
    figures: pd.DataFrame, catalogue: KpiCatalogue, settings: Settings, cohorts: CohortCatalogue,
    already_hidden: pd.DataFrame | None = None, in_measures: pd.DataFrame | None = None,
) -> Decision:  # fmt: skip
    """The public edition's one decision over every figure up to the month: what is hidden, and why.
    `in_measures`: the figures of KPIs computed from a file that the measures table hides (`measures_hidden`),
    hidden here too: the same children."""
    authority = settings.authority or ""
    sliced = with_slice(figures)
    # a cohort's breakdown groups beside all children's (excluding UASC by age band, say) are hidden from the
    # start: on the full sample the sums left groups whose unaccompanied children (all less excluding UASC) were
    # 1-4 (the audit recovered 16); the cohort's total and every group of all children are decided as before
    groups = sliced.loc[(sliced["cohort"] != HEADLINE[0]) & (sliced["breakdown"] != HEADLINE[1]), list(KEYS)].assign(
        reason="a cohort's breakdown: only the cohort's total is published"
    )
    # a KPI whose children hold another KPI's (care leavers 17-21 in touch, beside 19-21): one less the other is
    # a count no sum holds (the 17- and 18-year-olds), so the wider is shown in the internal edition only, as
    # `lacperf measures` shows the wider measure
    wider = sliced.loc[sliced["kpi_id"].isin(holding_anothers_children(catalogue)), list(KEYS)].assign(
        reason="its children hold another KPI's: the internal edition's only"
    )
    kept = [] if already_hidden is None else [already_hidden.loc[:, list(KEYS)].assign(reason=ALREADY_PUBLISHED)]
    measured = [] if in_measures is None else [in_measures.loc[:, [*KEYS, "reason"]]]
    forced = pd.concat([*kept, *measured, groups, wider], ignore_index=True)
    # the KPIs' stocks and flows across months (a month's figures given by a return, before any extract, too):
    # the children looked after in the month and at the month ends give starts and ceasings no page shows
    flows = FlowRule(carriers_of({kpi.id: kpi.measure for kpi in catalogue.kpis if kpi.measure}, SAME_CHILDREN))
    return decision(
        sliced, catalogue, settings.disclosure, authority, cohorts,
        same_children=same_children(catalogue), already_hidden=forced, flows=flows,
    )  # fmt: skip


def _work_out_month(month: str, inputs: Inputs) -> MonthData:
    catalogue, _, trend_settings, benchmarks = _definitions(month, inputs)  # each checked, the settings too
    around = combine([benchmark_problems(inputs.benchmarks, catalogue), national_problems(inputs.national)])
    # every input's problems, before any is used (the DfE's rules' failures are warnings): listed together
    if len(errors_in(around)):  # the files checked, not worked out
        raise ValidationError(combine([around, _file_problems(month, inputs, catalogue, load_cohorts(inputs.cohorts))]))
    try:
        worked = _worked_out(month, inputs)
    except _FilesHaveErrors as found:
        raise ValidationError(combine([around, found.problems])) from None
    return MonthData(
        catalogue, worked.settings, trend_settings, benchmarks, load_cohorts(inputs.cohorts), worked.figures,
        worked.areas, combine([around, worked.problems]), worked.hidden, worked.disclosure_log, worked.children,
        worked.reconciled, worked.in_measures,
    )  # fmt: skip


def _file_problems(month: str, inputs: Inputs, catalogue: KpiCatalogue, cohorts: CohortCatalogue) -> pd.DataFrame:
    """Every problem in the month's files and the months' before it (returns, extracts, Annex A), and the DfE's
    rules' findings where asked for."""
    months = [m for m in available_months(inputs.returns) if m <= month]
    return combine([input_problems(inputs.returns, months, catalogue, cohorts), _dfe_findings(month, inputs)])


class _FilesHaveErrors(Exception):
    """The month's files have errors (`problems`): nothing is worked out, and nothing kept (an error may be
    mended without changing a file: a size limit raised)."""

    def __init__(self, problems: pd.DataFrame) -> None:
        super().__init__("the month's files have errors")
        self.problems = problems


@dataclass(frozen=True)
class _Worked:
    """A month's figures and decision (`MonthData`'s), from what they are made of alone (`stamp.figures_key`)."""

    settings: Settings  # with the authority named (or taken from the return)
    problems: pd.DataFrame  # every return's, extract's and Annex A's warnings, and the DfE's rules' findings
    figures: pd.DataFrame
    areas: list[str]
    hidden: pd.DataFrame
    disclosure_log: pd.DataFrame
    children: dict[Edition, dict[str, float | None]]
    reconciled: pd.DataFrame
    in_measures: pd.DataFrame


def _worked_out(month: str, inputs: Inputs) -> _Worked:
    """The month's figures and decision, kept on disk under what they are made of: a batch's pages (with
    benchmarks) and the CSV commands (without) share them, where each worked the month out in full before."""
    return cache.kept_or_worked_out(figures_key(month, inputs), _Worked, lambda: _work_out_figures(month, inputs))


def _work_out_figures(month: str, inputs: Inputs) -> _Worked:
    catalogue, settings = load_kpis(inputs.kpis), load_settings(inputs.settings)
    returns = inputs.returns
    cohorts = load_cohorts(inputs.cohorts)
    problems = _file_problems(month, inputs, catalogue, cohorts)
    if len(errors_in(problems)):
        raise _FilesHaveErrors(problems)  # raised with every other input's problems (`_work_out_month`)
    settings = with_authority(settings, returns, month, inputs.settings)
    figures = with_slice(load_returns_to(returns, month, catalogue, settings.authority, cohorts))
    areas = list(dict.fromkeys(figures.loc[figures["month"] == month, "area"]))
    require_authority(settings, areas, inputs.settings, return_path(returns, month))
    pages = pages_for(month, inputs)
    in_measures = measures_hidden_in_kpis(returns, figures, catalogue, settings, cohorts, pages)
    decided = decide_month(figures, catalogue, settings, cohorts, in_measures=in_measures)
    from_files = [k.id for k in catalogue.kpis if k.source != "return"]  # a return's groups are as it gives them
    figures, decided = with_empty_groups(figures, decided, cohorts.exact_only(), from_files)
    children = published_counts(month, inputs, settings, pages)
    reconciled = reconciliation(returns, month, catalogue, figures, cohorts)
    return _Worked(
        settings, problems, figures, areas, decided.hidden, decided.log, children, reconciled, in_measures
    )  # fmt: skip


IN_MEASURES = "the same children as a figure the measures table hides (lacperf measures)"


def measures_hidden_in_kpis(
    returns: Path, figures: pd.DataFrame, catalogue: KpiCatalogue, settings: Settings, cohorts: CohortCatalogue,
    pages: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The figures of KPIs computed from a file (SSDA903, Annex A) that the public measures table of their month
    hides (`measures_hidden`), with why: a KPI's numerator and denominator are its measure's, and the measure's
    twins share them, so the scorecard must hide what `lacperf measures` hides or the two files together give
    hidden counts back. The KPIs' own sums are among the measures', so the measures' decision is safe for them
    (a test keeps the two files agreeing)."""
    kpis = [k for k in catalogue.kpis if k.source != "return" and k.measure]
    computed = figures.loc[figures["kpi_id"].isin({k.id for k in kpis})]
    measures = sorted({str(k.measure) for k in kpis})
    frames = []
    for month in sorted(computed["month"].unique()):
        hidden = measures_hidden(returns, str(month), authority=settings.authority or "", rule=settings.disclosure,
                                 cohorts=cohorts, measures=measures, pages=pages)  # fmt: skip
        if hidden.empty:  # a month with no extract: nothing hidden, and no frame each KPI (two years of them, 0.05 s)
            frames.append(hidden.assign(kpi_id=""))
            continue
        for kpi in kpis:
            frames.append(hidden.loc[hidden["kpi_id"] == kpi.measure].assign(kpi_id=kpi.id))
    if not frames:
        return pd.DataFrame(columns=[*KEYS, "reason"])
    return pd.concat(frames, ignore_index=True).loc[:, list(KEYS)].assign(reason=IN_MEASURES)


def measures_hidden(
    returns: Path, month: str, *, authority: str, rule: DisclosureRule, cohorts: CohortCatalogue, measures: list[str],
    pages: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The keys (the measure as `kpi_id`) of every figure of `measures` that the public edition of `lacperf
    measures` hides in `month` (its one decision, `measures_decision`; a measure holding another's children,
    `WIDER`, is hidden whole)."""
    if any(m in WIDER for m in measures):  # every figure of it: read from its table
        view = month_measures(returns, month, authority=authority, rule=rule, cohorts=cohorts.exact_only(),
                              edition=Edition.PUBLIC, measures=measures, pages=pages)  # fmt: skip
        frame = (
            pd.DataFrame(columns=["month", "area", "measure", *KEYS[3:], "withheld"]) if view is None else view.frame
        )
        return frame.loc[frame["withheld"] != ""].rename(columns={"measure": "kpi_id"}).loc[:, list(KEYS)]
    hidden = measures_decision(returns, month, authority=authority, rule=rule, cohorts=cohorts, pages=pages)
    if hidden is None:
        return pd.DataFrame(columns=list(KEYS))
    return hidden.loc[hidden["kpi_id"].isin(measures), list(KEYS)].reset_index(drop=True)


def measures_decision(
    returns: Path, month: str, *, authority: str, rule: DisclosureRule, cohorts: CohortCatalogue,
    pages: pd.DataFrame | None = None,
) -> pd.DataFrame | None:  # fmt: skip
    """The keys (the measure as `kpi_id`) of the figures the public measures table of `month` hides: every
    measure, breakdown and cohort published exactly, decided once and kept on disk, so every table, page and
    count of the month hides the same whichever measures it shows. Decided after the month before and the
    month a year before (stocks and flows across months: disclose/flows.py), which are decided first. `pages`:
    what the pages show of the months before any extract (`pages_before_extracts`; None: read as shown, values
    not known). None: the month has no extract and no Annex A."""
    exact = cohorts.exact_only()
    held = [m for m in available_months(returns) if m <= month and measure_files(returns, m)]
    if month not in held:
        return None
    files = [f for m in held for f in measure_files(returns, m)]  # a month's decision follows every one before
    arguments = [month, authority, rule.model_dump_json(), exact.model_dump_json(), _digest(pages)]
    key = cache.cache_key("measures-decision", arguments, files)
    if key in _MEASURES_DECIDED:  # each month asks again for the months before it: once per process, cache or none
        return _MEASURES_DECIDED[key]

    def work_out() -> pd.DataFrame:
        table = _measure_table(returns, month, authority, exact)
        if table is None:  # a folder without the files: as the month with none
            return pd.DataFrame(columns=list(KEYS))
        # every month the tables' counts reach: back to the first month of their earliest twelve-month total
        reach = HORIZON - 1 + max(r.months for r in ROLLING_TOTALS) - 1
        before = [m for m in (shift_month(month, -back) for back in range(reach, 0, -1)) if m in held]
        decided = {
            m: measures_decision(returns, m, authority=authority, rule=rule, cohorts=exact, pages=pages) for m in before
        }
        # a measure holding another's children is never shown (WIDER): it carries no count to a reader
        carriers = carriers_of({m: m for m in table["measure"].unique() if m not in WIDER}, SAME_CHILDREN)
        counted = sorted({figure for figures in carriers.values() for figure, _ in figures})
        flow_counts(returns, month, authority, exact, counted, table)  # for the months after it
        history = [
            history_of(flow_counts(returns, m, authority, exact, counted), hidden)
            for m, hidden in decided.items() if hidden is not None
        ] + ([] if pages is None else [pages])  # fmt: skip
        flows = FlowRule(
            carriers, earlier_months=frozenset(before), unheld_shown=RETURNED_STOCKS,
            history=pd.concat(history, ignore_index=True) if history else _no_history(),
        )  # fmt: skip
        return measures_decided(table, rule, authority, exact, SAME_CHILDREN, WIDER, flows, GROUP_IS_TOTAL)

    if len(_MEASURES_DECIDED) >= KEEP_DECIDED:
        _MEASURES_DECIDED.clear()
    _MEASURES_DECIDED[key] = cache.kept_or_worked_out(key, pd.DataFrame, work_out)
    return _MEASURES_DECIDED[key]


_MEASURES_DECIDED: dict[str, pd.DataFrame] = {}  # by cache key: a few kB each
KEEP_DECIDED = 120  # ten years of months, of one returns folder and settings


def flow_counts(
    returns: Path, month: str, authority: str, cohorts: CohortCatalogue, measures: list[str],
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The month's figures of `measures` (the flows' counts: `FlowRule.history`), KEYS with the measure as
    kpi_id, numerator and denominator; kept on disk and in memory, as each later month asks for it. `table`:
    the month's measures table, where the caller has it."""
    arguments = [month, authority, cohorts.model_dump_json(), *measures]
    key = cache.cache_key("flow-counts", arguments, measure_files(returns, month))
    if key not in _FLOW_COUNTS:

        def work_out() -> pd.DataFrame:
            nonlocal table
            if table is None:
                table = _measure_table(returns, month, authority, cohorts, measures)
            else:
                table = table.loc[table["measure"].isin(measures)]
            if table is None:
                return _no_history().loc[:, [*KEYS, "numerator", "denominator"]]
            return table.rename(columns={"measure": "kpi_id"}).loc[:, [*KEYS, "numerator", "denominator"]]

        if len(_FLOW_COUNTS) >= KEEP_DECIDED:
            _FLOW_COUNTS.clear()
        _FLOW_COUNTS[key] = cache.kept_or_worked_out(key, pd.DataFrame, work_out)
    return _FLOW_COUNTS[key]


_FLOW_COUNTS: dict[str, pd.DataFrame] = {}  # by cache key: some 100 kB each


def pages_before_extracts(inputs: Inputs) -> pd.DataFrame | None:
    """What the public pages show of the months before any extract (the return's KPIs: the children looked after
    at and in each month, adoption's denominator), by the flows' measures, with what the pages' own decision hid
    (`month_data` of the last month before the first extract: no measures table enters it), as the measures
    tables' decisions read them (`FlowRule.history`): a count the pages protect by hiding a figure is protected
    from the measures tables too. None: no month comes before the first extract."""
    first = first_extract(inputs.returns)
    before = [m for m in available_months(inputs.returns) if first is not None and m < first]
    if not before:
        return None
    data = month_data(before[-1], inputs=inputs)
    measure_of = {k.id: str(k.measure) for k in data.catalogue.kpis if k.measure}
    figures = data.figures.loc[data.figures["kpi_id"].isin(measure_of) & data.figures["month"].isin(before)]
    hidden = data.hidden.loc[data.hidden["kpi_id"].isin(measure_of) & data.hidden["month"].isin(before)]
    return history_of(
        figures.loc[:, [*KEYS, "numerator", "denominator"]].assign(kpi_id=figures["kpi_id"].map(measure_of)),
        hidden.loc[:, list(KEYS)].assign(kpi_id=hidden["kpi_id"].map(measure_of)),
    ).reset_index(drop=True)


def pages_for(month: str, inputs: Inputs) -> pd.DataFrame | None:
    """`pages_before_extracts` for a month with an extract or later (a month before has no measures table)."""
    first = first_extract(inputs.returns)
    return pages_before_extracts(inputs) if first is not None and month >= first else None


def _digest(frame: pd.DataFrame | None) -> str:
    """A cache key's part for a frame an entry depends on."""
    if frame is None:
        return "none"
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def _no_history() -> pd.DataFrame:
    return pd.DataFrame(columns=[*KEYS, "numerator", "denominator", "complement", "hidden"])


def _measure_table(
    returns: Path, month: str, authority: str, cohorts: CohortCatalogue,
    measures: list[str] | None = None, breakdowns: list[str] | None = None,
) -> pd.DataFrame | None:  # fmt: skip
    """The month's measures from its SSDA903 extract and its Annex A (None: it has neither)."""
    folder, annex = ssda903_path(returns, month), annex_a_path(returns, month)
    tables = []
    from_903 = [m for m in measures if m not in ANNEX_A_MEASURES] if measures else None
    if folder.is_dir() and from_903 != []:
        tables.append(measure_table(load_903(folder), month, authority, from_903, cohorts, breakdowns))
    from_annex_a = [m for m in measures if m in ANNEX_A_MEASURES] if measures else None
    if annex.is_dir() and from_annex_a != []:
        annex_a = load_annex_a(annex, month_end=month_end(month))
        tables.append(annex_a_measure_table(annex_a, month, authority, from_annex_a, cohorts, breakdowns))
    return pd.concat(tables, ignore_index=True) if tables else None


def month_measures(
    returns: Path, month: str, *, authority: str, rule: DisclosureRule, cohorts: CohortCatalogue, edition: Edition,
    measures: list[str] | None = None, breakdowns: list[str] | None = None, pages: pd.DataFrame | None = None,
) -> Published | None:  # fmt: skip
    """The month's measures (`measures`, default all) from its SSDA903 extract and its Annex A, by cohort,
    breakdown (default all) and area, as `edition` publishes them: the public edition hides what the month's
    one decision of every measure hides (`measures_decision`), so `lacperf measures`, the explorer and the pages
    hide the same figures whichever is asked for. None: the month has neither."""
    folder, annex = ssda903_path(returns, month), annex_a_path(returns, month)
    if not folder.is_dir() and not annex.is_dir():
        return None
    table = _measure_table(returns, month, authority, cohorts, measures, breakdowns)
    if table is None:
        return None
    hidden = (
        None if edition is Edition.INTERNAL
        else measures_decision(returns, month, authority=authority, rule=rule, cohorts=cohorts, pages=pages)
    )  # fmt: skip
    return hide_in_measures(table, hidden, cohorts, edition, WIDER)


def published_counts(
    month: str, inputs: Inputs, settings: Settings, pages: pd.DataFrame | None = None
) -> dict[Edition, dict[str, float | None]]:  # fmt: skip
    """Per edition, the authority's children looked after and unaccompanied at the month end, and started in the
    12 months to it (children, each once: the DfE counts the first occasion), as `lacperf measures` publishes them
    from the month's extract; None where that hides the figure, or the month has no extract (a rate per 10,000
    gives its count back, so it may add nothing to what is published). Unaccompanied children: all less
    excluding UASC, both shown."""
    authority = settings.authority or ""
    cohorts = load_cohorts(inputs.cohorts).exact_only()
    has_extract = ssda903_path(inputs.returns, month).is_dir()

    def shown(frame: pd.DataFrame | None, measure: str, cohort: str) -> float | None:
        row = None if frame is None else frame.loc[(frame["measure"] == measure) & (frame["cohort"] == cohort)]
        return None if row is None or row.empty or row["withheld"].iloc[0] else float(row["numerator"].iloc[0])

    out = {}
    for edition in Edition:
        # decided with every twin, Annex A's too, as `lacperf measures` decides them: a count shown here and
        # hidden there would undo the measures table's secondary suppression
        view = (
            month_measures(inputs.returns, month, authority=authority, rule=settings.disclosure, cohorts=cohorts,
                           edition=edition, measures=["cla_count", "cla_starts_12_months"], pages=pages)
            if has_extract else None
        )  # fmt: skip
        now = (
            None
            if view is None
            else view.frame.loc[view.frame["area"].eq(authority) & view.frame["breakdown"].eq(TOTAL)]
        )
        looked_after, excluding = shown(now, "cla_count", ALL), shown(now, "cla_count", "excluding UASC")
        out[edition] = {
            "looked_after": looked_after,
            "uasc": None if looked_after is None or excluding is None else looked_after - excluding,
            "started": shown(now, "cla_starts_12_months", ALL),
        }
    return out


DISCLOSURE_LOG = "disclosure-log.csv"  # beside the internal edition's pages: why each figure is hidden


def period_log(data: MonthData, period: str) -> pd.DataFrame:
    """The disclosure log of a month, or of a quarter (its months), with the added-up periods ending with it."""
    months = period_months(period)
    labels = {label for label, _ in periods_ending(months[-1])}
    log = data.disclosure_log
    return log.loc[log["month"].isin(months) | log["month"].isin(labels)].reset_index(drop=True)
