"""Reads of the tele-ECG network, always starting from the user's scope."""

from __future__ import annotations

from datetime import datetime
from statistics import median
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncYear

from apps.accounts.scoping import get_in_scope

from .choices import OPEN_STATUSES, ExamStatus
from .models import CriticalNotice, CriticalValue, DiagnosisTerm, Exam


def visible_exams(user: Any) -> QuerySet[Exam]:
    """Exams of the clinics inside the user's scope."""
    return Exam.objects.visible_to(user)


def exam_list(user: Any, status: str = "") -> QuerySet[Exam]:
    qs = visible_exams(user).select_related("clinic", "uploaded_by", "claimed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-uploaded_at", "-id")


def reading_queue(user: Any) -> QuerySet[Exam]:
    """Open exams, the most severe suspected critical value first, then the longest wait."""
    return (
        visible_exams(user)
        .filter(status__in=sorted(OPEN_STATUSES))
        .select_related("clinic", "claimed_by")
        .order_by("-priority", "uploaded_at", "id")
    )


def access_exam_for_user(user: Any, pk: Any) -> Exam:
    """The exam if its clinic lies within the user's scope, or if the user was alerted to its
    critical value (the county hospital's emergency team); 404 otherwise."""
    alerted = Exam.objects.filter(critical__notices__recipient_id=getattr(user, "pk", None))
    qs = Exam.objects.filter(
        Q(pk__in=visible_exams(user).values("pk")) | Q(pk__in=alerted.values("pk"))
    ).select_related("clinic", "uploaded_by", "claimed_by", "report__author", "report__checked_by")
    return get_in_scope(qs, pk=pk)


def visible_criticals(user: Any) -> QuerySet[CriticalValue]:
    """Critical values of exams in scope, plus those the user was alerted to."""
    in_scope = CriticalValue.objects.visible_to(user)
    alerted = CriticalValue.objects.filter(notices__recipient_id=getattr(user, "pk", None))
    return CriticalValue.objects.filter(
        Q(pk__in=in_scope.values("pk")) | Q(pk__in=alerted.values("pk"))
    )


def critical_register(user: Any) -> QuerySet[CriticalValue]:
    return (
        visible_criticals(user)
        .select_related("exam__clinic", "confirmed_by", "referral")
        .prefetch_related("notices__recipient")
        .order_by("-confirmed_at")
    )


def access_critical_for_user(user: Any, pk: Any) -> CriticalValue:
    qs = visible_criticals(user).select_related(
        "exam__clinic", "exam__uploaded_by", "confirmed_by", "referral__destination"
    )
    return get_in_scope(qs, pk=pk)


def my_open_notices(user: Any) -> QuerySet[CriticalNotice]:
    return (
        CriticalNotice.objects.filter(recipient_id=user.pk, acked_at__isnull=True)
        .select_related("critical__exam__clinic")
        .order_by("due_at")
    )


def term_choices() -> QuerySet[DiagnosisTerm]:
    return DiagnosisTerm.objects.filter(active=True).order_by("order", "code")


# -- statistics --------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 1)


def exams_per_clinic_month(user: Any) -> list[dict[str, Any]]:
    """[{clinic, month, count}] over the user's scope (uploads, readable or not)."""
    rows = (
        visible_exams(user)
        .annotate(month=TruncMonth("uploaded_at"))
        .values("clinic__name", "month")
        .annotate(count=Count("id"))
        .order_by("month", "clinic__name")
    )
    return [{"clinic": r["clinic__name"], "month": r["month"], "count": r["count"]} for r in rows]


def exams_per_year(user: Any) -> list[dict[str, Any]]:
    rows = (
        visible_exams(user)
        .annotate(year=TruncYear("uploaded_at"))
        .values("year")
        .annotate(
            count=Count("id"),
            suspected=Count("id", filter=Q(suspected_critical=True)),
            warnings=Count("id", filter=Q(priority__gte=50, suspected_critical=False)),
            confirmed=Count("critical", distinct=True),
        )
        .order_by("year")
    )
    return [
        {
            "year": r["year"].year,
            "count": r["count"],
            "suspected": r["suspected"],
            "warnings": r["warnings"],
            "critical": r["confirmed"],
        }
        for r in rows
    ]


def turnaround(user: Any, since: datetime | None = None) -> dict[str, Any]:
    """Upload → release in minutes: median and 90th percentile, overall and for critical
    exams."""
    qs = visible_exams(user).filter(status=ExamStatus.RELEASED)
    if since is not None:
        qs = qs.filter(uploaded_at__gte=since)
    all_minutes: list[float] = []
    critical_minutes: list[float] = []
    for uploaded, released, suspected in qs.values_list(
        "uploaded_at", "released_at", "suspected_critical"
    ).iterator():
        if released is None:
            continue
        minutes = (released - uploaded).total_seconds() / 60
        all_minutes.append(minutes)
        if suspected:
            critical_minutes.append(minutes)
    return {
        "count": len(all_minutes),
        "median_min": round(median(all_minutes), 1) if all_minutes else None,
        "p90_min": _percentile(all_minutes, 0.9),
        "critical_median_min": round(median(critical_minutes), 1) if critical_minutes else None,
    }


def alert_times(user: Any) -> dict[str, Any]:
    """Alert → acknowledgement (minutes) and, for treated referrals, alert → treatment and
    door → treatment."""
    criticals = visible_criticals(user)
    acks = [
        (acked - sent).total_seconds() / 60
        for sent, acked in CriticalNotice.objects.filter(
            critical__in=criticals, acked_at__isnull=False
        ).values_list("sent_at", "acked_at")
        if acked is not None
    ]
    treated = criticals.filter(referral__treatment_at__isnull=False).values_list(
        "confirmed_at", "referral__arrived_at", "referral__treatment_at", "exam__symptom_onset_at"
    )
    to_treatment, door, symptom = [], [], []
    for confirmed, arrived, treated_at, onset in treated:
        if treated_at is None:
            continue
        to_treatment.append((treated_at - confirmed).total_seconds() / 60)
        if arrived:
            door.append((treated_at - arrived).total_seconds() / 60)
        if onset:
            symptom.append((treated_at - onset).total_seconds() / 60)
    overdue = CriticalNotice.objects.filter(critical__in=criticals, escalation_level__gt=0)
    return {
        "acknowledged": len(acks),
        "ack_median_min": round(median(acks), 1) if acks else None,
        "ack_p90_min": _percentile(acks, 0.9),
        "escalated": overdue.count(),
        "alert_to_treatment_median_min": round(median(to_treatment), 1) if to_treatment else None,
        "door_to_treatment_median_min": round(median(door), 1) if door else None,
        "symptom_to_treatment_median_min": round(median(symptom), 1) if symptom else None,
    }


def critical_per_year(user: Any) -> list[dict[str, Any]]:
    rows = (
        visible_criticals(user)
        .annotate(year=TruncYear("confirmed_at"))
        .values("year")
        .annotate(count=Count("id"))
        .order_by("year")
    )
    return [{"year": r["year"].year, "count": r["count"]} for r in rows]
