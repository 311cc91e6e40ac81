"""Volunteer-service figures for the leader's dashboard. The count of registered volunteers is
the stats app's own `volunteers` indicator and is not repeated here."""

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse

from apps.places.models import subtree_q
from apps.stats.indicators import Indicator, Scope, register

from .choices import HoursStatus, VolunteerStatus
from .models import ServiceHours, Volunteer
from .selectors import star_thresholds

SOCIAL_WORKER = "持证社工"


def approved_hours(s: Scope) -> float:
    total = ServiceHours.objects.filter(
        subtree_q(s.place, "volunteer__person__place"),
        status=HoursStatus.APPROVED,
        served_on__gte=s.date_from,
        served_on__lte=s.date_to,
    ).aggregate(total=Sum("hours"))["total"]
    return float(total or Decimal("0"))


def service_times(s: Scope) -> int:
    return ServiceHours.objects.filter(
        subtree_q(s.place, "volunteer__person__place"),
        status=HoursStatus.APPROVED,
        served_on__gte=s.date_from,
        served_on__lte=s.date_to,
    ).count()


def certified_social_workers(s: Scope) -> int:
    """在册 volunteers holding the 持证社工 certificate. Certificates are a JSON list, which
    SQLite cannot search inside, so the (few) non-empty lists are read and checked here."""
    lists = (
        Volunteer.objects.filter(subtree_q(s.place, "person__place"), status=VolunteerStatus.ACTIVE)
        .exclude(certificates=[])
        .values_list("certificates", flat=True)
    )
    return sum(
        1
        for certs in lists.iterator(chunk_size=2000)
        if any(isinstance(c, dict) and c.get("name") == SOCIAL_WORKER for c in certs or [])
    )


def star_volunteers(s: Scope) -> int:
    """Active volunteers of the area whose approved hours (all time) reach 一星."""
    first = Decimal(star_thresholds()[0])
    return (
        ServiceHours.objects.filter(
            subtree_q(s.place, "volunteer__person__place"),
            status=HoursStatus.APPROVED,
            volunteer__status=VolunteerStatus.ACTIVE,
        )
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .filter(total__gte=first)
        .count()
    )


def _volunteers_link(s: Scope, **extra: str) -> str:
    return f"{reverse('volunteers:list')}?{urlencode({'place': s.place.pk, **extra})}"


register(
    Indicator(
        "volunteer_hours",
        "志愿服务时长",
        "区域内志愿者在统计期内服务、且已审核认定的时长合计；待审核和未认定的不计，培训学时不计。",
        "小时",
        "volunteers.ServiceHours",
        approved_hours,
        link=lambda s: _volunteers_link(s),
    ),
    Indicator(
        "volunteer_service_times",
        "志愿服务人次",
        "区域内志愿者在统计期内已认定的服务记录条数（一人一次服务为一人次）。",
        "人次",
        "volunteers.ServiceHours",
        service_times,
        link=lambda s: _volunteers_link(s),
    ),
    Indicator(
        "certified_social_workers",
        "持证社工",
        "区域内在册志愿者中登记了“持证社工”证书的人数，截至今日。",
        "人",
        "volunteers.Volunteer",
        certified_social_workers,
        periodic=False,
        link=lambda s: _volunteers_link(s, status=VolunteerStatus.ACTIVE),
    ),
    Indicator(
        "star_volunteers",
        "星级志愿者",
        "区域内在册志愿者中，累计认定服务时长达到一星（默认 100 小时）及以上的人数，截至今日。",
        "人",
        "volunteers.ServiceHours",
        star_volunteers,
        periodic=False,
        link=lambda s: _volunteers_link(s, status=VolunteerStatus.ACTIVE),
    ),
)
