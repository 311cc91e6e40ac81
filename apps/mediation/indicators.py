"""Mediation figures for the leader's dashboard: 调解纠纷数 and 调解成功率."""

from urllib.parse import urlencode

from django.urls import reverse

from apps.stats.indicators import Indicator, Scope, register

from . import selectors


def _link(s: Scope, prefix: str) -> str:
    query = {
        "place": s.place.pk,
        f"{prefix}_from": s.date_from.isoformat(),
        f"{prefix}_to": s.date_to.isoformat(),
    }
    return f"{reverse('mediation:list')}?{urlencode(query)}"


def _rate(s: Scope) -> float | None:
    agreed, concluded = selectors.success_figures(s.place, s.date_from, s.date_to)
    return round(agreed / concluded, 4) if concluded else None


register(
    Indicator(
        "mediation_disputes",
        "调解纠纷数",
        "统计期内（按发起日期）对区域内纠纷类事项发起的调解件数。",
        "件",
        "mediation.Mediation",
        lambda s: selectors.mediations_in(s.place, s.date_from, s.date_to).count(),
        link=lambda s: _link(s, "created"),
    ),
    Indicator(
        "mediation_success_rate",
        "调解成功率",
        "统计期内结束的调解中达成调解协议的 ÷ 统计期内结束的调解（达成协议 + 未达成协议）。",
        "%",
        "mediation.Mediation",
        _rate,
        link=lambda s: _link(s, "concluded"),
        shape="rate",
    ),
)
