"""Models of the case engine, split by sub-domain: the catalogue, the case, its history."""

from .case import Case
from .catalogue import Category
from .history import CaseAttachment, CaseEvent, CaseRevisit

__all__ = ["Case", "CaseAttachment", "CaseEvent", "CaseRevisit", "Category"]
