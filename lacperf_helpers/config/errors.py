"""One kind of error for bad input: it names the file, the row and the column, so the CLI can say so in a line."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input that a person must fix: a message naming the file, and where known the row and column.

    Rows count as a spreadsheet shows them: the header is row 1, the first data row is row 2.
    """

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        row_label: str = "row",
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.row_label = row_label
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"{self.row_label} {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return printable(f"{', '.join(where)}: {self.message}")  # a name from a file never drives the terminal


class OutputError(InputError, OSError):
    """An output that cannot be written (a full disk, a read-only folder, a device where a file should go):
    one line naming the file, as bad input is. Still an OSError, for code that treats any failed write alike."""


def printable(text: object) -> str:
    """`text` safe to print on a terminal: control characters (escape, bell ...) and invisible ones written as
    escapes (\\x1b, \\u200b), and bytes of a file name that were not UTF-8 shown as \\udcxx escapes."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in str(text)
    )
