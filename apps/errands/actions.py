"""Writes of errand assistance: plan steps (from a template or by hand), mark a step done
(who accompanied whom), and resolve the case through the case engine once every step is
done. Each is atomic, role- and scope-checked and audited."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases.actions import do_transition
from apps.cases.choices import OPEN_STATUSES, Action, CaseKind
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.people.models import Person

from .choices import StepStatus
from .models import ErrandStep, ErrandTemplate

MAX_STEPS = 30


def check_may_handle(actor: User, case: Case) -> None:
    def assignee() -> bool:
        return case.assignee_id is not None and case.assignee_id == actor.pk

    require(actor, Cap.ERRANDS_HANDLE, case.place, unless=assignee)


def _lock_case(case: Case) -> Case:
    locked = Case.objects.select_for_update(of=("self",)).select_related("place").get(pk=case.pk)
    if locked.kind != CaseKind.ERRAND:
        raise ValidationError("只有帮办类事项可以安排帮办步骤")
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            f"该事项当前状态为“{locked.get_status_display()}”，不能再办理帮办步骤"
        )
    return locked


@transaction.atomic
def do_add_steps(
    case: Case,
    *,
    actor: User,
    steps: Iterable[tuple[str, str]] = (),
    template: ErrandTemplate | None = None,
    resident: Person | None = None,
) -> list[ErrandStep]:
    """Append steps to an errand case: the template's, then the ones given as (name, office).
    The resident defaults to the case's reporter."""
    check_may_handle(actor, case)
    case = _lock_case(case)
    wanted = [(s["name"], s.get("office", "")) for s in template.steps] if template else []
    wanted += list(steps)
    wanted = [(n.strip()[:100], (o or "").strip()[:100]) for n, o in wanted if n and n.strip()]
    if not wanted:
        raise ValidationError({"steps": "请填写至少一个步骤"})
    last = ErrandStep.objects.filter(case=case).aggregate(m=Max("position"))["m"] or 0
    if last + len(wanted) > MAX_STEPS:
        raise ValidationError({"steps": f"一件帮办事项最多{MAX_STEPS}个步骤"})
    resident = resident or case.reporter
    created = ErrandStep.objects.bulk_create(
        ErrandStep(case=case, position=last + i, name=n, office=o, resident=resident)
        for i, (n, o) in enumerate(wanted, start=1)
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        object_type="errands.errandstep",
        object_id=case.pk,
        object_repr=f"{case.number} 帮办步骤",
        scope_path=case.place.path,
        changes={
            "case": case.pk,
            "template": template.code if template else None,
            "steps": [n for n, _ in wanted],
        },
    )
    return created


@transaction.atomic
def do_complete_step(
    step: ErrandStep,
    *,
    actor: User,
    helper: Person | None = None,
    note: str = "",
    done_at: dt.datetime | None = None,
) -> ErrandStep:
    """办完一步: who accompanied (default: the actor's own person) and when."""
    check_may_handle(actor, step.case)
    _lock_case(step.case)
    step = ErrandStep.objects.select_for_update().get(pk=step.pk)
    if step.status == StepStatus.DONE:
        raise ValidationError(f"步骤“{step.name}”已完成")
    now = timezone.now()
    done_at = done_at or now
    if done_at > now:
        raise ValidationError({"done_at": "完成时间不能晚于现在"})
    step.status = StepStatus.DONE
    step.done_at = done_at
    step.helper = helper or getattr(actor, "person", None)
    step.note = note.strip()[:200]
    step.done_by = actor
    step.save(update_fields=["status", "done_at", "helper", "note", "done_by", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=step,
        changes={"status": [StepStatus.TODO, StepStatus.DONE], "helper": step.helper_id},
    )
    return step


@transaction.atomic
def do_resolve_errand(case: Case, *, actor: User, note: str = "") -> Case:
    """办结 the errand through the case engine once every step is done: only the case's
    handler (承办人) may, while handling it — the engine's own rule and errors."""
    locked = _lock_case(case)
    steps = list(ErrandStep.objects.filter(case=locked).order_by("position"))
    if not steps:
        raise ValidationError("还没有安排帮办步骤")
    todo = [s.name for s in steps if s.status != StepStatus.DONE]
    if todo:
        raise ValidationError(f"还有{len(todo)}个步骤未完成：{'、'.join(todo)}")
    text = note.strip() or "帮办完成：" + "、".join(s.name for s in steps)
    return do_transition(case, Action.RESOLVE, actor=actor, note=text[:500])
