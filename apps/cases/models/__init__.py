"""Models of the case engine, split by sub-domain: the catalogue, the case, its history."""

from .case import Case
from .catalogue import Category
from .history import CaseAttachment, CaseEvent, CaseRevisit
from .rollups import CASE_COUNTERS, CaseMonthRollup, CaseRollup

__all__ = [
    "CASE_COUNTERS",
    "Case",
    "CaseAttachment",
    "CaseEvent",
    "CaseMonthRollup",
    "CaseRevisit",
    "CaseRollup",
    "Category",
]
