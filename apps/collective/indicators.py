"""Village collective-economy figures for the leader's dashboard, registered with the stats
registry: collective operating income from the villages' own posted vouchers (never a typed
figure), total income, per capita, villages under 50k/100k/500k, land transferred, jobs,
contracts expiring and receipts overdue."""

from typing import Any

from django.db.models import Sum
from django.urls import reverse

from apps.accounts.permissions import Cap, has_role_for
from apps.places.models import subtree_q
from apps.stats.indicators import Indicator, Scope, register

from . import selectors
from .choices import INCOME_LINES, OPERATING_LINES
from .models import Book, Job

BOOKS = "collective.Voucher"


def _wan(fen: int) -> float:
    return round(fen / 100, 2)


def _income(s: Scope, lines: tuple[str, ...]) -> float:
    return _wan(sum(selectors.income_by_book(s.place, s.date_from, s.date_to, lines).values()))


def _per_capita(s: Scope) -> float | None:
    members = Book.objects.filter(subtree_q(s.place, "village")).aggregate(m=Sum("members"))["m"]
    if not members:
        return None
    return round(_income(s, tuple(INCOME_LINES)) / members, 2)


def _under(threshold: int) -> Any:
    def compute(s: Scope) -> int:
        books = Book.objects.filter(subtree_q(s.place, "village")).values_list("pk", flat=True)
        income = selectors.income_by_book(s.place, s.date_from, s.date_to, OPERATING_LINES)
        return sum(1 for pk in books if income.get(pk, 0) < threshold * 100)

    return compute


def _link(s: Scope) -> str:
    """The ranking, for those who may open it (else the figure shows without a link)."""
    if not has_role_for(s.user, Cap.COLLECTIVE_VIEW):
        return ""
    return f"{reverse('collective:ranking')}?year={s.date_to.year}"


DEFINITION = (
    "村集体经营性收入 = 经营收入（501）+ 投资收益（521），"
    "按《农村集体经济组织会计制度》（财会〔2023〕14号）"
)

register(
    Indicator(
        "collective_operating_income",
        "村集体经营性收入",
        f"{DEFINITION}；取统计期内区域内各村已记账凭证的贷方减借方，冲销凭证相抵。",
        "元",
        BOOKS,
        lambda s: _income(s, OPERATING_LINES),
        link=_link,
    ),
    Indicator(
        "collective_total_income",
        "村集体总收入",
        "经营收入、投资收益、补助收入、其他收入之和（统计期内已记账凭证）。",
        "元",
        BOOKS,
        lambda s: _income(s, tuple(INCOME_LINES)),
        link=_link,
    ),
    Indicator(
        "collective_income_per_capita",
        "村集体人均收入",
        "村集体总收入 ÷ 区域内各村集体经济组织成员数之和。",
        "元/人",
        BOOKS,
        _per_capita,
        link=_link,
    ),
    *[
        Indicator(
            f"collective_villages_under_{t // 10000}w",
            f"经营性收入低于{t // 10000}万元的村",
            f"统计期内村集体经营性收入（{DEFINITION}）低于 {t} 元的村数（已开设账套的村）。",
            "个",
            "collective.Book",
            _under(t),
            link=_link,
            higher_is_better=False,
        )
        for t in selectors.THRESHOLDS
    ],
    Indicator(
        "collective_land_transferred_mu",
        "土地流转面积",
        "统计期末仍在履行期内的土地流转合同的面积之和。",
        "亩",
        "collective.Contract",
        lambda s: float(selectors.land_transferred_mu(s.place, s.date_to)),
        periodic=False,
    ),
    Indicator(
        "collective_jobs_created",
        "带动就业",
        "区域内各村登记的带动就业人数（用工单位、项目）与合同带动就业人数之和，截至统计期末。",
        "人",
        "collective.Job",
        lambda s: int(
            Job.objects.filter(subtree_q(s.place, "book__village"), since__lte=s.date_to).aggregate(
                n=Sum("count")
            )["n"]
            or 0
        ),
        periodic=False,
    ),
    Indicator(
        "collective_contracts_expiring",
        "90天内到期合同",
        "履行中、在今后 90 天内到期的村集体合同数。",
        "份",
        "collective.Contract",
        lambda s: selectors.expiring_contracts(s.place, s.now.date()).count(),
        periodic=False,
        higher_is_better=False,
    ),
    Indicator(
        "collective_receipts_overdue",
        "逾期未收合同款",
        "履行中合同的应收期次，已过应收日期而未收足（已记账收款凭证，冲销相抵）的期数。",
        "期",
        "collective.Instalment",
        lambda s: len(selectors.overdue_in(s.place, s.now.date())),
        periodic=False,
        higher_is_better=False,
    ),
    programme="村集体经济",
)
