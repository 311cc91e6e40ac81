"""Background jobs of key projects: one weekly 调度 report, the weekly schedule, and the
monitor that reports overdue blockers to the level above the county."""

from apps.core.tasks import periodic, task

from . import actions


@task("projects.weekly_report")
def weekly_report(report_id: int) -> str:
    return actions.generate_weekly(report_id).status


@periodic(seconds=3600, name="projects.weekly_schedule")
def weekly_schedule() -> int:
    """Hourly, so a worker that was down on Friday noon catches up the same day."""
    return actions.schedule_weekly()


@periodic(seconds=900, name="projects.blocker_monitor")
def blocker_monitor() -> int:
    """Every quarter hour: overdue blockers reported to the level above the county."""
    return actions.escalate_overdue_blockers()
