"""What `lacperf render` and `lacperf batch` need before any notebook runs, without the notebook machinery
(papermill, nbconvert, Jupyter's kernel client): where a page goes, names that would clash, what a killed
run left behind. A re-run with nothing changed imports no more than this."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from lacperf_helpers.config import paths
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.formatting import slug
from lacperf_helpers.config.vocabulary import ALL

TEMPLATES = Path(__file__).resolve().parent / "templates"  # nbconvert's template for the appendix; the index's
TEMPLATE = TEMPLATES / "lacperf_appendix" / "index.html.j2"
NOTEBOOKS = {"scorecard": paths.SCORECARD_NOTEBOOK, "quarterly": paths.QUARTERLY_NOTEBOOK}  # the appendices
Notebook = Literal["scorecard", "quarterly"]


SOCKET_FOLDER_PREFIX = "lacperf-kernel-"


def clear_leftovers(folder: str | Path | None = None) -> int:
    """Remove the kernel socket folders of lacperf processes that are gone (a batch killed with kill -9, a
    worker that died): the next run clears what a killed run left. Returns how many it removed."""
    removed = 0
    for path in Path(folder or tempfile.gettempdir()).glob(f"{SOCKET_FOLDER_PREFIX}*"):
        owner = path.name.removeprefix(SOCKET_FOLDER_PREFIX).split("-", 1)[0]
        if not owner.isdigit() or not path.is_dir() or path.stat().st_uid != os.getuid():
            continue
        if not _alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, ended and waiting to be collected, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # not Linux, or gone just now: leave it be
    return state not in ("Z", "X")


class RenderError(Exception):
    """A notebook run that failed: names the appendix and the error the notebook raised."""


def check_file_names(areas: list[str], source: str | Path) -> None:
    """Two areas whose names make one file name ('South Kent', 'SOUTH KENT') would overwrite each other's
    page: refused, naming both."""
    seen: dict[str, str] = {}
    for area in areas:
        other = seen.setdefault(slug(area), area)
        if other != area:
            raise InputError(
                source,
                f"areas {other!r} and {area!r} would both be written to {slug(area)}.html: name them apart in the "
                "return",
                column="area",
            )


def appendix_path(out_dir: str | Path, period: str, area: str, cohort: str = ALL) -> Path:
    """`<out>/<period>/<area-slug>.html`, e.g. reports/2019-09/south-kent.html or reports/2019-20-q2/kent.html;
    a cohort other than all is added: south-kent--excluding-uasc.html."""
    suffix = "" if cohort == ALL else f"--{slug(cohort)}"
    return Path(out_dir) / period / f"{slug(area)}{suffix}.html"
