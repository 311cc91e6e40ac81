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
    try:
        return LEDGERS[kind]
    except KeyError:
        raise ValueError(f"未知的台账类型“{kind}”，可选：{'、'.join(LEDGERS)}") from None
