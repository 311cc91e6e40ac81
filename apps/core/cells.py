"""Spreadsheet cells that cannot run: one rule for every CSV and Excel export.

A text cell that starts with = + - @ (or a tab or carriage return, which Excel skips before
reading one of those) is read by Excel and LibreOffice as a formula: a resident's name
`=HYPERLINK(...)` in an export becomes a live link, and a CSV opened with a BOM runs it. Such a
cell gets a leading apostrophe (OWASP's advice; Excel shows the text as typed). Numbers, dates
and booleans are written as they are, so sums and sorting still work.
"""

import csv
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value to write in a cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


class SafeWriter:
    """csv.writer whose rows go through `neutralise` (same writerow / writerows)."""

    def __init__(self, out: IO[str] | Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
