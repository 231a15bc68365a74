"""An attacker's audit of the public edition, as written: every figure of the month's and quarter's CSVs and
pages (their embedded CSV downloads) and the index counts, as linear relations over the unknown true counts.

It never asks lacperf which figure is hidden or which sums a reader can form: it reads the files a council
would publish, and writes the sums from its own reading of the domain (kpis.yaml, settings.yaml,
cohorts.yaml and what the measures mean), so a sum lacperf forgot is a sum the audit still forms.

A figure is a key: (series, months, area, cohort, breakdown, group). `series` is `m:<measure>` for an
SSDA903 or Annex A measure and for every KPI computed from one (`source: ssda903` or `annex_a`, `measure:`):
the same children; else `k:<kpi_id>`. `months` is the months a figure counts: one month, or for a KPI whose
months add up (`aggregation: sum`) every month of a quarter, the year to date or 12 months; a period of a KPI
that does not add up is its last month's figure. Each figure has a numerator `n` and denominator `d`.

What a reader knows (every hidden count an integer >= 0):
- shown counts; a count rounded to the nearest 5 (measures' `rounded`) is within 2 of what it shows;
- a shown value (percent) beside hidden counts: 100 n / d is it; a shown rating: the band through the
  target and floor and polarity beside it; a shown change in children: this period's count - the last;
- areas add up to the authority; a breakdown's groups to their total (a crossed breakdown's groups to each
  group of either breakdown); a cohort is within all children (all - the cohort, the unaccompanied
  children, is a count never published); the months of an added-up period add up to it (a month no output
  shows is an unknown count too); for a percentage, n <= d;
- identities between measures: children looked after (cla_count n) = placement_stability_short's d; the
  care leavers in touch, in education etc. and in suitable accommodation share d (OC3); health assessment
  and dental check share d (OC2).
Where the true parts do not add up to the total (children of no area, unaccompanied children), the rest,
total - parts, is a count >= 0 never published, and protected like a published one.

For every unknown count truly of 1-4 (a numerator, a denominator, d - n, a rest, an unpublished month), an
integer programme (scipy.optimize.milp) finds its least and greatest values: recoverable if they are equal,
narrowed if they do not span 1 to 4. The true counts come from the internal edition of the same run (and the
returns for months no output shows): the audit checks that they satisfy every relation it writes.
"""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

BIG = 1e7  # no count of children reaches this
HIDDEN = "c"  # the one wording of a hidden figure in a CSV cell
BANDS = ("Green", "Amber", "Red")
Key = tuple[str, tuple[str, ...], str, str, str, str]  # series, months, area, cohort, breakdown, group
Var = tuple[Key, str]  # a key and "n" or "d"
# words that would tell a hidden figure's size, or tell a small one from one hidden to protect another
TELLING = (re.compile(r"<\s*5|&lt;\s*5|\bless than 5\b|\bfewer than 5\b"), re.compile(r"\bwithheld\b", re.I))
NOT_A_VERDICT = {"", HIDDEN, "Not shown", "No data", "Not rated", "nan", "Too few points"}
SPC = ("variation", "assurance")  # the SPC verdicts: of the latest month's figure, whatever the table's period


# --- the domain, read from the parameters (not from lacperf's code) ---------------------------------------


@dataclass(frozen=True)
class Domain:
    authority: str
    kpis: dict[str, dict]  # kpis.yaml's entries by id
    cohorts: list[str]  # every cohort name; 'all' holds the others
    smallest: int = 5

    def series(self, kpi_id: str) -> str:
        kpi = self.kpis.get(kpi_id, {})
        computed = kpi.get("source", "return") != "return" and kpi.get("measure")  # from a file: its measure's
        return f"m:{kpi['measure']}" if computed else f"k:{kpi_id}"

    def adds_up(self, kpi_id: str) -> bool:
        return self.kpis.get(kpi_id, {}).get("aggregation") == "sum"

    def about_children(self, kpi_id: str) -> bool:
        return self.kpis.get(kpi_id, {}).get("disclosure", "children") == "children"

    def is_percent(self, series: str, with_denominator: set[str]) -> bool:
        """A KPI of unit percent; a measure given with a denominator."""
        if series.startswith("k:"):
            return self.kpis.get(series[2:], {}).get("unit") == "percent"
        return series in with_denominator


def load_domain(kpis: Path, settings: Path, cohorts: Path) -> Domain:
    kpi_list = yaml.safe_load(kpis.read_text())["kpis"]
    setting = yaml.safe_load(settings.read_text()) or {}
    cohort_list = (yaml.safe_load(cohorts.read_text()) or {}).get("cohorts") or [{"name": "all"}]
    smallest = int((setting.get("disclosure") or {}).get("smallest_shown", 5))
    return Domain(str(setting.get("authority") or ""), {k["id"]: k for k in kpi_list},
                  [str(c["name"]) for c in cohort_list], smallest)  # fmt: skip


# --- periods -----------------------------------------------------------------------------------------------


def month_add(month: str, k: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) - 1 + k
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def quarter_months(label: str) -> tuple[str, ...]:
    """'Q2 2019/20' -> July to September 2019 (financial quarters from April)."""
    q, year = int(label[1]), int(label.split()[1][:4])
    first = month_add(f"{year}-04", 3 * (q - 1))
    return tuple(month_add(first, i) for i in range(3))


def year_to_date(end: str) -> tuple[str, ...]:
    start = f"{int(end[:4]) - (int(end[5:7]) < 4)}-04"
    months, m = [], start
    while m <= end:
        months.append(m)
        m = month_add(m, 1)
    return tuple(months)


def rolling_12(end: str) -> tuple[str, ...]:
    return tuple(month_add(end, -i) for i in range(11, -1, -1))


# --- reading what was published ----------------------------------------------------------------------------


def number(text: str | None) -> float | None:
    """A shown figure's number; None where the cell is blank or hidden."""
    if text is None or text in ("", HIDDEN):
        return None
    try:
        return float(text)
    except ValueError:
        return None


@dataclass
class Reading:
    """Everything the outputs say, by figure."""

    counts: dict[Var, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))  # (where, text)
    rounded: dict[Var, float] = field(default_factory=dict)
    values: list[tuple[Key, str, str]] = field(default_factory=list)  # key, value text, where
    ratings: list[tuple[Key, str, float, float, str, str]] = field(default_factory=list)  # rag, target, floor, polarity
    changes: list[tuple[Key, Key, str, str, str]] = field(default_factory=list)  # now, before, n|d, text, where
    index: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # (folder, area): band counts
    page_ratings: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    findings: list[str] = field(default_factory=list)  # the wording, and verdicts beside hidden figures
    verdicts: list[tuple[Key, str, str, str]] = field(default_factory=list)  # the month's key, column, text, where
    files: int = 0

    def count(self, key: Key, which: str, text: str, where: str) -> None:
        if text != "":
            self.counts[(key, which)].append((where, text))


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _scan_wording(reading: Reading, rows: list[dict[str, str]], where: str) -> None:
    for n, row in enumerate(rows):
        for column, text in row.items():
            if text and any(p.search(text) for p in TELLING):
                reading.findings.append(f"wording: {where} row {n + 1} {column} reads {text!r}")


def _verdicts_beside_hidden(reading: Reading, row: dict[str, str], where: str, now: str, before: str = "") -> None:
    """No rating, direction, children to change rating or SPC verdict beside a hidden figure."""
    hidden_now = row.get(f"{now}numerator") == HIDDEN or row.get(f"{now}value") == HIDDEN
    hidden_before = bool(before) and (row.get(f"{before}numerator") == HIDDEN or row.get(f"{before}value") == HIDDEN)
    said = []
    if hidden_now:
        said += [c for c in (f"{now}rag", "children_to_change_rating") if c in row]
    if hidden_before:
        said += [c for c in (f"{before}rag",) if c in row]
    if hidden_now or hidden_before:
        said += [c for c in ("direction",) if c in row]
    for column in said:
        if str(row[column]).strip() not in NOT_A_VERDICT:
            name = f"{row.get('area')} {row.get('kpi_id') or row.get('measure')} {row.get('cohort', '')}"
            reading.findings.append(f"verdict beside a hidden figure: {where} {name} {column} = {row[column]!r}")


def read_scorecard(reading: Reading, path: Path, domain: Domain) -> None:
    """`lacperf scorecard`'s CSV (or a month page's KPI table): this month's and last month's figures."""
    read_month_table(reading, _csv_rows(path.read_text()), domain, path.name)
    reading.files += 1


def read_month_table(reading: Reading, rows: list[dict[str, str]], domain: Domain, where: str) -> None:
    _scan_wording(reading, rows, where)
    for row in rows:
        kpi = row["kpi_id"]
        if not domain.about_children(kpi):
            continue
        series = domain.series(kpi)
        tail = (row["area"], row.get("cohort") or "all", row.get("breakdown") or "total", row.get("group") or "all")
        now: Key = (series, (row["month"],), *tail)
        before: Key | None = (series, (row["previous_month"],), *tail) if row.get("previous_month") else None
        for which, column in (("n", "numerator"), ("d", "denominator")):
            reading.count(now, which, row.get(column, ""), where)
            if before is not None:
                reading.count(before, which, row.get(f"previous_{column}", ""), where)
                change = row.get(f"{column}_change", "")
                if number(change) is not None:
                    reading.changes.append((now, before, which, change, where))
        reading.values.append((now, row.get("value", ""), where))
        if before is not None:
            reading.values.append((before, row.get("previous_value", ""), where))
        if row.get("unit", "percent") == "percent" or domain.kpis.get(kpi, {}).get("unit") == "percent":
            kpi_def = domain.kpis.get(kpi, {})
            target, floor = number(row.get("target")), number(row.get("floor"))
            if target is not None and floor is not None:
                reading.ratings.append((now, row.get("rag", ""), target, floor, kpi_def.get("polarity", "H"), where))
        _verdicts_beside_hidden(reading, row, where, "", "previous_")
        reading.verdicts += [(now, c, row[c], where) for c in SPC if row.get(c, "") not in NOT_A_VERDICT]


def read_measures(reading: Reading, path: Path) -> None:
    rows = _csv_rows(path.read_text())
    _scan_wording(reading, rows, path.name)
    reading.files += 1
    for row in rows:
        key: Key = (f"m:{row['measure']}", (row["month"],), row["area"], row["cohort"], row["breakdown"], row["group"])
        for which, column in (("n", "numerator"), ("d", "denominator")):
            if row.get("rounded") and number(row[column]) is not None:
                reading.rounded[(key, which)] = float(row[column])
                reading.counts[(key, which)].append((path.name, "rounded"))
            else:
                reading.count(key, which, row[column], path.name)
        if not row.get("rounded"):
            reading.values.append((key, row.get("value", ""), path.name))


def read_trend(reading: Reading, path: Path, domain: Domain, month: str) -> None:
    """`lacperf trend`: this month's value beside each KPI (and no SPC verdict where it is hidden)."""
    rows = _csv_rows(path.read_text())
    _scan_wording(reading, rows, path.name)
    reading.files += 1
    for row in rows:
        if not domain.about_children(row["kpi_id"]):
            continue
        key: Key = (domain.series(row["kpi_id"]), (month,), row["area"], row["cohort"], "total", "all")
        reading.values.append((key, row.get("latest_value", ""), path.name))
        reading.verdicts += [(key, c, row[c], path.name) for c in SPC if row.get(c, "") not in NOT_A_VERDICT]


PERIODS = ("", "previous_quarter_", "last_year_", "year_to_date_", "rolling_12_")


def read_quarter_table(reading: Reading, rows: list[dict[str, str]], domain: Domain, where: str) -> None:
    """A quarter page's KPI table: the quarter, the one before, last year's, the year to date, 12 months."""
    _scan_wording(reading, rows, where)
    for row in rows:
        kpi = row["kpi_id"]
        if not domain.about_children(kpi):
            continue
        quarter = quarter_months(row["quarter"])
        months = {
            "": quarter,
            "previous_quarter_": quarter_months(row["previous_quarter"]),
            "last_year_": quarter_months(row["last_year_quarter"]),
            "year_to_date_": year_to_date(quarter[-1]),
            "rolling_12_": rolling_12(quarter[-1]),
        }
        keys: dict[str, Key] = {}
        for prefix, span in months.items():
            span = span if domain.adds_up(kpi) else (span[-1],)
            key: Key = (domain.series(kpi), span, row["area"], "all", "total", "all")
            keys[prefix] = key
            for which, column in (("n", "numerator"), ("d", "denominator")):
                reading.count(key, which, row.get(f"{prefix}{column}", ""), where)
            reading.values.append((key, row.get(f"{prefix}value", ""), where))
            target, floor = number(row.get("target")), number(row.get("floor"))
            if row.get("unit") == "percent" and target is not None and floor is not None:
                rag = row.get(f"{prefix}rag", "")
                reading.ratings.append((key, rag, target, floor, row.get("polarity", "H"), where))
        for which, column in (("n", "numerator"), ("d", "denominator")):
            if number(row.get(f"{column}_change")) is not None:
                reading.changes.append((keys[""], keys["previous_quarter_"], which, row[f"{column}_change"], where))
        _verdicts_beside_hidden(reading, row, where, "", "previous_quarter_")
        month: Key = (domain.series(kpi), (quarter[-1],), row["area"], "all", "total", "all")
        reading.verdicts += [(month, c, row[c], where) for c in SPC if row.get(c, "") not in NOT_A_VERDICT]
        for prefix in PERIODS[1:]:
            hidden = row.get(f"{prefix}numerator") == HIDDEN or row.get(f"{prefix}value") == HIDDEN
            if hidden and row.get(f"{prefix}rag", "") not in NOT_A_VERDICT:
                reading.findings.append(f"verdict beside a hidden figure: {where} {row['area']} {kpi} {prefix}rag")


DOWNLOAD = re.compile(r'<a[^>]*?download="([^"]*)"[^>]*?href="data:text/csv;charset=utf-8,([^"]*)"')


def read_pages(reading: Reading, folder: Path, domain: Domain) -> None:
    """Every page under an edition's folder: its embedded CSV downloads, its wording, the index counts."""
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text()
        reading.files += 1
        where = str(page.relative_to(folder))
        visible = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'href="data:[^"]*"', "", text)))
        for pattern in TELLING:
            for hit in pattern.finditer(visible):
                near = " ".join(visible[max(0, hit.start() - 60) : hit.end() + 30].split())
                reading.findings.append(f"wording: {where} reads {near!r}")
        if page.name == "index.html":
            _read_index(reading, text, page.parent.name)
            continue
        for name, data in DOWNLOAD.findall(text):
            rows = _csv_rows(urllib.parse.unquote(data))
            if not rows:
                continue
            label = f"{where}#{name}"
            if "kpi_id" not in rows[0]:  # a table of words or of figures already published (England, rates, ratings)
                _scan_wording(reading, rows, label)
                continue
            if "quarter" in rows[0]:
                read_quarter_table(reading, rows, domain, label)
            else:
                read_month_table(reading, rows, domain, label)
            if name.endswith("-kpis.csv") and not name.startswith("all-areas"):  # the page card, as indexed
                for row in rows:
                    reading.page_ratings[(page.parent.name, row["area"])].append(row.get("rag", ""))


INDEX_ROW = re.compile(r'<tr>\s*<td><a href="[^"]*">([^<]*)</a></td>(.*?)</tr>', re.S)


def _read_index(reading: Reading, text: str, folder: str) -> None:
    for area, rest in INDEX_ROW.findall(text):
        counts = {band: int(n) for n, band in re.findall(r">(\d+) (Green|Amber|Red)<", rest)}
        if counts:
            reading.index[(folder, html.unescape(area))] = counts


def read_run(
    domain: Domain, month: str, *, scorecard: Path | None = None, measures: Path | None = None,
    trend: Path | None = None, pages: Path | None = None,
) -> Reading:  # fmt: skip
    reading = Reading()
    if scorecard is not None:
        read_scorecard(reading, scorecard, domain)
    if measures is not None:
        read_measures(reading, measures)
    if trend is not None:
        read_trend(reading, trend, domain, month)
    if pages is not None:
        read_pages(reading, pages, domain)
    for key, column, text, where in reading.verdicts:  # no SPC verdict on a month whose figure is hidden
        seen = reading.counts.get((key, "n"), [])
        if seen and all(t == HIDDEN for _, t in seen):
            reading.findings.append(f"verdict beside a hidden figure: {where} {key} {column} = {text!r}")
    for (folder, area), counts in reading.index.items():  # the index counts what its page shows
        shown = reading.page_ratings.get((folder, area), [])
        for band in BANDS:
            if (folder, area) in reading.page_ratings and counts.get(band, 0) != shown.count(band):
                reading.findings.append(
                    f"index: {folder} {area} counts {counts.get(band, 0)} {band}, its page shows {shown.count(band)}"
                )
    return reading


# --- the truth (the internal edition and the returns) --------------------------------------------------------


def truth_of(internal: Reading, returns: Path | None, domain: Domain) -> dict[Var, float]:
    """Every count the internal edition shows, and each headline month of the returns."""
    truth: dict[Var, float] = {}
    for var, seen in internal.counts.items():
        for _, text in seen:
            if number(text) is not None:
                truth[var] = float(text)
    for path in [] if returns is None else sorted(returns.glob("*/kpi_return.csv")):
        for row in _csv_rows(path.read_text()):
            kpi = row["kpi_id"]
            if kpi not in domain.kpis or not domain.adds_up(kpi):
                continue
            key: Key = (domain.series(kpi), (row["month"],), row["area"], row.get("cohort") or "all", "total", "all")
            for which, column in (("n", "numerator"), ("d", "denominator")):
                if number(row.get(column)) is not None:
                    truth.setdefault((key, which), float(row[column]))
    return truth


# --- the relations ------------------------------------------------------------------------------------------


@dataclass
class Model:
    """Linear rows over unknown counts: sum coef x var + constant in [lo, hi]."""

    known: dict[Var, float]
    unknown: dict[Var, int] = field(default_factory=dict)  # var -> column
    truth: list[float] = field(default_factory=list)  # per column (NaN: no truth)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)  # coefs, lo, hi (constant moved)
    checks: list[tuple[dict[int, float], float, str]] = field(default_factory=list)  # expression, constant, label
    unsatisfied: list[str] = field(default_factory=list)  # relations the true counts break: the model is wrong
    percent: set[Key] = field(default_factory=set)  # figures that are percentages (d - n a count)

    def column(self, var: Var, truth: dict[Var, float]) -> int:
        if var not in self.unknown:
            self.unknown[var] = len(self.unknown)
            self.truth.append(truth.get(var, np.nan))
            self.lower.append(0.0)
            self.upper.append(BIG)
        return self.unknown[var]

    def expression(self, terms: list[tuple[float, Var]], truth: dict[Var, float]) -> tuple[dict[int, float], float]:
        coefs: dict[int, float] = defaultdict(float)
        constant = 0.0
        for coef, var in terms:
            if var in self.known:
                constant += coef * self.known[var]
            else:
                coefs[self.column(var, truth)] += coef
        return {i: v for i, v in coefs.items() if v}, constant

    def true_value(self, coefs: dict[int, float], constant: float) -> float:
        return constant + sum(v * self.truth[i] for i, v in coefs.items())

    def add(self, terms: list[tuple[float, Var]], lo: float, hi: float, truth: dict[Var, float], label: str) -> None:
        coefs, constant = self.expression(terms, truth)
        value = self.true_value(coefs, constant)
        if not np.isnan(value) and not (lo - 1e-6 <= value <= hi + 1e-6):
            self.unsatisfied.append(f"{label}: true {value} not in [{lo}, {hi}]")
            return
        if coefs:
            self.rows.append((coefs, lo - constant, hi - constant))

    def sum_or_rest(self, total: Var, parts: list[Var], truth: dict[Var, float], label: str) -> None:
        """total = parts (where the true counts say so), else total - parts is a rest >= 0 to protect."""
        terms = [(1.0, total), *((-1.0, p) for p in parts)]
        coefs, constant = self.expression(terms, truth)
        rest = self.true_value(coefs, constant)
        if np.isnan(rest):
            return  # a count no output shows and the truth does not give: nothing to check it against
        if not coefs:
            return
        if abs(rest) < 1e-9:
            self.rows.append((coefs, -constant, -constant))
        elif rest > 0:
            self.rows.append((coefs, -constant, BIG))
            if 1 <= rest < SMALLEST[0]:
                self.checks.append((coefs, constant, f"the rest of {label}"))
        else:
            self.unsatisfied.append(f"{label}: the parts add up to more than the total by {-rest}")


SMALLEST = [5]


def _age_range(group: str) -> tuple[int, float] | None:
    text = group.strip()
    if text.startswith("under "):
        return 0, float(text.split()[1]) - 1
    if m := re.fullmatch(r"(\d+)\s*(?:\+|and over)", text):
        return int(m.group(1)), np.inf
    if m := re.fullmatch(r"(\d+)\s*-\s*(\d+)", text):
        return int(m.group(1)), float(m.group(2))
    return None


def build(public: Reading, truth: dict[Var, float], domain: Domain) -> Model:
    SMALLEST[0] = domain.smallest
    known: dict[Var, float] = {}
    for var, seen in public.counts.items():
        shown = {float(t) for _, t in seen if number(t) is not None}
        if shown:
            known[var] = min(shown)
    model = Model(known)
    keys = sorted({var[0] for var in public.counts} | {var[0] for var in truth if var[0][1]})
    keyset = set(keys)
    with_denominator = {var[0][0] for var in truth if var[1] == "d"}
    # every count a reader cannot read exactly: hidden, rounded
    for var in public.counts:
        if var not in known:
            col = model.column(var, truth)
            if var in public.rounded:
                half = (domain.smallest - 1) // 2
                model.lower[col] = max(0.0, public.rounded[var] - half)
                model.upper[col] = public.rounded[var] + half
    # areas, breakdowns, cohorts
    by_area: dict[tuple, dict[str, Key]] = defaultdict(dict)
    by_group: dict[tuple, dict[tuple[str, str], Key]] = defaultdict(dict)
    by_cohort: dict[tuple, dict[str, Key]] = defaultdict(dict)
    for key in keys:
        series, months, area, cohort, breakdown, group = key
        by_area[(series, months, cohort, breakdown, group)][area] = key
        by_group[(series, months, area, cohort)][(breakdown, group)] = key
        by_cohort[(series, months, area, breakdown, group)][cohort] = key
    for which in ("n", "d"):
        for where, areas in by_area.items():
            if domain.authority in areas and len(areas) > 1:
                parts = [(k, which) for a, k in areas.items() if a != domain.authority]
                model.sum_or_rest((areas[domain.authority], which), parts, truth, f"the areas of {where} ({which})")
        for where, groups in by_group.items():
            total = groups.get(("total", "all"))
            if total is None:
                continue
            breakdowns: dict[str, list[Key]] = defaultdict(list)
            for (breakdown, _), k in groups.items():
                if breakdown != "total":
                    breakdowns[breakdown].append(k)
            for breakdown, parts in breakdowns.items():
                label = f"the groups of {breakdown} at {where} ({which})"
                model.sum_or_rest((total, which), [(k, which) for k in parts], truth, label)
                if " x " in breakdown:  # crossed: each group of either breakdown is its row of the crossed one
                    for side, name in enumerate(breakdown.split(" x ")):
                        rows: dict[str, list[Key]] = defaultdict(list)
                        for k in parts:
                            rows[k[5].split(" / ")[side]].append(k)
                        for value, members in rows.items():
                            one = groups.get((name, value))
                            if one is not None:
                                model.sum_or_rest((one, which), [(k, which) for k in members], truth,
                                                  f"{name}={value} of {breakdown} at {where} ({which})")  # fmt: skip
            _age_sums(model, groups, which, truth, where)
        for where, cohorts in by_cohort.items():
            if "all" in cohorts:
                for name, k in cohorts.items():
                    if name != "all":
                        label = f"all children less {name} at {where} ({which})"
                        model.sum_or_rest((cohorts["all"], which), [(k, which)], truth, label)
    # added-up periods: their months (each a count, shown or not)
    for key in keys:
        if len(key[1]) > 1:
            for which in ("n", "d"):
                months = [((key[0], (m,), *key[2:]), which) for m in key[1]]
                months = [v for v in months if v in truth or v in known or v[0] in keyset]
                model.sum_or_rest((key, which), months, truth, f"the months of {key} ({which})")
    # identities between measures
    same = [(("m:cla_count", "n"), ("m:placement_stability_short", "d")),
            (("m:care_leavers_in_touch", "d"), ("m:care_leavers_eet", "d")),
            (("m:care_leavers_in_touch", "d"), ("m:care_leavers_suitable_accommodation", "d")),
            (("m:health_assessment", "d"), ("m:dental_check_903", "d")),
            # Annex A's List 8: every child looked after is each of these measures' denominator, and the
            # extract's children looked after; List 9's care leavers; the missing children and those offered
            # a return interview
            *((("m:placements_3plus_12m", "d"), (f"m:{m}", w)) for m, w in (
                ("looked_after_annex_a", "n"), ("placed_out_of_area", "d"), ("no_allocated_worker", "d"),
                ("placed_with_private_provider", "d"), ("placed_in_foster_care", "d"), ("reviews_in_timescale", "d"),
                ("visits_in_timescale", "d"), ("health_assessment_up_to_date_all", "d"),
                ("dental_check_up_to_date_all", "d"), ("cla_count", "n"))),
            (("m:health_assessment_up_to_date", "d"), ("m:dental_check_up_to_date", "d")),
            (("m:placed_in_foster_care", "n"), ("m:foster_care_in_house", "d")),
            (("m:missing_12m", "n"), ("m:return_interview_offered", "d")),
            (("m:return_interview_offered", "n"), ("m:return_interview_accepted", "d")),
            (("m:leavers_in_touch", "d"), ("m:leavers_eet", "d")),
            (("m:leavers_in_touch", "d"), ("m:leavers_suitable_accommodation", "d")),
            (("m:leavers_19_21_in_touch", "d"), ("m:leavers_19_21_eet", "d")),
            (("m:leavers_19_21_in_touch", "d"), ("m:leavers_19_21_suitable_accommodation", "d")),
            (("m:missing_in_month", "n"), ("m:missing_in_month_share", "n"))]  # fmt: skip
    for key in keys:
        for (a, wa), (b, wb) in same:
            if key[0] == a and (other := (b, *key[1:])) in keyset:
                model.add([(1.0, (key, wa)), (-1.0, (other, wb))], 0, 0, truth, f"{a} {wa} = {b} {wb} at {key}")
    # a percentage: n <= d, and d - n a count to protect
    model.percent = {key for key in keys if domain.is_percent(key[0], with_denominator)}
    for key in keys:
        if domain.is_percent(key[0], with_denominator) and ((key, "n") in model.unknown or (key, "d") in model.unknown):
            terms = [(1.0, (key, "d")), (-1.0, (key, "n"))]
            coefs, constant = model.expression(terms, truth)
            model.rows.append((coefs, -constant, BIG))
            left_out = model.true_value(coefs, constant)
            if 1 <= left_out < domain.smallest:
                model.checks.append((coefs, constant, f"children left out of {key}"))
    # what is shown beside hidden counts: values, ratings, changes
    for key, text, where in public.values:
        value = number(text)
        if value is None or not domain.is_percent(key[0], with_denominator):
            continue
        if (key, "n") in model.unknown or (key, "d") in model.unknown:  # 100 n = value x d
            tol = 1e-6 * max(1.0, abs(value))
            model.add([(100.0, (key, "n")), (-(value + tol), (key, "d"))], -BIG, 0, truth, f"value {where} {key}")
            model.add([(100.0, (key, "n")), (-(value - tol), (key, "d"))], 0, BIG, truth, f"value {where} {key}")
    for key, rag, target, floor, polarity, where in public.ratings:
        if rag not in BANDS or not ((key, "n") in model.unknown or (key, "d") in model.unknown):
            continue
        slack = 0.05  # ratings are of the exact figure; a rounding either way is allowed for
        good, bad = (target, floor) if polarity == "H" else (-target, -floor)
        sign = 1.0 if polarity == "H" else -1.0
        # sign x 100 n / d >= good - slack (Green), >= bad - slack and <= good + slack (Amber), <= bad + slack (Red)
        low = {"Green": good - slack, "Amber": bad - slack, "Red": None}[rag]
        high = {"Green": None, "Amber": good + slack, "Red": bad + slack}[rag]
        if low is not None:
            model.add([(sign * 100.0, (key, "n")), (-low, (key, "d"))], 0, BIG, truth, f"rating {where} {key}")
        if high is not None:
            model.add([(sign * 100.0, (key, "n")), (-high, (key, "d"))], -BIG, 0, truth, f"rating {where} {key}")
    for now, before, which, text, where in public.changes:
        shown = float(text)
        if (now, which) in model.unknown or (before, which) in model.unknown:
            model.add([(1.0, (now, which)), (-1.0, (before, which))], shown, shown, truth, f"change {where} {now}")
    # the counts to check: every unknown count truly 1-4 (hidden, rounded, or a month no output shows)
    for var, col in list(model.unknown.items()):
        if 1 <= model.truth[col] < domain.smallest:
            model.checks.append(({col: 1.0}, 0.0, f"{var[1]} of {var[0]}"))
    return model


def _age_sums(model: Model, groups: dict[tuple[str, str], Key], which: str, truth: dict[Var, float], where) -> None:
    """A group of one age breakdown that its groups of another cover exactly: equal to their sum."""
    ranges: dict[str, list[tuple[tuple[int, float], Key]]] = defaultdict(list)
    for (breakdown, group), k in groups.items():
        if breakdown != "total" and " x " not in breakdown and (r := _age_range(group)) is not None:
            ranges[breakdown].append((r, k))
    for outer, tops in ranges.items():
        for inner, pieces in ranges.items():
            if inner == outer:
                continue
            for (lo, hi), top in tops:
                inside = sorted((r, k) for r, k in pieces if lo <= r[0] and r[1] <= hi)
                covered = lo
                for (a, b), _ in inside:
                    covered = b + 1 if a == covered else -1
                if inside and covered == hi + 1:
                    label = f"{top[4]}={top[5]} from {inner} at {where} ({which})"
                    model.sum_or_rest((top, which), [(k, which) for _, k in inside], truth, label)


# --- solving -----------------------------------------------------------------------------------------------


@dataclass
class Audit:
    published: int = 0
    hidden: int = 0
    sensitive: int = 0
    recoverable: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    unsatisfied: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"cells published {self.published}, cells hidden {self.hidden}, hidden counts of 1-4 checked "
            f"{self.sensitive}, recoverable {len(self.recoverable)}, narrowed {len(self.narrowed)}, "
            f"wording and verdict findings {len(self.findings)}"
        )


def audit(public: Reading, truth: dict[Var, float], domain: Domain, about: str = "") -> Audit:
    """`about`: check only the counts whose description holds it (a doctored test's own figure)."""
    model = build(public, truth, domain)
    model.checks = [c for c in model.checks if about in c[2]]
    figures = {var[0] for var in public.counts}
    hidden = {var[0] for var in public.counts if var not in model.known}
    result = Audit(published=len(figures - hidden), hidden=len(hidden), findings=list(public.findings))
    result.unsatisfied = model.unsatisfied
    # a count of 1-4 shown anywhere (maybe hidden elsewhere) is published: recoverable as it stands
    for var, value in model.known.items():
        if 1 <= value < domain.smallest and domain.about_children(var[0][0][2:]) and about in str(var[0]):
            where = ", ".join(sorted({w for w, t in public.counts[var] if number(t) is not None}))
            result.recoverable.append(f"{var[1]} of {var[0]}: {value:g}, shown in {where}")
    for key in {var[0] for var in model.known}:
        n, d = model.known.get((key, "n")), model.known.get((key, "d"))
        if (
            n is not None
            and d is not None
            and 1 <= d - n < domain.smallest
            and key in model.percent
            and about in str(key)
        ):
            result.recoverable.append(f"children left out of {key}: {d - n:g}")
    result.sensitive = len(model.checks)
    _solve(model, domain.smallest, result)
    return result


def _solve(model: Model, smallest: int, result: Audit) -> None:
    """Least and greatest value of each checked count, one connected block of unknowns at a time."""
    n = len(model.unknown)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefs, _, _ in model.rows:
        ids = list(coefs)
        for other in ids[1:]:
            parent[find(other)] = find(ids[0])
    for coefs, _, _ in model.checks:
        ids = list(coefs)
        for other in ids[1:]:
            parent[find(other)] = find(ids[0])
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r, (coefs, _, _) in enumerate(model.rows):
        if coefs:
            rows_of[find(next(iter(coefs)))].append(r)
    checks_of: dict[int, list[int]] = defaultdict(list)
    for c, (coefs, _, _) in enumerate(model.checks):
        checks_of[find(next(iter(coefs)))].append(c)
    lower, upper = np.array(model.lower), np.array(model.upper)
    for root, mine in checks_of.items():
        variables = sorted({i for c in mine for i in model.checks[c][0]} | {
            i for r in rows_of.get(root, []) for i in model.rows[r][0]})  # fmt: skip
        local = {v: j for j, v in enumerate(variables)}
        data, r_idx, c_idx = [], [], []
        block = rows_of.get(root, [])
        for j, r in enumerate(block):
            for i, v in model.rows[r][0].items():
                data.append(v)
                r_idx.append(j)
                c_idx.append(local[i])
        constraints = []
        if block:
            matrix = coo_matrix((data, (r_idx, c_idx)), shape=(len(block), len(variables))).tocsr()
            constraints.append(
                LinearConstraint(matrix, [model.rows[r][1] for r in block], [model.rows[r][2] for r in block])
            )
        bounds = Bounds(lower[variables], upper[variables])
        objectives = np.zeros((len(mine), len(variables)))
        for k, c in enumerate(mine):
            for i, v in model.checks[c][0].items():
                objectives[k, local[i]] = v
        # each check must reach 1 or less (side 0) and smallest - 1 or more (side 1) in some integer solution.
        # Every solution found settles every need it meets; each search for one need also leans every other
        # need still open its way (its objective), so that one solution settles many
        constants = np.array([model.checks[c][1] for c in mine])
        open_needs = np.ones((len(mine), 2), dtype=bool)
        for sign in (1, -1):
            x = _solution(sign * objectives.sum(axis=0), constraints, bounds)
            if x is not None:
                _settle(open_needs, objectives @ x + constants, smallest)
        for k, c in enumerate(mine):
            objective, constant, label = objectives[k], model.checks[c][1], model.checks[c][2]
            reaches = []
            for side, (low, high) in enumerate(((-BIG, 1 - constant), (smallest - 1 - constant, BIG))):
                if not open_needs[k, side]:
                    reaches.append(True)
                    continue
                held = LinearConstraint(objective.reshape(1, -1), [low], [high])
                lean = (open_needs[:, 0].astype(float) - open_needs[:, 1]) @ objectives  # low ones down, high up
                x = _solution(lean, [*constraints, held], bounds)
                if x is not None:
                    _settle(open_needs, objectives @ x + constants, smallest)
                reaches.append(x is not None)
            if all(reaches):
                continue
            least = _solution(objective, constraints, bounds)
            most = _solution(-objective, constraints, bounds)
            if least is None or most is None:
                result.unsatisfied.append(f"no solution for {label}")
                continue
            lo, hi = round(objective @ least + constant), round(objective @ most + constant)
            if lo == hi:
                result.recoverable.append(f"{label}: {lo}")
            else:
                result.narrowed.append(f"{label}: {lo} to {hi}")


def _settle(open_needs: np.ndarray, counts: np.ndarray, smallest: int) -> None:
    """Close each need a solution meets (its checked counts `counts`): 1 or less, smallest - 1 or more."""
    open_needs[:, 0] &= ~(counts <= 1 + 1e-6)
    open_needs[:, 1] &= ~(counts >= smallest - 1 - 1e-6)


def _solution(objective: np.ndarray, constraints: list[LinearConstraint], bounds: Bounds) -> np.ndarray | None:
    found = milp(objective, constraints=constraints, bounds=bounds, integrality=np.ones(len(objective)))
    return np.round(found.x) if found.status == 0 else None
