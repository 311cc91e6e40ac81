"""Meeting figures for the leader's dashboard (P5: "209 次议事会议，解决问题 262 个")."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse

from apps.stats.indicators import Indicator, Scope, register

from .filters import HELD_CHOICE
from .selectors import MeetingFigures, meeting_figures

READS = "meetings.Meeting, meetings.Participant, meetings.AgendaItem, cases.Case"
HELD = (
    "统计期内（按会议日期）区域内已召开或已结束的议事会议"
    "（联席会议、五方议事、幸福圆桌会、阳光议事）"
)


def _figures(s: Scope) -> MeetingFigures:
    cache = s.__dict__.setdefault("_meeting_figures", {})
    key = (s.place.pk, s.date_from, s.date_to)
    if key not in cache:
        cache[key] = meeting_figures(s.user, s.place, s.date_from, s.date_to)
    return cache[key]


def _link(name: str, **extra: str) -> Callable[[Scope], str]:
    def link(s: Scope) -> str:
        query = {
            "place": s.place.pk,
            "status": HELD_CHOICE,
            "date_from": s.date_from.isoformat(),
            "date_to": s.date_to.isoformat(),
            **extra,
        }
        return f"{reverse(name)}?{urlencode(query)}"

    return link


register(
    Indicator(
        "meetings_held",
        "议事会议次数",
        f"{HELD}的次数。",
        "次",
        READS,
        lambda s: _figures(s).meetings,
        link=_link("meetings:list"),
    ),
    Indicator(
        "meeting_attendance",
        "参会人次",
        f"{HELD}登记为出席的参会人员人次之和（同一人参加两次计 2 人次）。",
        "人次",
        READS,
        lambda s: _figures(s).attendance,
        link=_link("meetings:list"),
    ),
    Indicator(
        "meeting_decisions",
        "议定事项数",
        f"{HELD}中已登记会议决定的议题数（每个议题一项决定）。",
        "项",
        READS,
        lambda s: _figures(s).decided,
        link=_link("meetings:decisions"),
    ),
    Indicator(
        "meeting_problems_solved",
        "已解决问题数",
        f"{HELD}的议定事项中，所涉事项至少一件已办结（含已评价、已归档）且没有未办结事项的项数"
        "（已合并、已撤销的事项不计）。按当前状态计。",
        "个",
        READS,
        lambda s: _figures(s).solved,
        link=_link("meetings:decisions", solved="1"),
    ),
)
