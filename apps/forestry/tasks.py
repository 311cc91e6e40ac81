"""Periodic jobs of 林长制: this period's patrol tasks (and yesterday's missed), escalation of
unanswered forest events up the chief levels."""

from apps.core.tasks import periodic

from .actions import escalate_events, generate_patrol_tasks


@periodic(seconds=3600, name="forestry.tasks")
def patrol_tasks() -> int:
    return generate_patrol_tasks()


@periodic(seconds=600, name="forestry.escalate")
def escalate() -> int:
    return escalate_events()
