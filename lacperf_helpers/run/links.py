"""A page's navigation links only what exists: each page links the other areas' pages of its period, the
previous and next months', the quarter's and the indexes, made by this run, an earlier one or not at all. After
a batch, every page of an edition's folder links the pages that are there, and names the others "not made yet"
(made later, they are linked then)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from lacperf_helpers.config.paths import write_atomically

NAV = re.compile(r'(<nav class="lacperf-nav"[^>]*>)(.*?)(</nav>)', re.S)
LINK = re.compile(r'<a href="(?P<href>[^"#:][^":]*)">(?P<name>[^<]*)</a>')
NOT_MADE = re.compile(
    r'<span class="lacperf-not-made" data-href="(?P<href>[^"]*)">(?P<name>[^<]*) \(not made yet\)</span>'
)


def not_made(href: str, name: str) -> str:
    return f'<span class="lacperf-not-made" data-href="{href}">{name} (not made yet)</span>'


def linked_as_made(page: str, folder: Path) -> str:
    """`page` (a page's HTML in `folder`) with its navigation's links to pages that are not in the folder
    named "not made yet", and those named so that now exist linked again. Links within the page (#...) and
    to other sites are left as they are."""

    def exists(href: str) -> bool:
        target = (folder / html.unescape(href)).resolve()
        return target.is_file()

    def nav(match: re.Match[str]) -> str:
        links = LINK.sub(lambda m: m[0] if exists(m["href"]) else not_made(m["href"], m["name"]), match[2])
        links = NOT_MADE.sub(lambda m: f'<a href="{m["href"]}">{m["name"]}</a>' if exists(m["href"]) else m[0], links)
        return match[1] + links + match[3]

    return NAV.sub(nav, page, count=1)


def link_pages(out: Path) -> int:
    """Every page of an edition's folder (`<out>/<period>/<page>.html`) linking only the pages there; the
    number of pages changed. Indexes (index.html) link only what exists already."""
    changed = 0
    for path in sorted(out.glob("*/*.html")):
        if path.name == "index.html" or path.is_symlink() or not path.is_file():
            continue
        page = path.read_text(encoding="utf-8")
        linked = linked_as_made(page, path.parent)
        if linked != page:
            write_atomically(path, linked)
            changed += 1
    return changed
