"""A CSV export streamed to the browser row by row, audited once the last row is sent."""

from collections.abc import Iterator

from apps.accounts.models import User
from apps.core.cells import SafeWriter

from .actions import actor_scope, do_record_export
from .exports import csv_cell
from .kinds import ledger_for
from .kinds.ledger import ExportScope


class _Line:
    """A file-like sink that hands back what the CSV writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_export_stream(kind: str, actor: User) -> Iterator[str]:
    ledger = ledger_for(kind)
    where = ExportScope(scope=actor_scope(actor), reveal=actor.can_reveal_personal_data)
    writer = SafeWriter(_Line())
    yield "\ufeff" + writer.writerow(ledger.spec.headers)
    count = 0
    for row in ledger.export_rows(where):
        count += 1
        yield writer.writerow([csv_cell(v) for v in row])
    do_record_export(
        actor=actor,
        kind=kind,
        rows=count,
        revealed=where.revealed,
        masked=where.masked,
        file_format="csv",
        scope=where.scope,
    )
