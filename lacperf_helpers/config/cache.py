"""A disk cache of work every page of a month shares (reading, checking and rating the month's inputs).

A batch renders many pages of one month in several worker kernels, and a re-run with nothing changed
plans the same month again: without this each of them re-reads and re-checks every return and extract.
An entry's key is the SHA-256 of every input file's bytes, the arguments, lacperf's own source and the
Python, pandas and numpy it runs on, so a changed file or a changed lacperf is never served an old result.
An entry that cannot be read is worked out again. Entries hold aggregate figures before disclosure
control (and problems with personal values already withheld), so each is readable by its user only, in
the user's cache folder (`LACPERF_CACHE_DIR` to move it, `off` to stop it).

An entry is a pickle, and unpickling can run code: so every entry carries an HMAC-SHA256 over its key
and bytes made with a secret only this user can read (`cache-secret` in the user's config folder, mode
0600), and nothing is unpickled unless that checks. A file planted in a shared folder is never run and
cannot switch anything off. A folder not owned by the user, or writable by others, is refused with a
message; tidying removes only lacperf's own entries (`*.lacperf-cache`, and the lock files and half-written
entries a killed run left beside them), never other files. Two processes after the same entry take turns:
one works it out, the other reads it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
import pickle
import re
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import platformdirs
from filelock import FileLock

from lacperf_helpers import __version__
from lacperf_helpers.config.errors import InputError, OutputError
from lacperf_helpers.config.paths import write_atomically_bytes

log = logging.getLogger("lacperf.cache")
T = TypeVar("T")
CACHE_ENV = "LACPERF_CACHE_DIR"
# Entries are kept while within all three bounds, the least recently used removed first. Bytes are what a disk
# holds: on the sample a month's entry is 15 MB and an edition's view 20-23 MB, a plan or an index page's a few
# kB, so a bound on entries alone throws a month away to keep a hundred index pages. Figures before disclosure
# control are kept no longer than they are of use: an entry unused for 30 days goes.
KEEP_BYTES = 1 << 30
KEEP_ENTRIES = 1024
KEEP_UNUSED_SECONDS = 30 * 24 * 3600
OFF = "off"
SUFFIX = ".lacperf-cache"
OWN_ENTRY = re.compile(r"[A-Za-z0-9_-]+\.lacperf-cache")  # the whole name (fullmatch)
KIND = re.compile(r"[a-z][a-z0-9-]*")
LOCK_SUFFIX = ".lacperf-lock"
# What a run killed at the wrong moment leaves beside the entries: a lock file, and an entry half written (under
# the temporary name write_atomically_bytes gives it). Removed when this old: a lock held or a write under way
# is never more than minutes old.
LEFT_BY_A_KILLED_RUN = re.compile(r"[A-Za-z0-9_-]+\.lacperf-lock|\.[A-Za-z0-9_-]+\.lacperf-cache\.[a-z0-9_]+\.tmp")
STALE_SECONDS = 24 * 3600
MAC_BYTES = 32


def secret_path() -> Path:
    return Path(platformdirs.user_config_dir("lacperf")) / "cache-secret"


@functools.lru_cache(maxsize=1)
def _secret() -> bytes:
    """This user's key for signing entries: made once, readable by the user only."""
    path = secret_path()
    try:
        key = path.read_bytes()
        if len(key) == 32 and stat.S_IMODE(path.stat().st_mode) & 0o077 == 0:
            return key
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    write_atomically_bytes(path, key, mode=0o600)
    return key


def _mac(key: str, data: bytes) -> bytes:
    return hmac.new(_secret(), key.encode() + b"\x00" + data, hashlib.sha256).digest()


def _checked_folder(folder: Path) -> Path:
    """The cache folder, made private if new; refused if another user owns it or others can write to it."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise InputError(
            folder,
            f"the cache folder is {'not yours' if info.st_uid != os.getuid() else 'writable by others'}: "
            f"point {CACHE_ENV} at a folder of your own (or set it to '{OFF}')",
        )
    return folder


def cache_dir() -> Path | None:
    """Where entries live; None when the cache is switched off."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen.lower() == OFF:
        return None
    return Path(chosen) if chosen else Path(platformdirs.user_cache_dir("lacperf"))


_UNUSABLE: set[str] = set()  # cache folders found unusable in this process: warned about once


def _usable_folder() -> Path | None:
    """The checked cache folder, or None: switched off, or not usable. The cache is optional: a folder that
    cannot be made or written (a read-only home, a service account's, LACPERF_CACHE_DIR naming a file), or a
    secret that cannot be kept, is warned about once and the work done without it."""
    folder = cache_dir()
    if folder is None or str(folder) in _UNUSABLE:
        return None
    try:
        checked = _checked_folder(folder)
        _secret()
    except OutputError as exc:  # a secret that cannot be written: it names the file
        _give_up(folder, str(exc))
        return None
    except InputError:  # another user's folder, or one others can write to: refused, never used quietly
        raise
    except FileExistsError:
        _give_up(folder, "it is a file, not a folder")
        return None
    except OSError as exc:
        _give_up(folder, f"{exc.strerror or type(exc).__name__}")
        return None
    return checked


def _give_up(folder: Path, why: str) -> None:
    _UNUSABLE.add(str(folder))
    os.environ[CACHE_ENV] = OFF  # the workers and kernels this run starts inherit it: said once, not per page
    log.warning(
        "the cache folder %s cannot be used (%s): carrying on without the cache (%s names another; '%s' stops it)",
        folder, why, CACHE_ENV, OFF,
    )  # fmt: skip


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """The SHA-256 of lacperf's own source and the Python, pandas and numpy it runs on: an entry made by
    other code is another entry."""
    libraries = " ".join(metadata.version(name) for name in ("pandas", "numpy"))  # read, not imported
    digest = hashlib.sha256(f"{__version__} {sys.version} {libraries}".encode())
    for path in sorted(Path(__file__).parents[1].rglob("*")):  # the whole package, every stage
        if path.is_file() and path.suffix in {".py", ".j2", ".html", ".css"}:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def cache_key(kind: str, arguments: Iterable[str], files: Iterable[Path]) -> str:
    """The key of one piece of work: what it is (`kind`, a word such as "month" or "measures-hidden"), its
    arguments, and every file it reads, by content."""
    if not KIND.fullmatch(kind):  # an entry whose name is not lacperf's own would never be tidied away
        raise ValueError(f"a cache entry's kind is lower-case letters, digits and hyphens: {kind!r}")
    digest = hashlib.sha256(f"{kind}\x00{code_hash()}".encode())
    for argument in arguments:  # a path that is not UTF-8 (a Windows zip's file name) is its bytes
        digest.update(b"\x00" + argument.encode("utf-8", "surrogateescape"))
    for path in files:
        try:
            content = file_sha256(path).encode()
        except OSError:  # the work itself will say what is wrong with the file
            content = b"unreadable"
        digest.update(b"\x01" + os.fsencode(path) + b"\x00" + content)
    return f"{kind}-{digest.hexdigest()}"


def file_sha256(path: Path) -> str:
    """The file's SHA-256 for a cache key, read once per process while the file's size and modification time
    stay the same (a batch's plan and its month share most of their inputs). A rewrite of the same size with
    its modification time put back keeps the hash read before, within the process: what a manifest records
    is read afresh (`sha256_now`)."""
    info = path.stat()
    return _file_sha256(path.resolve(), info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _file_sha256(path: Path, size: int, modified_ns: int) -> str:
    return sha256_now(path)


def _age(path: Path) -> float:
    return time.time() - path.stat().st_mtime


def sha256_now(path: Path) -> str:
    """The SHA-256 of the file's bytes as they are now: an auditor's record of what a page was made from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(key: str) -> object | None:
    """The entry made under `key`, or None (none made, cache off, unreadable, or not signed by this user)."""
    folder = _usable_folder()
    if folder is None:
        return None
    path = folder / f"{key}{SUFFIX}"
    try:
        data = path.read_bytes()
    except OSError:  # none made, or removed by another run's tidying
        return None
    mac, body = data[:MAC_BYTES], data[MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None  # torn, or not made by this user's lacperf: never unpickled, worked out again
    try:
        value: object = pickle.loads(body)  # signed by `store` with this user's secret
    except Exception:  # signed but stale (a class lacperf no longer has): worked out again
        return None
    with contextlib.suppress(OSError):  # tidied away by another process since it was read: what was read stands
        os.utime(path)  # recently used: kept longest
    return value


def kept_or_worked_out(key: str, kind: type[T], work: Callable[[], T]) -> T:
    """The entry under `key` if it is a `kind`, else `work()`, kept under `key`. Processes asking for the same
    key at once (a batch's plan and a second run, two test workers) take turns, holding a lock beside the
    entry: the first works it out, the others wait and read it, rather than each work out the same month."""
    kept = load(key)
    if isinstance(kept, kind):
        return kept
    folder = _usable_folder()
    if folder is None:
        return work()
    lock = folder / f"{key}{LOCK_SUFFIX}"
    try:
        with FileLock(str(lock), mode=0o600):
            kept = load(key)  # worked out by whoever held the lock before
            if isinstance(kept, kind):
                return kept
            value = work()
            store(key, value)
            return value
    finally:
        lock.unlink(missing_ok=True)  # one waiting still holds it open: it reads the entry just stored


def _tidy(folder: Path, stored: Path) -> None:
    """Remove lacperf's own entries beyond KEEP_ENTRIES or KEEP_BYTES, least recently used first, any unused for
    KEEP_UNUSED_SECONDS, and what killed runs left. `stored`, just written, counts first and always stays: other
    processes may be waiting to read it."""
    entries = []
    for path in folder.iterdir():
        with contextlib.suppress(OSError):  # removed by another process meanwhile (its tidying, its lock released)
            if path.name != stored.name and OWN_ENTRY.fullmatch(path.name):
                info = path.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode):
                    entries.append((info.st_mtime, info.st_size, path))
            elif LEFT_BY_A_KILLED_RUN.fullmatch(path.name) and _age(path) > STALE_SECONDS:
                path.unlink(missing_ok=True)
    entries.sort(key=lambda entry: entry[0], reverse=True)  # `load` marks an entry used
    try:
        held = stored.stat().st_size
    except OSError:  # tidied away by another process already
        held = 0
    oldest = time.time() - KEEP_UNUSED_SECONDS
    for count, (used, size, path) in enumerate(entries, start=1):
        held += size
        if count >= KEEP_ENTRIES or held > KEEP_BYTES or used < oldest:
            path.unlink(missing_ok=True)


def has(key: str) -> bool:
    """Whether an entry was made under `key` (not whether it will load: `load` checks that)."""
    folder = _usable_folder()
    return folder is not None and (folder / f"{key}{SUFFIX}").is_file()


def store(key: str, value: object) -> None:
    """Keep `value` under `key` (whole or not at all); a cache that cannot be written is no error."""
    folder = _usable_folder()
    if folder is None:
        return
    try:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        # figures before disclosure control: the user's eyes only
        entry = folder / f"{key}{SUFFIX}"
        write_atomically_bytes(entry, _mac(key, body) + body, mode=0o600)
        _tidy(folder, entry)
    except OSError:
        return
