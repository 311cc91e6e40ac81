"""Background jobs of the village books: rent-due and contract-expiry reminders (daily)."""

from apps.core.tasks import periodic

from . import actions


@periodic(seconds=6 * 3600, name="collective.reminders")
def reminders() -> int:
    """Remind the bookkeepers of rent due within a week, overdue rent and contracts ending
    within 90 days; each is told once."""
    return actions.send_reminders()
