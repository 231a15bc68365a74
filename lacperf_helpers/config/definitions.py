"""KPI definitions and settings, read from parameters/*.yaml into frozen, validated models.

A KPI's target and floor may change at the start of a financial year: `years` lists only the years that
differ from the standing target and floor.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.paths import read_regular_file
from lacperf_helpers.config.periods import financial_year
from lacperf_helpers.config.vocabulary import ANNEX_A_MEASURE_UNITS, MEASURE_UNITS

Polarity = Literal["H", "L"]
Unit = Literal["percent", "number", "days"]
Source = Literal["return", "ssda903", "annex_a"]
# How months add up to a quarter or a year: `latest` for snapshots and rolling measures (the period's
# figure is its last month's), `sum` for monthly flows (numerators and denominators add up).
Aggregation = Literal["latest", "sum"]
M = TypeVar("M", bound=BaseModel)

# Displayed decimals by unit, unless a KPI says otherwise; "Same" direction means equal at this precision.
DEFAULT_DECIMALS: dict[str, int] = {"percent": 1, "number": 0, "days": 0}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Thresholds(_Frozen):
    target: float
    floor: float


@functools.lru_cache(maxsize=1024)
def thresholds(target: float, floor: float) -> Thresholds:
    """The (frozen) Thresholds of a target and floor: made once, not once for each row a history rates."""
    return Thresholds(target=target, floor=floor)


# KPI ids as councils write them: CIC01, NI62, SCS-07, cp_2.1 (letters of either case, digits, _ - .).
KPI_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class KpiDefinition(_Frozen):
    id: str = Field(pattern=KPI_ID_PATTERN, max_length=64)
    title: str = Field(min_length=1)
    polarity: Polarity
    unit: Unit
    target: float
    floor: float
    source: Source
    guidance: str = ""
    counts: str = "children"  # what the numerator and denominator count, as in "12 of 40 children"
    aggregation: Aggregation = "latest"
    disclosure: Literal["children", "staff"] = "children"  # staff: figures of posts, never hidden as small
    measure: str | None = None  # source ssda903: the measure computed from the child-level data
    cohort: str | None = None  # source ssda903: measured on this cohort (cohorts.yaml) only (default: every one)
    # the column of the DfE's local-authority table (parameters/national) publishing this KPI, if one does
    national_indicator: str | None = None
    decimals: int | None = Field(default=None, ge=0, le=4)
    years: dict[str, Thresholds] = Field(default_factory=dict)
    # Where a number or days KPI is rated in the authority's areas. Its target and floor are the authority's: a
    # count (children in care, target 1,450) means nothing against an area a fifth of its size, so by default an
    # area shows its figure unrated. `authority`: the authority's standards apply in every area too (an average,
    # such as days or a caseload, does not grow with an area's size); or each area's own target and floor, by
    # its name as the return writes it (areas not listed unrated). A percentage is rated in every area against
    # the authority's standards, unless an area is listed here with its own.
    area_standards: Literal["authority"] | dict[str, Thresholds] = Field(default_factory=dict)

    @field_validator("area_standards")
    @classmethod
    def _areas_named(cls, standards: str | dict[str, Thresholds]) -> str | dict[str, Thresholds]:
        for area in standards if isinstance(standards, dict) else ():
            if not area.strip() or area != area.strip():
                raise ValueError(f"area_standards: {area!r} is not an area's name as the return writes it")
        return standards

    @field_validator("years")
    @classmethod
    def _years_are_financial_years(cls, years: dict[str, Thresholds]) -> dict[str, Thresholds]:
        for label in years:
            start, _, end = label.partition("/")
            if not (start.isascii() and start.isdigit() and len(start) == 4 and end == f"{(int(start) + 1) % 100:02d}"):
                raise ValueError(f"{label!r} is not a financial year such as '2019/20'")
        return years

    @model_validator(mode="after")
    def _floor_on_the_worse_side(self) -> KpiDefinition:
        own = self.area_standards if isinstance(self.area_standards, dict) else {}
        areas = [(f"for {area}", pair) for area, pair in own.items()]
        for label, pair in [("", Thresholds(target=self.target, floor=self.floor)), *self.years.items(), *areas]:
            worse_side_ok = pair.floor <= pair.target if self.polarity == "H" else pair.floor >= pair.target
            if not worse_side_ok:
                side = "above" if self.polarity == "H" else "below"
                year = f" {label}" if label.startswith("for ") else f" in {label}" if label else ""
                raise ValueError(
                    f"floor {pair.floor:g} is {side} target {pair.target:g}{year}; with polarity "
                    f"{self.polarity} the floor must be the weaker standard"
                )
        return self

    @model_validator(mode="after")
    def _measure_for_ssda903(self) -> KpiDefinition:
        if self.source == "return":
            if self.measure or self.cohort:
                raise ValueError("measure and cohort are for source ssda903; a return KPI's figures are given")
            return self
        units = ANNEX_A_MEASURE_UNITS if self.source == "annex_a" else MEASURE_UNITS
        if self.measure not in units:
            raise ValueError(f"source {self.source} needs a measure, one of: {', '.join(units)}")
        expected = "percent" if units[self.measure] == "percent" else "number"
        if self.unit != expected:
            raise ValueError(f"measure {self.measure} is a {units[self.measure]}: its unit is {expected}")
        return self  # its cohort is looked up in the cohorts file (config/cohorts.py) when measured

    @property
    def display_decimals(self) -> int:
        return self.decimals if self.decimals is not None else DEFAULT_DECIMALS[self.unit]

    def thresholds_for(self, month: str) -> Thresholds:
        """The target and floor in force in the financial year that `month` falls in."""
        in_year = self.years.get(financial_year(month))
        return in_year if in_year is not None else thresholds(self.target, self.floor)

    @property
    def rated_in_every_area(self) -> bool:
        """Whether the authority's standards apply in every area: a percentage means the same in a small area as
        in the whole authority, and so does an average the catalogue says so of (`area_standards: authority`); a
        count does not, so it is rated in an area only against that area's own standards."""
        return self.unit == "percent" or self.area_standards == "authority"

    def area_thresholds(self, month: str, area: str, authority: str | None) -> Thresholds | None:
        """The target and floor `area`'s figure is rated against in `month`: its own (area_standards), else the
        authority's where the area is the authority (or none is named) or the KPI is rated in every area; None
        where the area has no standards of its own (its figure is shown unrated)."""
        if isinstance(self.area_standards, dict) and area in self.area_standards:
            return self.area_standards[area]
        if authority is None or area == authority or self.rated_in_every_area:
            return self.thresholds_for(month)
        return None


class KpiCatalogue(_Frozen):
    kpis: tuple[KpiDefinition, ...] = Field(min_length=1)

    @field_validator("kpis")
    @classmethod
    def _ids_unique(cls, kpis: tuple[KpiDefinition, ...]) -> tuple[KpiDefinition, ...]:
        seen: dict[str, str] = {}
        for kpi in kpis:
            other = seen.get(kpi.id.casefold())
            if other == kpi.id:
                raise ValueError(f"KPI id {kpi.id!r} is listed twice")
            if other is not None:  # CIC01 and cic01 would be one KPI to a reader and two to a spreadsheet
                raise ValueError(f"KPI ids {other!r} and {kpi.id!r} differ only by case: name them apart")
            seen[kpi.id.casefold()] = kpi.id
        return kpis

    def get(self, kpi_id: str) -> KpiDefinition:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        raise KeyError(kpi_id)

    @property
    def ids(self) -> list[str]:
        return [kpi.id for kpi in self.kpis]


class DisclosureRule(_Frozen):
    """Counts of children from 1 to smallest_shown - 1 are shown as '<smallest_shown' (with secondary
    suppression): in every appendix, index page and CSV export. Only an analyst's own notebook can turn
    it off (its disclosure_control parameter); lacperf render and batch always apply it."""

    smallest_shown: int = Field(default=5, ge=2, le=20)


RateCount = Literal["looked_after", "started", "uasc"]
RATE_INDICATORS: dict[RateCount, str] = {
    "looked_after": "cla_rate_per_10000", "started": "starts_rate_per_10000", "uasc": "uasc_rate_per_10000",
}  # fmt: skip


class Settings(_Frozen):
    """How the appendix is laid out for this authority (parameters/settings.yaml)."""

    authority: str | None = None  # the authority as a whole: listed first, its areas after it
    small_cohort_denominator: int = Field(default=50, ge=1)  # below this, say "12 of 40"
    notice: str = ""  # a line printed at the top of every appendix, e.g. that the data is synthetic
    disclosure: DisclosureRule = DisclosureRule()
    la_code: str | None = Field(default=None, pattern=r"^E\d{8}$")  # the authority's code in the DfE's tables
    # each count given per 10,000 children (population.csv) -> the column of the DfE's table publishing that rate
    rates_per_10000: dict[RateCount, str] = Field(default_factory=lambda: dict(RATE_INDICATORS))


# The stated trend test and the SPC rules (trend.yaml's `trend:` and `spc:`), used by trend/trend.py and trend/spc.py.
@dataclass(frozen=True)
class TrendTest:
    __pydantic_config__ = ConfigDict(extra="forbid")  # a misspelt rule in trend.yaml is an error

    alpha: float = 0.05
    min_points: int = 6


@dataclass(frozen=True)
class SpcRules:
    __pydantic_config__ = ConfigDict(extra="forbid")  # a misspelt rule in trend.yaml is an error

    min_points: Annotated[int, Field(ge=2)] = 13  # MDC: limits, special causes and icons from 13 points
    shift_run: Annotated[int, Field(ge=2)] = 6  # MDC default 6 (some use 7)
    trend_run: Annotated[int, Field(ge=2)] = 6
    two_of_three: bool = True
    limit_factor: Annotated[float, Field(gt=0)] = 2.66
    window: Annotated[int, Field(ge=2, le=240)] = 24  # months on the chart, ending with the reporting month


class ChangePoint(_Frozen):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    kpis: tuple[str, ...] = ("all",)
    reason: str = ""


class SpcBaseline(_Frozen):
    """SPC limits fixed from the first `points` points of the chart and extended after them (MDC "baseline")."""

    kpis: tuple[str, ...] = ("all",)
    points: int = Field(ge=2)
    reason: str = ""


class ExcludedPoint(_Frozen):
    """A month shown on a KPI's SPC chart but left out of its limits and rules (a known one-off)."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    kpis: tuple[str, ...] = ("all",)
    reason: str = Field(min_length=1)


class TrendSettings(_Frozen):
    """parameters/trend.yaml: the trend window, the stated test and the SPC rules.

    KPI ids named here that the catalogue does not define are ignored: one trend file serves many catalogues."""

    window: int = Field(default=12, ge=3, le=120)
    trend: TrendTest = TrendTest()
    spc: SpcRules = SpcRules()
    change_points: tuple[ChangePoint, ...] = ()
    baselines: tuple[SpcBaseline, ...] = ()
    excluded_points: tuple[ExcludedPoint, ...] = ()

    def change_points_for(self, kpi_id: str) -> list[str]:
        return sorted(p.month for p in self.change_points if kpi_id in p.kpis or "all" in p.kpis)

    def baseline_for(self, kpi_id: str) -> int | None:
        chosen = [b.points for b in self.baselines if kpi_id in b.kpis or "all" in b.kpis]
        return chosen[-1] if chosen else None

    def excluded_for(self, kpi_id: str) -> list[str]:
        return sorted(p.month for p in self.excluded_points if kpi_id in p.kpis or "all" in p.kpis)


def load_kpis(path: str | Path) -> KpiCatalogue:
    return load_yaml_model(Path(path), KpiCatalogue)


def load_settings(path: str | Path | None) -> Settings:
    if path is None or not Path(path).exists():
        return Settings()
    return load_yaml_model(Path(path), Settings)


def load_trend_settings(path: str | Path | None) -> TrendSettings:
    if path is None or not Path(path).exists():
        return TrendSettings()
    return load_yaml_model(Path(path), TrendSettings)


def load_yaml_model(path: Path, model: type[M]) -> M:
    text = _read_text(path)
    data, node = _parsed(path, text)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            path,
            _explain(first, data),
            row=_line_of(node, first["loc"]),
            row_label="line",
            column=".".join(str(part) for part in first["loc"] if isinstance(part, str)) or None,
        ) from None


def _parsed(path: Path, text: str) -> tuple[dict[str, Any], yaml.Node | None]:
    """The file's text as YAML (its data, and its nodes for the line of a mistake), checked for what YAML itself
    lets through; InputError naming its line. Parsed once a process for the same text (a plan reads the KPI
    definitions for each month and edition: 40 ms of YAML each time), not for the same size or time: a file
    changed in place is parsed afresh. Each caller still gets a model of its own (validation makes new ones),
    and a text that fails is checked again each time it is read."""
    parsed = _PARSED.get(text)
    if parsed is not None:
        return parsed
    try:
        data, node = _read_by_libyaml(text) or _read_by_pyyaml(path, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path,
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            row=mark.line + 1 if mark else None,
            row_label="line",
        ) from None
    except RecursionError:  # lists in lists a thousand deep: PyYAML reads nesting by recursion
        raise InputError(path, "not valid YAML for lacperf: nested too deeply to read") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping of settings at the top level (e.g. 'kpis:')")
    twice = _key_given_twice(node)
    if twice is not None:  # YAML itself would quietly keep the last
        key, line, again = twice
        raise InputError(path, f"{key!r} is given twice (lines {line} and {again})", row=again, row_label="line")
    if len(_PARSED) >= 16:
        del _PARSED[next(iter(_PARSED))]
    _PARSED[text] = data, node
    return data, node


_PARSED: dict[str, tuple[dict[str, Any], yaml.Node | None]] = {}

# libyaml (PyYAML's C parser) reads the KPI catalogue in 2 ms, PyYAML's own Python reader in 37 (a plan, a CLI
# command and each test read it). libyaml reads only plain settings: block and flow mappings and lists of untagged
# scalars. PyYAML's reader reads all else as before, so each message is PyYAML's own, line for line: a mistake, an
# alias or anchor, a tag, a merge key, '---' or a directive, what the two read apart (below), and nesting deeper
# than LIBYAML_DEPTH (libyaml builds nodes by recursion in C, which no RecursionError stops: it crashes).
_LIBYAML = getattr(yaml, "CSafeLoader", None)  # absent where PyYAML was built without libyaml
LIBYAML_DEPTH = 64  # a settings file nests four or five deep
# text the two read apart: libyaml takes a tab, '?' in a flow, '#' just after a block scalar's '|' or '>', or a
# byte-order mark where PyYAML refuses it (or the other way round); other line breaks and control characters
_PYYAML_READS = re.compile("[\t?\ufeff\x85\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|[|>][-+0-9]*#")


def _read_by_libyaml(text: str) -> tuple[Any, yaml.Node | None] | None:
    """The text's data and nodes as libyaml reads them, or None where PyYAML's reader must read it (above)."""
    if _LIBYAML is None or _PYYAML_READS.search(text):
        return None
    try:
        if not _plain_settings(yaml.parse(text, Loader=_LIBYAML)):
            return None
        # composed apart from the data: constructing a document rewrites its nodes (a merge key's, for one)
        return yaml.load(text, Loader=_LIBYAML), yaml.compose(text, Loader=_LIBYAML)
    except yaml.YAMLError:
        return None


def _plain_settings(events: Iterator[yaml.Event]) -> bool:
    """Are these events (read without recursion) plain settings, no deeper than LIBYAML_DEPTH?"""
    flows: list[bool] = []  # each open collection: is it a flow ([...], {...})?
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent) and (event.explicit or event.version or event.tags):
            return False  # '---', %YAML or %TAG
        if isinstance(event, yaml.NodeEvent) and (event.anchor is not None or getattr(event, "tag", None)):
            return False  # an alias (its anchor named), an anchor, a tag
        plain = event.value if isinstance(event, yaml.ScalarEvent) and event.implicit[0] else None
        if plain in ("<<", "=") or (plain == "" and any(flows)):
            return False  # a merge key (or YAML's '=' value key); an empty entry of a flow
        if isinstance(event, yaml.CollectionStartEvent):
            flows.append(bool(event.flow_style))
            if len(flows) > LIBYAML_DEPTH:
                return False
        elif isinstance(event, yaml.CollectionEndEvent):
            flows.pop()
    return True


def _read_by_pyyaml(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    _refuse_aliases(path, text)
    node = yaml.compose(text)
    return yaml.safe_load(text), node


def _read_text(path: Path) -> str:
    try:
        return read_regular_file(path, "a YAML file").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _refuse_aliases(path: Path, text: str) -> None:
    """A file that names a value once and repeats it (`&a` ... `*a`) is refused: settings are written out in
    full, and a few hundred bytes of aliases nested in aliases would stand for billions of values to check."""
    for event in yaml.parse(text):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else None
            raise InputError(
                path,
                f"uses a YAML alias (*{event.anchor}): write the value out in full where it is needed",
                row=line,
                row_label="line",
            )


def _explain(error: Any, data: dict[str, Any]) -> str:
    loc = error["loc"]
    who = ""
    if len(loc) >= 2 and loc[0] == "kpis" and isinstance(loc[1], int):
        entries = data.get("kpis") or []
        entry = entries[loc[1]] if loc[1] < len(entries) else None
        kpi_id = entry.get("id") if isinstance(entry, dict) else None
        who = f"KPI {kpi_id!r}: " if kpi_id else f"KPI number {loc[1] + 1}: "
    if error["type"] == "missing":
        return f"{who}'{loc[-1]}' is required but missing"
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"{who}'{loc[-1]}' is not a known setting (check its spelling)"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    shown = f" (found {value!r})" if value is not None and not isinstance(value, dict | list) else ""
    return f"{who}{message}{shown}"


def _key_given_twice(node: yaml.Node | None) -> tuple[str, int, int] | None:
    """The first key any mapping in the document gives twice, with both lines."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if key.value in seen:
                return str(key.value), seen[key.value], line
            seen[key.value] = line
            inner = _key_given_twice(value)
            if inner is not None:
                return inner
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            inner = _key_given_twice(item)
            if inner is not None:
                return inner
    return None


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the deepest YAML node on the error's path, so the message points at the entry."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = node.value[part]
        else:
            found = None
        if found is None:
            break
        node = found
        line = node.start_mark.line + 1
    return line
