"""Background jobs of briefings: generate one, and the month/quarter-end schedule."""

from apps.core.tasks import periodic, task

from . import actions


@task("reports.generate")
def generate(report_id: int) -> str:
    return actions.generate(report_id).status


@periodic(seconds=60, name="reports.fail_stale")
def fail_stale() -> int:
    return actions.do_fail_stale_reports()


@periodic(seconds=3600, name="reports.period_end")
def period_end() -> int:
    """At month end (and quarter end) the briefings of the period just ended, for the county
    and every town. Hourly rather than once at midnight: a worker that was down catches up,
    and areas that already have their briefing are skipped."""
    return len(actions.do_schedule_period_end())
