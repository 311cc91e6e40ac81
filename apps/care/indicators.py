"""Care figures for the leader's dashboard: 结对关爱人数, 结对覆盖率, 家访次数."""

from urllib.parse import urlencode

from django.urls import reverse

from apps.stats.indicators import Indicator, Scope, register

from . import selectors
from .choices import ContactKind


def _group_link(s: Scope) -> str:
    return f"{reverse('care:group')}?{urlencode({'place': s.place.pk})}"


def _coverage(s: Scope) -> float | None:
    paired, total = selectors.child_pairing_coverage(s.place)
    return round(paired / total, 4) if total else None


register(
    Indicator(
        "care_paired_people",
        "结对关爱人数",
        "今日有进行中的1+1结对（教师、志愿者、党员等结对关爱）的在册人员数（留守儿童、独居老人等）。",
        "人",
        "care.Pairing, people.Person",
        lambda s: selectors.paired_people_count(s.place),
        periodic=False,
        link=_group_link,
    ),
    Indicator(
        "care_child_pairing_coverage",
        "结对覆盖率",
        "今日有进行中结对的留守儿童 ÷ 区域内在册的留守儿童（关爱标签“留守儿童”）。",
        "%",
        "care.Pairing, people.Person",
        _coverage,
        periodic=False,
        link=_group_link,
        shape="rate",
    ),
    Indicator(
        "care_home_visits",
        "家访次数",
        "统计期内（按联系日期）结对人对区域内关爱对象登记的家访次数。",
        "次",
        "care.Contact",
        lambda s: selectors.contact_count(s.place, s.date_from, s.date_to, ContactKind.HOME_VISIT),
        link=_group_link,
    ),
)
