"""The Making Data Count variation and assurance icons, as small inline SVG, each with plain words beside it.

Drawn after NHS England's designs (as NHSRplotthedots ships them): a ring in the verdict's colour (grey for
normal variation, blue for improvement, orange for concern, purple where neither direction is better),
the run of points inside it, and a letter: H or L for an unusually high or low run, P (passing), F (failing)
or ? (hit and miss) for the target. The letter and the words carry the meaning without colour, so the
icon reads in greyscale print; each icon is an image with a text alternative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lacperf_helpers.present.templating import Section, render
from lacperf_helpers.trend import spc

GREY, BLUE, ORANGE, PURPLE = "#7b7d7d", "#1d70b8", "#e07b00", "#4c2c92"


@dataclass(frozen=True)
class Verdict:
    words: str  # what a reader sees beside the icon: plain English, no SPC terms
    colour: str
    letter: str  # H / L for a high or low special cause, P / F / ? for the target; '' for none
    points: tuple[float, ...]  # the little run drawn in the ring, heights 0 (low) to 1 (high)


FLAT = (0.5, 0.4, 0.6, 0.45, 0.55, 0.5, 0.45)
RISING = (0.35, 0.4, 0.3, 0.45, 0.7, 0.8, 0.9)
FALLING = tuple(1 - p for p in RISING)


def variation(verdict: str | None, polarity: str) -> Verdict | None:
    """The variation icon of a KPI's latest month (None where there is no verdict: too few months)."""
    high = {"H": "H", "L": "L"}
    if verdict == spc.COMMON_CAUSE:
        return Verdict("Normal variation", GREY, "", FLAT)
    if verdict == spc.SPECIAL_IMPROVING:
        side = high[polarity]
        return Verdict("Unusual improvement", BLUE, side, RISING if side == "H" else FALLING)
    if verdict == spc.SPECIAL_CONCERNING:
        side = "L" if polarity == "H" else "H"
        return Verdict("Unusual concern", ORANGE, side, RISING if side == "H" else FALLING)
    if verdict == spc.SPECIAL_HIGHER:
        return Verdict("Unusually high", PURPLE, "H", RISING)
    if verdict == spc.SPECIAL_LOWER:
        return Verdict("Unusually low", PURPLE, "L", FALLING)
    return None


def assurance(verdict: str | None) -> Verdict | None:
    """The assurance icon: will the target be met if nothing changes? (None: no target, too few months)."""
    if verdict == spc.CONSISTENTLY_MET:
        return Verdict("Target always met", BLUE, "P", FLAT)
    if verdict == spc.CONSISTENTLY_MISSED:
        return Verdict("Target always missed", ORANGE, "F", FLAT)
    if verdict == spc.HIT_AND_MISS:
        return Verdict("Target sometimes met", GREY, "?", FLAT)
    return None


def symbol_id(verdict: Verdict, kind: str) -> str:
    """The id of the icon's drawing on the page: its kind, words and side (e.g. mdc-variation-unusual-concern-h)."""
    side = f"-{verdict.letter.lower()}" if verdict.letter in ("H", "L") else ""
    return f"mdc-{kind}-{verdict.words.lower().replace(' ', '-')}{side}"


def icon(verdict: Verdict, kind: str) -> Section:
    """The icon as inline SVG (24 px), named for a screen reader by its words; `kind` variation or assurance.
    It draws the page's one copy of its drawing (`symbols`): a page has some 40 icons of ten kinds."""
    return render("mdc_icon.svg.j2", v=verdict, kind=kind, id=symbol_id(verdict, kind))


def every_icon() -> dict[str, tuple[Verdict, str]]:
    """Every icon a page can show, by its drawing's id, with its kind."""
    special = (spc.COMMON_CAUSE, spc.SPECIAL_IMPROVING, spc.SPECIAL_CONCERNING, spc.SPECIAL_HIGHER, spc.SPECIAL_LOWER)
    verdicts = [(variation(v, polarity), "variation") for v in special for polarity in ("H", "L")]
    verdicts += [(assurance(v), "assurance") for v in (spc.CONSISTENTLY_MET, spc.CONSISTENTLY_MISSED, spc.HIT_AND_MISS)]
    return {symbol_id(v, kind): (v, kind) for v, kind in verdicts if v is not None}


def symbols(ids: Iterable[str]) -> Section:
    """The drawings of these icons, once each, in an SVG that takes no room and that assistive technology skips
    (each icon is named where it is shown). A page carries those it shows; an id not an icon's is refused."""
    drawn = every_icon()
    unknown = sorted(set(ids) - set(drawn))
    if unknown:
        raise ValueError(f"no icon is drawn as {', '.join(unknown)}")
    return render("mdc_symbols.svg.j2", icons=[(i, *drawn[i]) for i in sorted(set(ids))], grey=GREY)


KEY = (
    "Variation (the NHS Making Data Count icons): how this month compares with the months before it. Normal "
    "variation (grey) is the usual ups and downs; an unusual improvement (blue) or concern (orange) is more than "
    "they explain; H or L: unusually high or low. Assurance: if nothing changes, will the target be met? P always "
    "(blue), F never (orange), ? sometimes (grey). A dash: fewer than 13 months to judge by."
)
