"""Periodic jobs of visits: generate the next cycle of every active plan; open and close the
visit windows (planned → due → missed)."""

from apps.core.tasks import periodic

from .actions import advance_tasks, generate_due_cycles


@periodic(seconds=3600, name="visits.generate")
def generate_cycles() -> int:
    return generate_due_cycles()


@periodic(seconds=900, name="visits.advance")
def advance() -> tuple[int, int]:
    return advance_tasks()
