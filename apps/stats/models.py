"""Stats owns no tables of its own: the case rollups it reads were moved into cases with the
code that writes them in the case transaction (`apps.cases.models.rollups`, issue 13). The
names stay importable from here for the read side."""

from apps.cases.models.rollups import CASE_COUNTERS, CaseMonthRollup, CaseRollup, Counters

__all__ = ["CASE_COUNTERS", "CaseMonthRollup", "CaseRollup", "Counters"]
