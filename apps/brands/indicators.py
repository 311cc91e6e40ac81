"""Figures of demand surveys and service brands for the leader's dashboard (P1 窑火红·满天星:
需求调研、服务清单、服务品牌、帮扶资金、服务人次)."""

from urllib.parse import urlencode

from django.urls import reverse

from apps.stats.indicators import Indicator, Scope, register

from . import selectors


def _services(s: Scope) -> str:
    return f"{reverse('brands:services')}?{urlencode({'place': s.place.pk})}"


def _communities(s: Scope) -> str:
    return f"{reverse('brands:communities')}?{urlencode({'place': s.place.pk})}"


register(
    Indicator(
        "survey_households",
        "需求调研户数",
        "统计期内需求调研入户登记的户数（同一户多次调研计 1 户），按调研日期。",
        "户",
        "brands.SurveyRecord",
        lambda s: selectors.surveyed_households(s.place, s.date_from, s.date_to),
        link=_services,
    ),
    Indicator(
        "survey_needs",
        "收集需求数",
        "统计期内需求调研登记的需求人次：每户每类需求按有该需求的人数计。",
        "人次",
        "brands.SurveyNeed",
        lambda s: selectors.needs_collected(s.place, s.date_from, s.date_to),
        link=_services,
    ),
    Indicator(
        "brands",
        "服务品牌数",
        "运行中、服务区域内（或覆盖该区域）社区村的服务品牌/项目数，截至今日。",
        "个",
        "brands.Brand",
        lambda s: selectors.brand_count(s.place),
        periodic=False,
        link=_communities,
    ),
    Indicator(
        "brand_funds_received",
        "帮扶资金收入",
        "统计期内区域内主办的服务品牌登记的帮扶资金收入（扣除冲正），按发生日期。",
        "元",
        "brands.FundEntry",
        lambda s: float(selectors.funds_in_period(s.place, s.date_from, s.date_to)[0]),
        link=_communities,
    ),
    Indicator(
        "brand_funds_spent",
        "帮扶资金支出",
        "统计期内区域内主办的服务品牌登记的帮扶资金支出（含垫付，扣除冲正），按发生日期。",
        "元",
        "brands.FundEntry",
        lambda s: float(selectors.funds_in_period(s.place, s.date_from, s.date_to)[1]),
        link=_communities,
        higher_is_better=False,
    ),
    Indicator(
        "brand_person_times",
        "品牌服务人次",
        "统计期内办结的、归入服务品牌的区域内工单涉及的群众人数（每件至少 1 人次），"
        "加上品牌活动的签到人次与现场未登记人次。",
        "人次",
        "brands.BrandOrder, cases.Case, activities.Activity",
        lambda s: selectors.person_times_served(s.place, s.date_from, s.date_to),
        link=_communities,
    ),
)
