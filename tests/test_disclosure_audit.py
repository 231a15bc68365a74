"""The attacker's audit (disclosure_audit.py) of the public edition as lacperf writes it: the sample's month
and quarter (generated returns with many small cells: test_disclosure_audit_stress.py). It reads only the
written files (and the internal edition's, for the true counts), never lacperf's own disclosure code."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SAMPLE_MONTH, SAMPLE_QUARTER
from disclosure_audit import Audit, Domain, Reading, _scan_wording, audit, load_domain, read_run, truth_of
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths

FIGURES: dict[str, str] = {}  # printed at the end of the run (conftest)
EDITIONS = ("public", "internal")


@dataclass(frozen=True)
class Run:
    """A run's written outputs in both editions, and the domain they were made from."""

    domain: Domain
    returns: Path
    month: str
    out: Path

    def reading(self, edition: str) -> Reading:
        folder = "public" if edition == "public" else "internal-not-for-publication"
        return read_run(
            self.domain, self.month, scorecard=self.out / f"scorecard-{edition}.csv",
            measures=self.out / f"measures-{edition}.csv" if (self.out / f"measures-{edition}.csv").exists() else None,
            trend=self.out / f"trend-{edition}.csv", pages=self.out / "R" / folder,
        )  # fmt: skip

    def audit(self, public: Reading | None = None) -> Audit:
        truth = truth_of(self.reading("internal"), self.returns, self.domain)
        return audit(public or self.reading("public"), truth, self.domain)


def _invoke(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def run_lacperf(returns: Path, month: str, quarter: str, out: Path, kpis: Path, settings: Path, cohorts: Path,
                measures: bool = True, benchmarks: Path | None = None) -> Run:  # fmt: skip
    """Every output of the month and its quarter, both editions, as a council would run them (its pages with
    England's figures beside its own where `benchmarks` are given: the CSV commands take none)."""
    common = ["--returns", str(returns), "--settings", str(settings), "--cohorts", str(cohorts)]
    beside = ["--benchmarks", str(benchmarks)] if benchmarks else []
    for edition in EDITIONS:
        _invoke("scorecard", *common, "--kpis", str(kpis), "--month", month, "--edition", edition,
                "--out", str(out / f"scorecard-{edition}.csv"))  # fmt: skip
        _invoke("trend", *common, "--kpis", str(kpis), "--month", month, "--edition", edition,
                "--out", str(out / f"trend-{edition}.csv"))  # fmt: skip
        if measures:
            _invoke("measures", *common, "--kpis", str(kpis), "--month", month, "--edition", edition,
                    "--out", str(out / f"measures-{edition}.csv"))  # fmt: skip
    both = [x for e in EDITIONS for x in ("--edition", e)]
    pages = [*common, *beside, "--kpis", str(kpis), *both, "--out", str(out / "R")]
    _invoke("render", *pages, "--month", month)
    _invoke("render-quarter", *pages, "--quarter", quarter)
    return Run(load_domain(kpis, settings, cohorts), returns, month, out)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("audit-sample")
    # the sample's pages as the other tests render them (SAMPLE_OPTIONS): its month's pages are worked out once
    return run_lacperf(paths.SAMPLE_RETURNS, SAMPLE_MONTH, SAMPLE_QUARTER, out, paths.KPIS_FILE,
                       paths.SAMPLE_SETTINGS_FILE, paths.COHORTS_FILE, benchmarks=paths.BENCHMARKS_FILE)  # fmt: skip


@pytest.fixture(scope="module")
def sample_read(sample: Run) -> tuple[Reading, dict]:
    """The sample's public edition as read, and the true counts: doctored copies are made from these."""
    return sample.reading("public"), truth_of(sample.reading("internal"), sample.returns, sample.domain)


@pytest.fixture(scope="module")
def sample_audit(sample: Run, sample_read: tuple[Reading, dict]) -> Audit:
    found = audit(sample_read[0], sample_read[1], sample.domain)
    FIGURES["sample"] = found.line()
    return found


def test_the_model_holds_for_the_true_counts(sample_audit: Audit) -> None:
    # every relation the audit writes holds for the internal edition's counts: its reading of the domain is
    # right, so a count it finds pinned is pinned for a reader too
    assert sample_audit.unsatisfied == []
    assert sample_audit.published > 100 and sample_audit.sensitive > 100


def test_the_sample_month_and_quarter_show_no_hidden_count(sample_audit: Audit) -> None:
    assert sample_audit.recoverable == [], "\n".join(map(str, sample_audit.recoverable[:30]))


def _narrowed(found: Audit, label: str) -> list[str]:
    return [n for n in found.narrowed if n.startswith(label)]


def test_a_rounded_age_group_does_not_narrow_the_exact_age_band_within_it(sample_audit: Audit) -> None:
    label = "n of ('m:placement_stability_short', ('2019-09',), 'Kent', 'all', 'age_band', 'under 1')"
    assert _narrowed(sample_audit, label) == []


def test_rounded_groups_beside_their_exact_total_do_not_narrow_the_last_group(sample_audit: Audit) -> None:
    label = "n of ('m:placement_stability_long', ('2019-09',), 'South Kent', 'all', 'age group', '0-4')"
    assert _narrowed(sample_audit, label) == []


def test_the_unaccompanied_children_are_not_narrowed_through_rounded_groups(sample_audit: Audit) -> None:
    rest = "the rest of all children less excluding UASC at "
    assert _narrowed(sample_audit, rest + "('m:placement_stability_long', ('2019-09',), 'Kent', 'total', 'all')") == []
    assert _narrowed(sample_audit, rest + "('m:cla_count', ('2019-09',), 'South Kent', 'age_band', '5-9')") == []


def test_the_sample_month_and_quarter_narrow_no_hidden_count(sample_audit: Audit) -> None:
    assert sample_audit.narrowed == [], "\n".join(sample_audit.narrowed[:20])


def test_the_scorecard_shows_no_figure_the_measures_table_hides(sample: Run) -> None:
    # a KPI computed from a file is its measure's figures (kpis.yaml names the measure): shown in the public
    # scorecard where the public measures table hides it, the two files together gave 1-4 back (West Kent's
    # 4 children of another ethnic group in foster care: Kent's 65 less the other areas', one of them read
    # from the scorecard); every such cell of this month and the last is compared
    import csv

    def rows(name: str) -> list[dict[str, str]]:
        with (sample.out / name).open(newline="") as f:
            return list(csv.DictReader(f))

    measures = {
        (r["month"], r["measure"], r["area"], r["cohort"], r["breakdown"], r["group"]): r["numerator"] == "c"
        for r in rows("measures-public.csv")
    }
    by_kpi = {k: d["measure"] for k, d in sample.domain.kpis.items() if d.get("source", "return") != "return"}
    compared, shown_though_hidden = 0, []
    for r in rows("scorecard-public.csv"):
        if r["kpi_id"] not in by_kpi:
            continue
        for month, prefix in ((r["month"], ""), (r["previous_month"], "previous_")):
            key = (month, by_kpi[r["kpi_id"]], r["area"], r["cohort"], r["breakdown"], r["group"])
            if key in measures:
                compared += 1
                if measures[key] and r[prefix + "numerator"] != "c":
                    shown_though_hidden.append(key)
    assert compared > 1000
    assert shown_though_hidden == []


def test_no_verdict_or_telling_word_beside_a_hidden_figure(sample_audit: Audit) -> None:
    assert sample_audit.findings == []


def test_the_sample_wording_is_one_for_every_hidden_figure(sample_audit: Audit) -> None:
    assert [f for f in sample_audit.findings if f.startswith(("wording", "index"))] == []


# --- the audit is not blind: doctored outputs ------------------------------------------------------------


def _first_hidden(reading: Reading, small: dict, series: str = "") -> tuple:
    """A hidden count (numerator) truly 1-4 of an area, not the authority."""
    for var, seen in reading.counts.items():
        if var[1] == "n" and all(t == "c" for _, t in seen) and 1 <= small.get(var, 0) <= 4 and series in var[0][0]:
            return var
    raise AssertionError("no hidden small count")


def test_the_audit_recovers_a_hidden_count_shown_in_one_place(sample: Run, sample_read: tuple[Reading, dict]) -> None:
    public, truth = copy.deepcopy(sample_read[0]), sample_read[1]
    var = _first_hidden(public, truth)
    public.counts[var].append(("doctored.csv", str(truth[var])))  # one output forgets to hide it
    found = audit(public, truth, sample.domain, about=str(var[0]))
    assert any(str(var[0]) in r for r in found.recoverable)


def test_the_audit_recovers_an_area_from_the_authority_and_the_others(
    sample: Run, sample_read: tuple[Reading, dict]
) -> None:
    public, truth = copy.deepcopy(sample_read[0]), sample_read[1]
    authority = sample.domain.authority
    for var in list(public.counts):  # show every figure but one area's: that one is the authority - the others
        key = var[0]
        if key[2] != authority and all(t == "c" for _, t in public.counts[var]) and 1 <= truth.get(var, 0) <= 4:
            target = var
            break
    else:
        raise AssertionError("no hidden small area count")
    same = [v for v in public.counts if v[1] == target[1] and v[0][:2] == target[0][:2] and v[0][3:] == target[0][3:]]
    for v in same:
        if v != target:
            public.counts[v] = [("doctored.csv", str(truth[v]))]
    found = audit(public, truth, sample.domain, about=str(target[0]))
    assert any(str(target[0]) in r for r in found.recoverable)


def test_the_audit_reads_a_rating_beside_a_hidden_figure(sample: Run, sample_read: tuple[Reading, dict]) -> None:
    public, truth = copy.deepcopy(sample_read[0]), sample_read[1]
    # a rating beside a hidden figure whose denominator is shown, with standards either side of its value:
    # Amber pins the numerator
    for key, rag, _, _, polarity, _ in public.ratings:
        n, d = (key, "n"), (key, "d")
        if rag == "c" and polarity == "H" and 1 <= truth.get(n, 0) <= 4 and truth.get(d, 0) >= 20:
            public.counts[d] = [("doctored.csv", str(truth[d]))]
            target, floor = 100 * (truth[n] + 0.5) / truth[d], 100 * (truth[n] - 0.5) / truth[d]
            public.ratings.append((key, "Amber", target, floor, polarity, "doctored.csv"))
            found = audit(public, truth, sample.domain, about=str(key))
            assert any(str(key) in r for r in found.recoverable)
            return
    raise AssertionError("no hidden rated figure of 20 or more children")


def test_the_audit_reads_the_wording() -> None:
    reading = Reading()

    _scan_wording(reading, [{"numerator": "<5"}, {"numerator": "withheld"}, {"numerator": "c"}], "doctored.csv")
    assert len(reading.findings) == 2
