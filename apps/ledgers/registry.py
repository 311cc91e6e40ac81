"""Import kinds registered by the apps above ledgers (ADR 0053).

The ledgers app sits below most apps in the layers (pyproject's import-linter contract), so it
cannot import their models. An upper app describes its file (a LedgerSpec), implements the
Ledger interface (check, optionally finish, write, export_rows) and registers it here from its
AppConfig.ready(), with the capabilities that allow importing and exporting it:

    from apps.ledgers.registry import register
    register(VouchersLedger(), import_cap=Cap.COLLECTIVE_KEEP_BOOKS, export_cap=Cap.COLLECTIVE_VIEW)

The six built-in ledgers (households … duties) stay where they are (kinds/, specs.py) and keep
the ledgers' own capabilities (LEDGERS_IMPORT / LEDGERS_EXPORT). Everything else — the upload
page, dry run, row and column errors, all-or-nothing commit, progress, error report, template,
export and the commands — works the same for a registered kind.
"""

from dataclasses import dataclass

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can

from .kinds.ledger import Ledger


@dataclass(frozen=True)
class ImportKind:
    ledger: Ledger
    import_cap: Cap
    export_cap: Cap

    @property
    def kind(self) -> str:
        return str(self.ledger.spec.kind)


_REGISTERED: dict[str, ImportKind] = {}


def register(ledger: Ledger, *, import_cap: Cap, export_cap: Cap) -> ImportKind:
    """Make `ledger` importable and exportable under its spec's kind; registering the same kind
    again replaces it (an app's ready() may run more than once in tests)."""
    from .choices import LedgerKind

    kind = str(ledger.spec.kind)
    if kind in LedgerKind.values:
        raise ValueError(f"ledger kind {kind!r} is built in")
    if len(kind) > 30:
        raise ValueError(f"ledger kind {kind!r} is longer than ImportJob.kind (30)")
    entry = ImportKind(ledger, import_cap, export_cap)
    _REGISTERED[kind] = entry
    return entry


def registered() -> dict[str, ImportKind]:
    return dict(_REGISTERED)


def registered_kind(kind: str) -> ImportKind | None:
    return _REGISTERED.get(kind)


def import_cap(kind: str) -> Cap:
    entry = _REGISTERED.get(kind)
    return entry.import_cap if entry else Cap.LEDGERS_IMPORT


def export_cap(kind: str) -> Cap:
    entry = _REGISTERED.get(kind)
    return entry.export_cap if entry else Cap.LEDGERS_EXPORT


def all_kinds() -> list[tuple[str, str]]:
    """(kind, title) of every importable kind: the built-in ledgers, then the registered ones."""
    from .specs import SPECS

    return [(k, s.title) for k, s in SPECS.items()] + [
        (k, e.ledger.spec.title) for k, e in _REGISTERED.items()
    ]


def kinds_for(actor: User, *, export: bool = False) -> list[tuple[str, str]]:
    """The kinds `actor` may import (or export)."""
    pick = export_cap if export else import_cap
    return [(k, t) for k, t in all_kinds() if can(actor, pick(k))]
