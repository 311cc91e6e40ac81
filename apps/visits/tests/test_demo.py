"""The demo's visits: plans for the communities, closed cycles with a consistent history, and
coverage figures equal to a direct count."""

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from apps.demo.generator import generate
from apps.visits.choices import TaskStatus
from apps.visits.models import Rectification, VisitCycle, VisitPlan, VisitRecord, VisitTask
from apps.visits.selectors import cycle_comparison, cycle_coverage


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_the_tiny_demo_has_visit_rounds_with_real_figures():
    result = generate("tiny", 2026)
    counts = result["counts"]
    assert counts["visits_plans"] == VisitPlan.objects.count() > 0
    assert counts["visits_tasks"] == VisitTask.objects.filter(cycle__isnull=False).count()
    today = timezone.localdate()
    plan = VisitPlan.objects.filter(kind="household").first()
    closed = plan.cycles.filter(window_end__lt=today)
    assert closed.count() == 4
    # closed cycles hold only settled tasks; every done task has a record and a done event
    assert (
        not VisitTask.objects.filter(cycle__in=closed)
        .exclude(status__in=(TaskStatus.DONE, TaskStatus.MISSED))
        .exists()
    )
    done = VisitTask.objects.filter(cycle__in=closed, status=TaskStatus.DONE).annotate(
        n_records=Count("records", filter=Q(records__reached=True), distinct=True),
        done_events=Count("events", filter=Q(events__to_status="done"), distinct=True),
    )
    assert done.exists() and all(t.n_records == 1 and t.done_events == 1 for t in done)
    assert not VisitRecord.objects.filter(reached=False, reason="").exists()
    # the figures of every cycle equal a direct count
    for row in cycle_comparison(plan, plan.scope, last=8):
        tasks = VisitTask.objects.filter(cycle=row.cycle)
        assert row.due == tasks.values("place").distinct().count()
        assert row.visited == tasks.filter(status="done").values("place").distinct().count()
        assert cycle_coverage(row.cycle, plan.scope).visited == row.visited
    rows = [r for r in cycle_comparison(plan, plan.scope, last=8) if r.cycle.window_end < today]
    assert len(rows) == 4 and all(r.visited > 0 for r in rows)
    assert sum(r.visited for r in rows) < sum(r.due for r in rows)  # realistic: not all
    assert VisitCycle.objects.filter(plan=plan, occurrence__gt=today - timezone.timedelta(days=7))
    assert Rectification.objects.exists() and counts["visits_hazards"] >= 1
