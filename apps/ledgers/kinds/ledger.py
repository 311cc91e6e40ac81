"""The interface every ledger kind implements."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apps.places.models import Place, path_upper

from ..specs import LedgerSpec
from .base import Context, Row


@dataclass
class ExportScope:
    """Whose rows an export covers and whether personal data is shown in full."""

    scope: Place | None
    reveal: bool = False
    revealed: int = 0
    masked: int = 0

    def count_person(self) -> None:
        """Count one person written, in full or masked, for the export's audit event."""
        if self.reveal:
            self.revealed += 1
        else:
            self.masked += 1

    def path_filter(self, prefix: str) -> dict[str, str]:
        """Lookup kwargs keeping `prefix` (a path to a Place) inside the scope."""
        if self.scope is None:
            return {}
        key = f"{prefix}__path" if prefix else "path"
        return {f"{key}__gte": self.scope.path, f"{key}__lt": path_upper(self.scope.path)}


class Ledger:
    """Check a chunk of rows, write prepared records, and list rows for export."""

    spec: LedgerSpec

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        """Report every problem of `rows`; return insertable records of the clean rows when
        `ctx.prepare` is set (else an empty list)."""
        raise NotImplementedError

    def finish(self, ctx: Context) -> list[Any]:
        """Called once after the last chunk: checks that need the whole file (rows that belong
        together, e.g. the lines of one voucher). Returns more records, like `check`."""
        return []

    def write(self, records: list[Any], ctx: Context) -> int:
        """Insert the records of one chunk; return the number of ledger rows written."""
        raise NotImplementedError

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        """The scope's rows as tuples in the order of `spec.columns`."""
        raise NotImplementedError
