"""Errand figure for the leader's dashboard: 陪办帮办件数."""

from apps.cases.measures import Measure
from apps.stats.indicators import Indicator, register

from . import selectors

register(
    Indicator(
        "errands_resolved",
        "陪办帮办件数",
        "统计期内登记、已办结的帮办类事项（陪办帮办：医保缴费、开具证明、就医陪办等）件数，"
        "不含已合并、已撤销的事项。",
        "件",
        "cases.Case, errands.ErrandStep",
        lambda s: selectors.errands_resolved(s.place, s.date_from, s.date_to, s.now),
        link=lambda s: s.cases_link(Measure.RESOLVED, kind="errand"),
    ),
)
