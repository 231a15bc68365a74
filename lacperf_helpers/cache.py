"""A disk cache of work every page of a month shares (reading, checking and rating the month's inputs).

A batch renders many pages of one month in several worker kernels, and a re-run with nothing changed
plans the same month again: without this each of them re-reads and re-checks every return and extract.
An entry's key is the SHA-256 of every input file's bytes, the arguments, lacperf's own source and the
Python, pandas and numpy it runs on, so a changed file or a changed lacperf is never served an old result.
An entry that cannot be read is worked out again. Entries hold aggregate figures before disclosure
control (and problems with personal values already withheld), so each is readable by its user only, in
the user's cache folder (`LACPERF_CACHE_DIR` to move it, `off` to stop it).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs

from lacperf_helpers import __version__
from lacperf_helpers.paths import write_atomically_bytes

CACHE_ENV = "LACPERF_CACHE_DIR"
KEEP = 64  # entries; the oldest are removed (a month's entry is a few MB at most)
OFF = "off"


def cache_dir() -> Path | None:
    """Where entries live; None when the cache is switched off."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == OFF:
        return None
    return Path(chosen) if chosen else Path(platformdirs.user_cache_dir("lacperf"))


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """The SHA-256 of lacperf's own source and the Python, pandas and numpy it runs on: an entry made by
    other code is another entry."""
    digest = hashlib.sha256(f"{__version__} {sys.version} {pd.__version__} {np.__version__}".encode())
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".html", ".css"}:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def cache_key(kind: str, arguments: Iterable[str], files: Iterable[Path]) -> str:
    """The key of one piece of work: what it is, its arguments, and every file it reads, by content."""
    digest = hashlib.sha256(f"{kind}\x00{code_hash()}".encode())
    for argument in arguments:
        digest.update(b"\x00" + argument.encode())
    for path in files:
        try:
            content = hashlib.sha256(path.read_bytes()).digest()
        except OSError:  # the work itself will say what is wrong with the file
            content = b"unreadable"
        digest.update(b"\x01" + str(path).encode() + b"\x00" + content)
    return f"{kind}-{digest.hexdigest()}"


def load(key: str) -> object | None:
    """The entry made under `key`, or None (none made, cache off, or unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{key}.pickle"
    try:
        with path.open("rb") as entry:
            value: object = pickle.load(entry)  # written by `store`, private to the user
        os.utime(path)  # recently used: kept longest
        return value
    except OSError:  # none made, or removed by another run's tidying
        return None
    except Exception:  # a torn or stale entry is worked out again, never trusted
        path.unlink(missing_ok=True)
        return None


def store(key: str, value: object) -> None:
    """Keep `value` under `key` (whole or not at all); a cache that cannot be written is no error."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically_bytes(folder / f"{key}.pickle", data, mode=0o600)  # figures before disclosure control
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
