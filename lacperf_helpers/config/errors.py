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
        return f"{', '.join(where)}: {self.message}"
