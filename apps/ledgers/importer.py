"""The import engine: one streaming check pass that spools ready-to-insert records to a
temporary file, then one write pass inside a single transaction.

Checking happens outside the write transaction, so a file full of errors never holds the
database's write lock (SQLite has one writer), and the transaction only inserts. Records are
encrypted and masked while checking, so the file is parsed once.
"""

import pickle
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from apps.accounts.models import User

from .choices import CHUNK_ROWS
from .kinds import ledger_for
from .kinds.base import Context, Row, is_blank, parse_rows
from .readers import find_layout, raw_rows

Progress = Callable[[str, int], None]


def _quiet(phase: str, rows: int) -> None:
    return None


def chunks(rows: Iterable[Row], size: int = CHUNK_ROWS) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def check_file(
    kind: str,
    path: str | Path,
    name: str = "",
    *,
    scope_path: str = "",
    actor: User | None = None,
    spool: IO[bytes] | None = None,
    progress: Progress = _quiet,
) -> tuple[Context, int]:
    """Check every row; with a `spool`, also write the clean rows' records to it.

    Returns the context (with its error log) and the number of data rows. Raises
    LedgerFileError when the file or its header row cannot be read.
    """
    ledger = ledger_for(kind)
    with raw_rows(path, name) as sheet:
        rows = sheet.rows
        progress("total", max(sheet.estimated_rows - 1, 0))
        layout = find_layout(ledger.spec, rows)
        ctx = Context(ledger.spec, layout, scope_path, prepare=spool is not None, actor=actor)
        numbered = (
            (n, v) for n, v in enumerate(rows, start=layout.header_row + 1) if not is_blank(v)
        )
        total = 0
        for chunk in chunks(parse_rows(ledger.spec, layout, numbered, ctx)):
            records = ledger.check(chunk, ctx)
            total += len(chunk)
            if spool is not None and records and not ctx.errors:
                pickle.dump(records, spool, protocol=pickle.HIGHEST_PROTOCOL)
            progress("check", total)
        # Checks across the whole file (a voucher's lines spread over rows and chunks).
        records = ledger.finish(ctx)
        if spool is not None and records and not ctx.errors:
            pickle.dump(records, spool, protocol=pickle.HIGHEST_PROTOCOL)
    return ctx, total


def write_spool(kind: str, ctx: Context, spool: IO[bytes], progress: Progress = _quiet) -> int:
    """Insert the spooled records; call inside the import's transaction."""
    ledger = ledger_for(kind)
    spool.seek(0)
    done = 0
    while True:
        try:
            records: list[Any] = pickle.load(spool)
        except EOFError:
            return done
        done += ledger.write(records, ctx)
        progress("write", done)
