"""The appendix's HTML sections, from Jinja templates (present/templates) with autoescaping: a value is
escaped unless it is already markup (a section, a chart's SVG). Each section displays itself in JupyterLab."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Section(Markup):
    """A piece of the page: HTML that is safe as it is, shown as HTML by JupyterLab (and by IPython.display)."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Plain text says what it is, not the whole page again: every output is sent, and kept in the
        notebook, in each of its forms (a chart section is 200,000 characters of HTML)."""
        printer.text(f"<{type(self).__name__}: {len(self):,} characters of HTML>")


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    made = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a name the template reads and nobody gave fails, not prints blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # the package's own templates: not looked at on disk again for each of a page's 130
    )
    made.filters["data_url"] = data_url
    return made


# What a data: URL's body may carry as it is (the URL standard's opaque path): every other character is
# percent-encoded, among them line ends, '#' and '%', and what HTML would escape (& ' " < >)
DATA_URL_SAFE = " !$()*+,-./:;=@_~"


# Runs of what must be percent-encoded: all but the characters urllib's quote always leaves and DATA_URL_SAFE
_DATA_URL_ENCODED = re.compile(f"[^A-Za-z0-9_.~{re.escape(DATA_URL_SAFE)}-]+")


def data_url(text: str) -> str:
    """`text` as the body of a data: URL, percent-encoded only where it must be: a CSV's commas and spaces as
    they are (`urlencode` writes each as three characters, and the downloads were a third of a page). As
    `urllib.parse.quote(text, safe=DATA_URL_SAFE)` writes it (tested), which looks up every character in turn:
    a page's downloads took 4 ms so."""
    return _DATA_URL_ENCODED.sub(_percent_encoded, text)


def _percent_encoded(found: re.Match[str]) -> str:
    return _encoded(found.group())


@functools.lru_cache(maxsize=256)
def _encoded(run: str) -> str:  # mostly a line's end, again and again
    return "".join(f"%{byte:02X}" for byte in run.encode())


def compile_templates() -> None:
    """Every template compiled into the environment's cache, before there is a page to fill in (a warm kernel's
    first page compiled 18 of them; all 21 take some 70 ms)."""
    for template in sorted(TEMPLATES.glob("*.j2")):
        environment().get_template(template.name)


def render(template: str, **context: Any) -> Section:
    """The named partial (e.g. 'table.html.j2') filled in: one line of HTML per element, no stray blanks."""
    return Section(environment().get_template(template).render(**context).strip())
