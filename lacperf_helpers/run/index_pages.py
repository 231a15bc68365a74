"""The index pages: `<out>/<period>/index.html` listing a period's appendices with their Green, Amber
and Red counts, and `<out>/index.html` listing the periods; built from the pages' manifests on disk. An index
whose manifests, template and lacperf are those it was last written from, and which is still as written, is
left as it is (a re-run with nothing to render draws no index, nor imports Jinja)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from lacperf_helpers import __version__
from lacperf_helpers.config import cache, paths
from lacperf_helpers.config.definitions import load_settings
from lacperf_helpers.config.editions import FOLDERS, Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.paths import read_regular_file, write_atomically
from lacperf_helpers.config.periods import period_label
from lacperf_helpers.run.pages import TEMPLATES

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger("lacperf.batch")


def _index_template() -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return environment.get_template("index.html.j2")


def _authority_first(manifest: dict[str, Any]) -> tuple[bool, str, str]:
    if isinstance(manifest.get("authority"), str) and manifest["authority"]:  # as the batch knew it
        return (manifest["area"] != manifest["authority"], str(manifest["area"]).casefold(), str(manifest["cohort"]))
    given = manifest.get("parameters")
    settings_file = given.get("settings_file") if isinstance(given, dict) else None
    try:  # the manifest names it relative to the project folder
        settings = paths.PROJECT_ROOT / str(settings_file) if settings_file else None
        authority = load_settings(settings).authority if settings is not None and settings.exists() else None
    except InputError:  # changed since the page was made: the authority is then listed among its areas
        authority = None
    return (manifest["area"] != authority, str(manifest["area"]).casefold(), str(manifest["cohort"]))


# What an index reads of a page's manifest, and its type
_LISTED = {"fingerprint": str, "html": str, "period": str, "area": str, "cohort": str, "ratings": dict}


def _page_manifest(path: Path) -> dict[str, Any] | None:
    """A page's manifest, or None for any other .json in a report folder (not JSON, not UTF-8, a list, a file
    of the user's): skipped with a warning, so one stray file never stops every later batch's index."""
    try:
        manifest = json.loads(read_regular_file(path, "a page's manifest"))
    except (ValueError, InputError) as exc:  # not JSON or not UTF-8 (both ValueError), a FIFO, too large
        manifest, why = None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    else:
        why = "not a page's manifest"
    if isinstance(manifest, dict) and all(isinstance(manifest.get(k), t) for k, t in _LISTED.items()):
        page: dict[str, Any] = manifest
        if Path(page["html"]).name == page["html"] not in ("", ".", ".."):  # a page beside it, never a path
            return page
    log.warning("%s: not listed in the index: %s", path, why)
    return None


def write_indexes(out: Path) -> None:
    """`<out>/<period>/index.html` for each period and `<out>/index.html` listing the periods, `out` an
    edition's folder: an index lists only its own edition's pages.

    Built from the manifests on disk, so pages made by earlier batches are listed too.
    """
    internal = out.name == FOLDERS[Edition.INTERNAL]  # an edition's pages and indexes are in its own folder
    with FileLock(str(out / ".index.lock")):
        by_folder: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(out.glob("*/*.json")):
            manifest = _page_manifest(path)
            if manifest is not None and (path.parent / manifest["html"]).is_file():
                by_folder.setdefault(path.parent.name, []).append(manifest)
        pages: list[tuple[Path, dict[str, Any]]] = []  # each index and what it shows
        periods = []
        for folder, appendices in sorted(by_folder.items(), reverse=True):
            appendices.sort(key=_authority_first)
            period = str(appendices[0]["period"])
            period = period_label(period)
            title = f"Children in Care scorecard · {period}"
            shown = {"title": title, "appendices": appendices, "periods": [], "internal": internal}
            pages.append((out / folder / "index.html", shown))
            periods.append({"folder": folder, "period": period, "count": len(appendices)})
        if periods:
            shown = {"title": "Children in Care scorecard", "appendices": [], "periods": periods, "internal": internal}
            pages.append((out / "index.html", shown))
        # what the indexes show, by value (the template and lacperf's version are in every key: code_hash)
        key = cache.cache_key("index", [json.dumps([(str(path), shown) for path, shown in pages], sort_keys=True)], [])
        written = cache.load(key)
        if isinstance(written, dict) and all(_sha256(path) == written.get(str(path)) for path, _ in pages):
            return  # each index as it was written from these very manifests
        template = _index_template()
        made = {}
        for path, shown in pages:
            page = template.render(**shown, version=__version__)
            write_atomically(path, page)
            made[str(path)] = hashlib.sha256(page.encode("utf-8", errors="backslashreplace")).hexdigest()  # as written
        cache.store(key, made)


def _sha256(path: Path) -> str:
    try:
        return cache.sha256_now(path)
    except OSError:  # gone, or not readable: written again
        return ""
