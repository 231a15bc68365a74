"""Cohorts and breakdowns as data: parameters/cohorts.yaml, read into frozen, validated models.

A cohort is the children of whom every condition holds; a list means any of its values. What a condition
looks at is what is known of the child at the month end or, for a measure of events (starts, ceased,
missing), when the event happened: age in whole years (both ends of a range included), the legal status
and placement of the episode open then, UASC or not, sex, ethnicity group and area. The file also names
breakdowns beyond the built-in ones: age bands of its own, or two breakdowns crossed (age band x legal
status). `Scope` says which children a figure counts, so disclosure control can find the figures that
contain others (docs/disclosure-control.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import load_yaml_model
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.vocabulary import (
    AGE_BAND_STARTS,
    AGE_BANDS,
    ALL,
    BREAKDOWNS,
    ETHNICITIES,
    LEGAL_STATUSES,
    PLACEMENT_TYPES,
    SEX_CODES,
    TOTAL,
)

LEGAL_STATUS_NAMES = {"section 20": "V2"}  # what panels say, as the code the return uses
# a cohort's sex as SSDA903 codes it (1/2, M/F) or in words, read as M/F
SEXES = {**{c.lower(): s for c, s in SEX_CODES.items() if s != "U"}, "male": "M", "female": "F"}
OLDEST = 30  # ages are told apart up to this; older is one age (no child in care or care leaver is older)
UNKNOWN, OTHER_AGES, CROSSED = "unknown", "other ages", " / "
# Each built-in breakdown's groups (beside 'unknown'), as measures/children.py labels a child
BUILT_IN_GROUPS: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "sex": tuple(dict.fromkeys(SEX_CODES.values())),
    "ethnicity": ETHNICITIES,
    "legal_status": LEGAL_STATUSES,
    "placement_type": PLACEMENT_TYPES,
}
# What a cohort condition or a breakdown looks at, in the order they are written
DIMENSIONS = ("age", "legal_status", "uasc", "disability", "sex", "ethnicity", "placement_type", "area")
# yes/no conditions; disability is known from Annex A only (SSDA903 does not record it): a child whose
# disability is not known is in neither a disability: true nor a disability: false cohort
YES_NO_DIMENSIONS = ("uasc", "disability")
Scope = dict[str, frozenset[str]]  # per dimension, the values a figure's children may have (absent: any)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class AgeRange(_Frozen):
    """Whole years, both ends included; either end may be left open."""

    first: int | None = Field(default=None, alias="from", ge=0, le=OLDEST)
    last: int | None = Field(default=None, alias="to", ge=0, le=OLDEST)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        """'5-13', '16+' as well as {from: 5, to: 13}."""
        if isinstance(value, str):
            found = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)|(\+|and over))\s*", value)
            if not found:
                raise ValueError(f"{value!r} is not an age range such as '5-13' or '16+'")
            return {"from": int(found[1]), "to": int(found[2]) if found[2] else None}
        return value

    @model_validator(mode="after")
    def _in_order(self) -> AgeRange:
        if self.first is not None and self.last is not None and self.first > self.last:
            raise ValueError(f"age from {self.first} to {self.last}: 'from' is after 'to'")
        return self

    @property
    def label(self) -> str:
        if self.last is None:
            return f"{self.first or 0} and over"
        return f"{self.first or 0}-{self.last}" if self.first != self.last else f"{self.last}"

    def holds(self, age: pd.Series) -> np.ndarray:
        low = -np.inf if self.first is None else self.first
        high = np.inf if self.last is None else self.last
        return np.asarray(age.ge(low) & age.le(high), dtype=bool)  # an unknown age is in no range

    def ages(self) -> frozenset[str]:
        top = OLDEST if self.last is None else self.last
        return frozenset(
            [str(a) for a in range(self.first or 0, top + 1)] + (["older"] if self.last is None else [])
        )  # fmt: skip


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str | int) else value


class Cohort(_Frozen):
    """A named cohort: every condition given must hold (a list: any of its values). No condition: all children."""

    name: str = Field(min_length=1, max_length=80)
    age: AgeRange | None = None
    legal_status: tuple[str, ...] | None = None
    uasc: bool | None = None
    disability: bool | None = None  # Annex A's "Does the Child have a Disability" (no SSDA903 child is known)
    sex: tuple[str, ...] | None = None
    ethnicity: tuple[str, ...] | None = None
    placement_type: tuple[str, ...] | None = None
    area: tuple[str, ...] | None = None

    @field_validator("legal_status", "sex", "ethnicity", "placement_type", "area", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("legal_status")
    @classmethod
    def _legal_statuses(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _known(value, LEGAL_STATUSES, {**LEGAL_STATUS_NAMES, **{s.lower(): s for s in LEGAL_STATUSES}})

    @field_validator("sex")
    @classmethod
    def _sexes(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _known(value, ("M (male, 1)", "F (female, 2)"), SEXES)

    @field_validator("ethnicity")
    @classmethod
    def _ethnicities(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _known(value, ETHNICITIES, {e.lower(): e for e in ETHNICITIES})

    @field_validator("placement_type")
    @classmethod
    def _placement_types(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return _known(value, PLACEMENT_TYPES, {p.lower(): p for p in PLACEMENT_TYPES})

    def conditions(self) -> dict[str, Any]:
        return {d: getattr(self, d) for d in DIMENSIONS if getattr(self, d) is not None}

    @property
    def exact(self) -> bool:
        """All children, or all children but (or only) the unaccompanied: a cohort whose figures, with the
        built-in breakdowns, disclosure control publishes exactly (docs/disclosure-control.md). Any other
        condition makes cohorts that overlap in ways no pattern of hidden cells can cover: their counts are
        the internal edition's only."""
        return set(self.conditions()) <= {"uasc"}

    def holds(self, children: pd.DataFrame) -> np.ndarray:
        """Per row of `children` (columns age, legal_status, uasc, sex, ethnicity, placement_type, area; and
        disability where the source records it): whether the child is in the cohort."""
        inside = np.ones(len(children), dtype=bool)
        for dimension, allowed in self.conditions().items():
            if dimension == "disability" and dimension not in children:  # not recorded: not known
                inside &= False
                continue
            column = children[dimension]
            if isinstance(allowed, AgeRange):
                inside &= allowed.holds(column)
            elif dimension == "disability":
                inside &= (column.astype("boolean") == allowed).fillna(False).to_numpy(dtype=bool)
            elif dimension == "uasc":
                inside &= column.to_numpy(dtype=bool) == allowed
            else:
                inside &= column.isin(allowed).to_numpy(dtype=bool)
        return inside

    def scope(self) -> Scope:
        out: Scope = {}
        for dimension, allowed in self.conditions().items():
            if isinstance(allowed, AgeRange):
                out[dimension] = allowed.ages()
            elif dimension in YES_NO_DIMENSIONS:
                out[dimension] = frozenset([str(allowed)])
            else:
                out[dimension] = frozenset(allowed)
        return out


def _known(
    values: tuple[str, ...] | None, listed: tuple[str, ...], spelled: Mapping[str, str]
) -> tuple[str, ...] | None:
    if values is None:
        return None
    out = []
    for value in values:
        code = spelled.get(str(value).strip().lower(), spelled.get(str(value).strip()))
        if code is None:
            raise ValueError(f"{value!r} is not one of: {', '.join(listed)}")
        out.append(code)
    return tuple(dict.fromkeys(out))


class Breakdown(_Frozen):
    """A breakdown of the file's own: age bands (`age_bands`), or two breakdowns crossed (`by`)."""

    name: str = Field(min_length=1, max_length=80)
    age_bands: tuple[AgeRange, ...] | None = Field(default=None, min_length=1)
    by: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Breakdown:
        if (self.age_bands is None) == (self.by is None):
            raise ValueError(f"breakdown {self.name!r}: give either age_bands or by (two breakdowns to cross)")
        if self.age_bands is not None:
            taken: set[str] = set()
            for band in self.age_bands:
                if taken & band.ages():
                    raise ValueError(f"breakdown {self.name!r}: age band {band.label} overlaps another")
                taken |= band.ages()
        return self


class CohortCatalogue(_Frozen):
    cohorts: tuple[Cohort, ...] = Field(min_length=1)
    breakdowns: tuple[Breakdown, ...] = ()
    source: str = Field(default="parameters/cohorts.yaml", exclude=True)

    @model_validator(mode="after")
    def _names(self) -> CohortCatalogue:
        names = [c.name for c in self.cohorts]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"cohort {name!r} is listed twice")
        if ALL not in names or self.cohort(ALL).conditions():
            raise ValueError(f"the cohort {ALL!r} (every child, no condition) must be listed: the headline is its")
        known = list(BREAKDOWNS)
        for breakdown in self.breakdowns:
            if breakdown.name in (TOTAL, *known):
                raise ValueError(f"breakdown {breakdown.name!r} is listed twice (or is a built-in one)")
            for part in breakdown.by or ():
                if part not in known:
                    raise ValueError(f"breakdown {breakdown.name!r}: {part!r} is not one of: {', '.join(known)}")
            known.append(breakdown.name)
        return self

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.cohorts]

    @property
    def breakdown_names(self) -> list[str]:
        """Every breakdown: the built-in ones, then the file's."""
        return [*BREAKDOWNS, *(b.name for b in self.breakdowns)]

    def exact_only(self) -> CohortCatalogue:
        """The cohorts published exactly, and no breakdown of the file's own: what a KPI's pages show."""
        return self.model_copy(update={"cohorts": tuple(c for c in self.cohorts if c.exact), "breakdowns": ()})

    def published_exactly(self, cohort: str, breakdown: str) -> bool:
        return cohort in self.names and self.cohort(cohort).exact and self.breakdown(breakdown) is None

    def require_exact(self, name: str, where: str | Path, column: str | None = None) -> Cohort:
        """`require`, for a KPI or a page: a cohort it can publish exactly (see `Cohort.exact`)."""
        found = self.require(name, where, column)
        if not found.exact:
            raise InputError(
                where,
                f"cohort {name!r} has conditions beyond UASC: KPIs and pages take only all and UASC cohorts "
                "(exact figures); lacperf measures and the explorer show it in the internal edition",
                column=column,
            )
        return found

    def cohort(self, name: str) -> Cohort:
        for cohort in self.cohorts:
            if cohort.name == name:
                return cohort
        raise KeyError(name)

    def require(self, name: str, where: str | Path, column: str | None = None) -> Cohort:
        """The cohort called `name`, or an InputError naming `where` and the cohorts there are."""
        in_file = "" if Path(where) == Path(self.source) else f" in {self.source}"
        try:
            return self.cohort(name)
        except KeyError:
            raise InputError(
                where, f"no cohort {name!r}; the cohorts{in_file} are: {', '.join(self.names)}", column=column
            ) from None

    def breakdown(self, name: str) -> Breakdown | None:
        """The file's breakdown called `name` (None for a built-in one)."""
        return next((b for b in self.breakdowns if b.name == name), None)

    def groups(self, children: pd.DataFrame, name: str) -> pd.Series:
        """Each row's group in the breakdown `name` (from the built-in columns age_band, sex ... and age), as a
        categorical: 100,000 children x 60 months are counted by the codes, never by the text."""
        breakdown = self.breakdown(name)
        if breakdown is None:
            column = children[name].astype("category")
            if UNKNOWN not in column.cat.categories:
                column = column.cat.add_categories([UNKNOWN])
            return column.fillna(UNKNOWN)
        if breakdown.by is not None:
            first, second = (self.groups(children, part) for part in breakdown.by)
            width = len(second.cat.categories)
            codes = first.cat.codes.to_numpy().astype("int64") * width + second.cat.codes.to_numpy()
            labels = [f"{a}{CROSSED}{b}" for a in first.cat.categories for b in second.cat.categories]
            return pd.Series(pd.Categorical.from_codes(codes, pd.Index(labels)), index=children.index)
        age = children["age"]
        bands = [band.label for band in breakdown.age_bands or ()]
        codes = np.full(len(children), len(bands), dtype="int64")  # other ages
        for n, band in enumerate(breakdown.age_bands or ()):
            codes[band.holds(age)] = n
        codes[age.isna().to_numpy()] = len(bands) + 1
        return pd.Series(
            pd.Categorical.from_codes(codes, pd.Index([*bands, OTHER_AGES, UNKNOWN])), index=children.index
        )

    def group_names(self, name: str) -> list[str]:
        """Every group the breakdown `name` has, whether or not a child is in it: a table lists each (0 where
        none), so that a group's row being there says nothing about its children (a row only where a child is
        would tell a reader of a hidden count that it is at least 1)."""
        if name == TOTAL:
            return [ALL]
        breakdown = self.breakdown(name)
        if breakdown is None:
            return [*BUILT_IN_GROUPS[name], UNKNOWN]
        if breakdown.by is not None:
            first, second = (self.group_names(part) for part in breakdown.by)
            return [f"{a}{CROSSED}{b}" for a in first for b in second]
        return [*(band.label for band in breakdown.age_bands or ()), OTHER_AGES, UNKNOWN]

    def group_scope(self, breakdown: str, group: str) -> Scope | None:
        """The children a group counts, on the dimensions it looks at (None: not known as conditions)."""
        if breakdown == TOTAL:
            return {}
        found = self.breakdown(breakdown)
        if found is not None and found.by is not None:
            parts = group.split(CROSSED)
            if len(parts) != 2:
                return None
            scopes = [self.group_scope(b, g) for b, g in zip(found.by, parts, strict=True)]
            return None if scopes[0] is None or scopes[1] is None else both(scopes[0], scopes[1])
        if group == UNKNOWN:
            return {"age" if breakdown == "age_band" or found is not None else breakdown: frozenset([UNKNOWN])}
        if found is not None:
            band = next((b for b in found.age_bands or () if b.label == group), None)
            return None if band is None else {"age": band.ages()}
        if breakdown == "age_band":
            return {"age": DFE_AGE_BANDS[group].ages()} if group in DFE_AGE_BANDS else None
        return {breakdown: frozenset([group])}

    def scope(self, cohort: str, breakdown: str, group: str) -> Scope | None:
        """The children a figure of this cohort, breakdown and group counts (None: a cohort not in the file,
        or a group whose children are not known as conditions, such as 'other ages')."""
        found = self.group_scope(breakdown, group)
        if found is None or cohort not in self.names:
            return None
        return both(self.cohort(cohort).scope(), found)


def _age_ranges() -> dict[str, AgeRange]:
    """The DfE's age bands (config/vocabulary.py) as ranges, for their scopes: '1-4', ..., '16+'."""
    starts = list(AGE_BAND_STARTS.values())
    ends = [f"-{after - 1}" for after in starts[1:]] + ["+"]
    return {
        band: AgeRange.model_validate(f"{start}{end}")
        for band, start, end in zip(AGE_BAND_STARTS, starts, ends, strict=True)
    }


DFE_AGE_BANDS = _age_ranges()


def both(one: Scope, other: Scope) -> Scope:
    """Children in both scopes."""
    out = dict(one)
    for dimension, allowed in other.items():
        out[dimension] = out[dimension] & allowed if dimension in out else allowed
    return out


def load_cohorts(path: str | Path | None = None) -> CohortCatalogue:
    """parameters/cohorts.yaml (or `path`): the cohorts and the file's own breakdowns."""
    where = paths.or_default(path, paths.COHORTS_FILE)
    if not where.is_file():
        raise InputError(where, "no such cohorts file")
    return _load(where.resolve(), where.stat().st_mtime_ns, str(where))


@cache
def _load(path: Path, modified: int, shown: str) -> CohortCatalogue:
    loaded = load_yaml_model(path, CohortCatalogue)
    return loaded.model_copy(update={"source": shown})
