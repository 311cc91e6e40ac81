"""Activity figures for the leaders' dashboard (活动场次, 参与人次, 线上观看人次, 活动服务人次),
each linking to the list of the activities behind it."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from apps.stats.indicators import Indicator, Scope, register

from . import selectors

READS = "activities.Activity, activities.Participation"
HELD = "统计期内在区域内（含下级）举办的活动：开始日期在统计期内、已开始且未取消。"


def _figures(scope: Scope) -> selectors.Figures:
    # One Scope computes several activity indicators; keep their shared figures on it.
    cached = scope.__dict__.get("_activity_figures")
    if cached is None:
        cached = selectors.figures(scope.place, scope.date_from, scope.date_to)
        scope.__dict__["_activity_figures"] = cached
    return cached


def _link(scope: Scope) -> str:
    query = {
        "when": "held",
        "place": scope.place.pk,
        "date_from": scope.date_from.isoformat(),
        "date_to": scope.date_to.isoformat(),
    }
    return f"{reverse('activities:list')}?{urlencode(query)}"


def _value(name: str) -> Callable[[Scope], Any]:
    return lambda scope: getattr(_figures(scope), name)


register(
    Indicator(
        "activities_held",
        "活动场次",
        HELD,
        "场",
        READS,
        _value("held"),
        link=_link,
    ),
    Indicator(
        "activity_attendance",
        "参与人次",
        f"上述活动中签到（扫码或工作人员登记）的人次，每人每场计 1 次。{HELD}",
        "人次",
        READS,
        _value("attendance"),
        link=_link,
    ),
    Indicator(
        "activity_online_viewers",
        "线上观看人次",
        f"上述活动由工作人员填报的线上直播观看人次之和。{HELD}",
        "人次",
        READS,
        _value("online"),
        link=_link,
    ),
    Indicator(
        "activity_person_times",
        "活动服务人次",
        "参与人次（签到）+ 现场未登记人次（工作人员填报）+ 线上观看人次，即活动线上线下"
        f"服务的总人次。{HELD}",
        "人次",
        READS,
        _value("served"),
        link=_link,
    ),
)
