"""双报到 figures for the leader's dashboard: the units and in-service party members registered
with the area's communities."""

from django.db.models import Count, Q
from django.urls import reverse

from apps.places.models import subtree_q
from apps.stats.indicators import Indicator, Scope, register

from .choices import DualKind, RegistrationStatus
from .models import DualRegistration


def _dual(s: Scope, kind: str) -> int:
    rows = DualRegistration.objects.filter(
        subtree_q(s.place, "community"), kind=kind, status=RegistrationStatus.APPROVED
    )
    field = "organisation" if kind == DualKind.UNIT else "party_member"
    return rows.aggregate(n=Count(field, distinct=True, filter=Q(**{f"{field}__isnull": False})))[
        "n"
    ]


register(
    Indicator(
        "dual_units",
        "双报到单位",
        "向区域内社区报到并经社区审核通过的机关企事业单位数（一个单位向多个社区报到只计一次），"
        "截至今日。",
        "个",
        "dual.DualRegistration",
        lambda s: _dual(s, DualKind.UNIT),
        periodic=False,
        link=lambda s: reverse("dual:list"),
    ),
    Indicator(
        "dual_members",
        "双报到党员",
        "向区域内社区报到并经社区审核通过的在职党员人数，截至今日。",
        "人",
        "dual.DualRegistration",
        lambda s: _dual(s, DualKind.MEMBER),
        periodic=False,
        link=lambda s: reverse("dual:list"),
    ),
)
