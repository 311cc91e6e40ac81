"""Background work of the tele-ECG network: thin wrappers around the actions."""

from apps.core.tasks import periodic, task

from .actions import do_screen_exam
from .critical import escalate_overdue


@task("ecg.screen")
def screen_exam(exam_id: int) -> None:
    do_screen_exam(exam_id)


@periodic(seconds=30, name="ecg.escalate_overdue")
def escalate_overdue_alerts() -> int:
    return escalate_overdue()
