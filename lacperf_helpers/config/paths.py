"""Where things are (every default path, relative to the project root), and writing a file whole or not at all."""

from __future__ import annotations

import atexit
import errno
import gc
import logging
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from lacperf_helpers.config.errors import InputError, OutputError, printable

if TYPE_CHECKING:  # pandas is imported where a CSV is written: `lacperf --help` needs none of it
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
SCORECARD_NOTEBOOK = NOTEBOOKS / "scorecard.ipynb"
QUARTERLY_NOTEBOOK = NOTEBOOKS / "quarterly.ipynb"
PARAMETERS = PROJECT_ROOT / "parameters"
KPIS_FILE = PARAMETERS / "kpis.yaml"
SETTINGS_FILE = PARAMETERS / "settings.yaml"  # the defaults: of no council (no name, no notice)
SAMPLE_SETTINGS_FILE = PARAMETERS / "sample-settings.yaml"  # the sample's: Kent, its notice, its DfE code
TREND_FILE = PARAMETERS / "trend.yaml"
BENCHMARKS_FILE = PARAMETERS / "benchmarks.csv"  # the sample's made-up figures: read only when named
COHORTS_FILE = PARAMETERS / "cohorts.yaml"  # named cohorts and the breakdowns of the file's own
PANEL_COHORTS_FILE = PARAMETERS / "cohorts-panel.yaml"  # more cohorts, as panels ask: the explorer's
NATIONAL = PARAMETERS / "national"  # the DfE's local-authority tables and statistical neighbours
SAMPLE_RETURNS = PROJECT_ROOT / "data" / "sample"
REPORTS = PROJECT_ROOT / "reports"


def or_default(path: str | Path | None, default: Path) -> Path:
    """A path a person gave (blank: the project's default)."""
    return Path(path) if path not in (None, "") else default


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so a reader sees the old file or the new one, never a partial one."""
    # a file name that was not UTF-8 (a Windows zip's) is written as an escape, not refused mid-write
    write_atomically_bytes(path, text.encode("utf-8", errors="backslashreplace"))


def _umask() -> int:
    current = os.umask(0o077)  # the only way to read it is to set it: put it straight back
    os.umask(current)
    return current


def write_atomically_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` whole or not at all. Its mode is `mode` (the cache: 0600), else what the user's umask
    gives a new file, as any program's output would have."""
    mode = 0o666 & ~_umask() if mode is None else mode
    refuse_unless_regular(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)  # mkstemp makes it private whatever the umask
        refuse_unless_regular(path)  # made meanwhile by someone else: still never renamed over
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise _cannot_write(path, exc) from None
        raise


def refuse_unless_regular(path: Path) -> None:
    """An output that exists must be a regular file: a device (/dev/null), a FIFO, a folder or a symbolic link
    (to stdout, to a file of the system's) is never replaced, as a rename over it would."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(path, f"cannot be written: it is {file_kind(info.st_mode)}, not a regular file")


def file_kind(mode: int) -> str:
    """'a folder', 'a FIFO (named pipe)' ...: what a path is, for a message."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))  # fmt: skip
    return next((said for test, said in kinds if test(mode)), "not a regular file")


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    """A failed write as one line naming the file lacperf was writing (an OSError from a write names none)."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOTDIR:
        reason += ": a part of the path is a file, not a folder"
    return OutputError(path, f"cannot be written ({reason})")


# Inputs larger than this are refused unread: a return of a million rows is about 50 MB, and a file many
# times that is a mistake (a whole database export, a link to a disk) that would take the machine's memory.
INPUT_LIMIT_ENV = "LACPERF_MAX_INPUT_MB"
DEFAULT_INPUT_LIMIT_MB = 512


def input_limit() -> int:
    """The largest input file read, in bytes: LACPERF_MAX_INPUT_MB megabytes (default 512)."""
    chosen = os.environ.get(INPUT_LIMIT_ENV, "").strip()
    try:
        megabytes = float(chosen) if chosen else DEFAULT_INPUT_LIMIT_MB
    except ValueError:
        raise InputError(INPUT_LIMIT_ENV, f"{chosen!r} is not a number of megabytes") from None
    return max(int(megabytes * 1024 * 1024), 0)


def read_regular_file(path: Path, what: str = "an input") -> bytes:
    """The bytes of an input file. InputError, naming it, for what is not a regular file (a FIFO would wait
    for ever, /dev/zero never ends, a folder has no bytes), a broken link, a file over the size limit, and a
    file that cannot be read. A link to a regular file is read as that file."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once, and is then refused
    except FileNotFoundError:
        said = "a symbolic link to a file that does not exist" if os.path.islink(path) else "file not found"
        raise InputError(path, said) from None
    except OSError as exc:
        said = "a symbolic link in a loop" if exc.errno == errno.ELOOP else exc.strerror or type(exc).__name__
        raise InputError(path, f"cannot be read ({said})") from None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise InputError(path, f"cannot be read: it is {file_kind(info.st_mode)}, not a regular file ({what})")
    with os.fdopen(handle, "rb") as file:
        limit = input_limit()
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            raise InputError(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
        if len(data) > limit:
            raise InputError(
                path, f"is larger than the limit of {limit / 1024 / 1024:.3g} MB for an input ({INPUT_LIMIT_ENV})"
            )
        return data


# A cell a spreadsheet would read as a formula (OWASP's CSV injection advice): =, +, -, @, tab, carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def spreadsheet_safe(value: object) -> object:
    """A text cell that would start a formula, with a ' in front so it stays text; numbers as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV for people to open in a spreadsheet: no text cell can run as a formula. The guard is mapped
    over a column of text only where a cell starts like a formula (mapping every column of a page's download cost
    more than writing the CSV), and over every column of Python objects, whose cells pandas then reads afresh as
    it writes them (1 and None as 1.0 and '')."""
    from pandas.api.types import is_numeric_dtype

    guarded: dict[int, pd.Series] = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if is_numeric_dtype(column):  # numbers are never touched
            continue
        if column.dtype == object or any(isinstance(c, str) and c.startswith(_FORMULA_START) for c in column.tolist()):
            guarded[position] = column.map(spreadsheet_safe)
    safe = frame.copy() if guarded else frame  # the caller's frame is never guarded in place
    for position, cells in guarded.items():
        safe.isetitem(position, cells.array)
    header = [str(spreadsheet_safe(str(c))) for c in frame.columns]
    return safe.to_csv(index=False, header=header, lineterminator="\n")


class _ToStderr(logging.Handler):
    """Writes to whatever sys.stderr is when a line is logged (a test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(printable(self.format(record)), file=sys.stderr)  # a name from an input never drives the terminal


def leave_memory_to_the_system_at_exit() -> None:
    """As a process ends, Python collects every object it made: a batch's month of frames, or a worker's pages,
    took a sixth of a second after the work was done. Frozen as the process exits, they are left to the operating
    system, which frees a process's memory whole. Every file is written and closed by then, and what is asked to
    run at exit still runs (atexit, multiprocessing's finalisers, weakref.finalize); only the `__del__` of an
    object caught in a reference cycle does not (lacperf's own clean-up never waits on one). Asked for once
    however often."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def log_to_stderr(level: int) -> None:
    """lacperf's log ("lacperf: ..." lines) on stderr at `level`, set once however often it is asked for."""
    logger = logging.getLogger("lacperf")
    logger.setLevel(level)
    if not any(isinstance(handler, _ToStderr) for handler in logger.handlers):
        handler = _ToStderr()
        handler.setFormatter(logging.Formatter("lacperf: %(message)s"))
        logger.addHandler(handler)
