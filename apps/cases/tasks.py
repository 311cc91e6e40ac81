"""Background jobs of the case engine: thin wrappers that call the actions."""

from apps.core.tasks import periodic

from . import actions


@periodic(seconds=60, name="cases.monitor")
def monitor() -> int:
    """Escalate overdue cases one level up (every minute)."""
    return actions.escalate_overdue()


@periodic(seconds=3600, name="cases.revisits")
def revisits() -> int:
    """Turn resolved cases left unrated for N days into revisit tasks (every hour)."""
    return actions.create_due_revisits()
