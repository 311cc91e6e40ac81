"""The ledger kinds, by LedgerKind value."""

from ..choices import LedgerKind
from .compounds import CompoundsLedger
from .duties import DutiesLedger
from .households import HouseholdsLedger
from .ledger import Ledger
from .residents import ResidentsLedger
from .roles import PartyMembersLedger, VolunteersLedger

LEDGERS: dict[str, Ledger] = {
    LedgerKind.HOUSEHOLDS: HouseholdsLedger(),
    LedgerKind.RESIDENTS: ResidentsLedger(),
    LedgerKind.PARTY_MEMBERS: PartyMembersLedger(),
    LedgerKind.VOLUNTEERS: VolunteersLedger(),
    LedgerKind.COMPOUNDS: CompoundsLedger(),
    LedgerKind.DUTIES: DutiesLedger(),
}


def ledger_for(kind: str) -> Ledger:
    """The built-in ledger of `kind`, or the one an upper app registered (registry.py)."""
    from ..registry import registered, registered_kind

    if kind in LEDGERS:
        return LEDGERS[kind]
    entry = registered_kind(kind)
    if entry is None:
        known = [*LEDGERS, *registered()]
        raise ValueError(f"未知的台账类型“{kind}”，可选：{'、'.join(known)}")
    return entry.ledger
