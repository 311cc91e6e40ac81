"""The ledger kinds, by LedgerKind value."""

from ..choices import LedgerKind
from .households import HouseholdsLedger
from .ledger import Ledger
from .residents import ResidentsLedger

LEDGERS: dict[str, Ledger] = {
    LedgerKind.HOUSEHOLDS: HouseholdsLedger(),
    LedgerKind.RESIDENTS: ResidentsLedger(),
}


def ledger_for(kind: str) -> Ledger:
    try:
        return LEDGERS[kind]
    except KeyError:
        raise ValueError(f"未知的台账类型“{kind}”，可选：{'、'.join(LEDGERS)}") from None
