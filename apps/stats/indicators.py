"""The indicator registry (指标): every figure the dashboards and reports show, with its
Chinese name, definition (口径说明), unit, the records it reads and how it is computed.

Case indicators read the rollups (`selectors.case_figures`), never a scan of all cases; the
others read the selectors of the apps that record them. Each indicator may name the list of
records behind it (`link`), so every figure clicks through.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.apps import apps as django_apps
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from apps.cases.measures import Measure
from apps.cases.rollups import exact_for
from apps.cases.selectors import CaseKpis
from apps.duties.choices import DutyKind
from apps.duties.selectors import coverage
from apps.orgs.selectors import compound_coverage
from apps.people.models import PartyMember, Person
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.volunteers.models import Volunteer

from .selectors import case_figures, counted_cases, rollup_rows


@dataclass
class Scope:
    """One place subtree and period, for one user (whose scope was checked by the caller)."""

    user: Any
    place: Place
    date_from: dt.date
    date_to: dt.date
    now: dt.datetime = field(default_factory=timezone.now)
    # False: only the headline case figures are needed (the breakdown indicators come out empty).
    breakdowns: bool = True

    @cached_property
    def kpis(self) -> CaseKpis:
        return case_figures(
            self.user,
            self.place,
            self.date_from,
            self.date_to,
            now=self.now,
            breakdowns=self.breakdowns,
        )

    def cases_link(self, measure: str = Measure.TOTAL, **extra: Any) -> str:
        query = {
            "place": self.place.pk,
            "created_from": self.date_from.isoformat(),
            "created_to": self.date_to.isoformat(),
            "measure": measure,
            **extra,
        }
        return f"{reverse('cases:list')}?{urlencode(query)}"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: str
    reads: str
    compute: Callable[[Scope], Any]
    # Whether the figure belongs to a period (cases registered in it) or is a count of today.
    periodic: bool = True
    # The list behind the figure, for this scope; None: no list page yet.
    link: Callable[[Scope], str] | None = None
    # "value" (a number), "rate" (a fraction 0..1) or "breakdown" (a list of {code, name, n}).
    shape: str = "value"
    # Whether a larger value is better (rankings sort accordingly).
    higher_is_better: bool = True
    # The programme (工作板块) the figure belongs to: the overview and the briefings show one
    # section per programme. Empty: the registering app's programme (`programme_of`).
    programme: str = ""

    @property
    def source(self) -> str:
        """`reads` for officials: the records' Chinese names (事项、户 …), not model labels."""
        names = []
        for label in re.findall(r"\b[a-z_]+\.[A-Z]\w*", self.reads) or [self.reads]:
            try:
                names.append(str(django_apps.get_model(label)._meta.verbose_name))
            except (LookupError, ValueError):
                names.append(label)
        return "、".join(dict.fromkeys(n for n in names if n))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value / 100, 4)


def _hours(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def _cases(measure: str) -> Callable[[Scope], str]:
    return lambda s: s.cases_link(measure)


CASES = "cases.Case"
EXCLUDED = "只算统计期内登记的事项；合并到其他事项的和已撤销的不计。"

INDICATORS: list[Indicator] = [
    Indicator(
        "cases_total",
        "事项总数",
        f"{EXCLUDED}",
        "件",
        CASES,
        lambda s: s.kpis.total,
        link=_cases(Measure.TOTAL),
    ),
    Indicator(
        "response_rate",
        "响应率",
        f"按时受理的事项 ÷ 应当受理的事项（已经受理的，加上过了响应时限还没受理的）。{EXCLUDED}",
        "%",
        CASES,
        lambda s: s.kpis.response_rate,
        link=_cases(Measure.DUE_TO_RESPOND),
        shape="rate",
    ),
    Indicator(
        "resolution_rate",
        "办结率",
        f"已办结的事项 ÷ 登记的事项总数。{EXCLUDED}",
        "%",
        CASES,
        lambda s: s.kpis.resolution_rate,
        link=_cases(Measure.RESOLVED),
        shape="rate",
    ),
    Indicator(
        "satisfaction_rate",
        "满意率",
        f"群众评价（或回访）为满意、基本满意的事项 ÷ 已评价的事项。{EXCLUDED}",
        "%",
        CASES,
        lambda s: s.kpis.satisfaction_rate,
        link=_cases(Measure.SATISFIED),
        shape="rate",
    ),
    Indicator(
        "on_time_rate",
        "按时办结率",
        f"在办结时限内（含批准延期后的时限）办结的事项 ÷ 已办结的事项。{EXCLUDED}",
        "%",
        CASES,
        lambda s: s.kpis.on_time_rate,
        link=_cases(Measure.RESOLVED_ON_TIME),
        shape="rate",
    ),
    Indicator(
        "overdue",
        "超期未办",
        "此刻还没办结、并且已经过了时限的事项：过了响应时限还没受理的，或过了办结时限还没办结的。"
        "不论哪天登记的都算，所以与“红灯事项”清单和简报中的超期清单是同一批事项。",
        "件",
        CASES,
        lambda s: s.kpis.overdue,
        periodic=False,
        link=lambda s: (
            f"{reverse('cases:list')}?"
            + urlencode({"place": s.place.pk, "measure": Measure.OVERDUE})
        ),
        higher_is_better=False,
    ),
    Indicator(
        "person_times",
        "服务人次",
        f"已办结事项涉及的群众人数之和，每件至少计 1 人次。{EXCLUDED}",
        "人次",
        CASES,
        lambda s: s.kpis.person_times,
        link=_cases(Measure.RESOLVED),
    ),
    Indicator(
        "mean_response_hours",
        "平均响应用时",
        f"已受理事项从登记到受理的平均用时。{EXCLUDED}",
        "小时",
        CASES,
        lambda s: _hours(s.kpis.mean_response),
        higher_is_better=False,
    ),
    Indicator(
        "mean_handling_hours",
        "平均办理用时",
        f"已办结事项从登记到办结的平均用时。{EXCLUDED}",
        "小时",
        CASES,
        lambda s: _hours(s.kpis.mean_handling),
        higher_is_better=False,
    ),
    Indicator(
        "cases_by_category",
        "分类事项数",
        f"按事项目录类别分组的事项数。{EXCLUDED}",
        "件",
        CASES,
        lambda s: [
            {"code": r["category__code"], "name": r["category__name"], "n": r["n"]}
            for r in s.kpis.by_category
        ],
        shape="breakdown",
    ),
    Indicator(
        "cases_by_source",
        "分来源事项数",
        f"按来源（走访、巡查、群众上报、热线、扫码、会议、其他系统）分别统计的事项数。{EXCLUDED}",
        "件",
        CASES,
        lambda s: s.kpis.by_source,
        shape="breakdown",
    ),
    Indicator(
        "cases_by_status",
        "分状态事项数",
        f"按当前办理状态分组的事项数。{EXCLUDED}",
        "件",
        CASES,
        lambda s: s.kpis.by_status,
        shape="breakdown",
    ),
    Indicator(
        "households",
        "户数",
        "区域内登记的户（地点树中类型为“户”的节点）数，截至今日。",
        "户",
        "places.Place",
        lambda s: Place.objects.subtree(s.place).filter(kind=PlaceKind.HOUSEHOLD).count(),
        periodic=False,
        link=lambda s: _places_link(s, PlaceKind.HOUSEHOLD),
    ),
    Indicator(
        "residents",
        "在册人口",
        "区域内在册（未注销）的人员数，截至今日。",
        "人",
        "people.Person",
        lambda s: Person.objects.filter(subtree_q(s.place), active=True).count(),
        periodic=False,
        link=lambda s: f"{reverse('people:list')}?{urlencode({'place': s.place.pk})}",
    ),
    Indicator(
        "party_members",
        "党员",
        "区域内在册人员中登记为党员的人数，截至今日。",
        "人",
        "people.PartyMember",
        lambda s: PartyMember.objects.filter(
            subtree_q(s.place, "person__place"), person__active=True
        ).count(),
        periodic=False,
        link=lambda s: f"{reverse('people:party_members')}?{urlencode({'place': s.place.pk})}",
    ),
    Indicator(
        "volunteers",
        "志愿者",
        "区域内在册人员中登记为志愿者的人数，截至今日。",
        "人",
        "volunteers.Volunteer",
        lambda s: Volunteer.objects.filter(
            subtree_q(s.place, "person__place"), person__active=True
        ).count(),
        periodic=False,
        link=lambda s: f"{reverse('people:volunteers')}?{urlencode({'place': s.place.pk})}",
        programme="志愿服务",
    ),
    Indicator(
        "baolian_coverage",
        "包联覆盖率",
        "今日有人承担包联职责的户 ÷ 区域内的户。",
        "%",
        "duties.Duty, places.Place",
        lambda s: _percent(coverage(s.place, DutyKind.BAOLIAN).total.percent),
        periodic=False,
        link=lambda s: f"{reverse('duties:coverage')}?{urlencode({'place': s.place.pk})}",
        shape="rate",
    ),
    Indicator(
        "compound_party_org_coverage",
        "小区党组织覆盖率",
        "建有党组织的小区 ÷ 区域内的小区，截至今日。",
        "%",
        "orgs.Organisation, places.Place",
        lambda s: _compound_share(s, "with_party_org"),
        periodic=False,
        link=lambda s: f"{reverse('orgs:list')}?{urlencode({'place': s.place.pk})}",
        shape="rate",
    ),
    Indicator(
        "compound_property_coverage",
        "小区物业服务覆盖率",
        "有物业服务（物业公司、共享物业、连片打包、专职物管人或共管账户）的小区 ÷ 区域内的小区。",
        "%",
        "orgs.CompoundProfile, places.Place",
        lambda s: _compound_share(s, "with_property_service"),
        periodic=False,
        link=lambda s: f"{reverse('orgs:list')}?{urlencode({'place': s.place.pk})}",
        shape="rate",
    ),
]


def _kind_count(s: Scope, kind: str) -> int:
    """Counted cases of one kind: from the day rollups at grid level and above."""
    if exact_for(s.place.path):
        rows = rollup_rows(s.place, s.date_from, s.date_to).filter(kind=kind)
        return rows.aggregate(n=Sum("n"))["n"] or 0
    return counted_cases(s.place, s.date_from, s.date_to).filter(kind=kind).count()


INDICATORS += [
    Indicator(
        "dispute_cases",
        "矛盾纠纷事项",
        f"类型为“纠纷”的事项数。{EXCLUDED}",
        "件",
        CASES,
        lambda s: _kind_count(s, "dispute"),
        link=lambda s: s.cases_link(kind="dispute"),
    ),
    Indicator(
        "hazard_cases",
        "安全隐患事项",
        f"类型为“隐患”的事项数（含走访、巡查和群众上报）。{EXCLUDED}",
        "件",
        CASES,
        lambda s: _kind_count(s, "hazard"),
        link=lambda s: s.cases_link(kind="hazard"),
    ),
]

REGISTRY: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def _places_link(s: Scope, kind: str) -> str:
    return f"{reverse('places:list')}?{urlencode({'kind': kind, 'within': s.place.pk})}"


def _compound_share(s: Scope, name: str) -> float | None:
    figures = compound_coverage(s.user, s.place)
    if not figures.compounds:
        return None
    return round(getattr(figures, name) / figures.compounds, 4)


GOVERNANCE = "基层治理"
# The programmes in the order the overview and the briefings show them.
PROGRAMMES = (GOVERNANCE, "志愿服务", "远程心电", "林长制", "重点项目", "村集体经济")
# The programme of the older apps' figures, which do not name one (by the app that registered
# them); an app that names its programme in `register` is not looked up here.
APP_PROGRAMMES = {"volunteers": "志愿服务", "activities": "志愿服务", "ecg": "远程心电"}


def programme_of(indicator: Indicator) -> str:
    """The indicator's programme: its own, else its app's, else 基层治理."""
    if indicator.programme:
        return indicator.programme
    module = getattr(indicator.compute, "__module__", "") or ""
    parts = module.split(".")
    app = parts[1] if len(parts) > 1 and parts[0] == "apps" else ""
    return APP_PROGRAMMES.get(app, GOVERNANCE)


def by_programme(indicators: list[Indicator]) -> list[tuple[str, list[Indicator]]]:
    """The indicators grouped by programme, in the order of PROGRAMMES (others after them, in
    the order first registered); the order within a programme is the registry's."""
    groups: dict[str, list[Indicator]] = {name: [] for name in PROGRAMMES}
    for indicator in indicators:
        groups.setdefault(programme_of(indicator), []).append(indicator)
    return [(name, items) for name, items in groups.items() if items]


def register(*indicators: Indicator, programme: str = "") -> None:
    """Add indicators from another app (its `indicators.py`, imported when stats is ready).

    Apps that record the figures own their definitions: meetings, activities, brands … call
    `register(Indicator(...), ..., programme="林长制")` at import time; `programme` (工作板块)
    is set on those that do not name their own. A code may be registered only once.
    """
    for indicator in indicators:
        if programme and not indicator.programme:
            indicator = replace(indicator, programme=programme)
        existing = REGISTRY.get(indicator.code)
        if existing is not None and existing != indicator:
            raise ValueError(f"indicator {indicator.code!r} is registered twice")
        if existing is None:
            REGISTRY[indicator.code] = indicator
            INDICATORS.append(indicator)


def get(code: str) -> Indicator:
    return REGISTRY[code]


def values(scope: Scope, codes: list[str] | None = None) -> dict[str, Any]:
    """The values of the named indicators (all by default) for one scope."""
    return {code: REGISTRY[code].compute(scope) for code in codes or list(REGISTRY)}
