"""The demo's meetings: past ones over real demo cases and recent ones through the actions;
the figures equal a count made by hand from the rows."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.cases.choices import OPEN_STATUSES, RESOLVED_STATUSES
from apps.cases.models import CaseEvent
from apps.demo.generator import generate
from apps.meetings.models import AgendaItem, Meeting, Participant
from apps.meetings.selectors import meeting_figures
from apps.places.models import Place


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db(transaction=False)
def test_the_tiny_demo_has_meetings_with_real_figures():
    generate("tiny", 2026)
    from apps.accounts.models import User

    admin = User.objects.get(username="admin")
    county = Place.objects.get(kind="county")
    assert Meeting.objects.filter(status="closed").count() == 8
    assert Meeting.objects.filter(status="held").exists()
    assert Meeting.objects.filter(status="planned").exists()
    assert CaseEvent.objects.filter(action="meeting_decide").exists()
    today = timezone.localdate()
    figures = meeting_figures(admin, county, today - dt.timedelta(days=400), today)
    held = Meeting.objects.filter(status__in=["held", "closed"], starts_at__date__lte=today)
    decided = AgendaItem.objects.filter(meeting__in=held, decided_at__isnull=False)
    solved = [
        i
        for i in decided.prefetch_related("cases")
        if any(c.status in RESOLVED_STATUSES for c in i.cases.all())
        and not any(c.status in OPEN_STATUSES for c in i.cases.all())
    ]
    assert figures.meetings == held.count() > 8
    assert figures.attendance == Participant.objects.filter(meeting__in=held, present=True).count()
    assert figures.decided == decided.count() > 0
    assert figures.solved == len(solved) > 0
