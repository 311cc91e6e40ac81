"""Demo errands (陪办帮办): steps for most of the demo's errand cases, from the template of
their category (or a generic three-step errand); all done for resolved cases (before the
resolution, by the handler's person), partly done for the ones being handled, none yet for
the ones waiting to be dispatched. Written in bulk."""

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from apps.cases.choices import HANDLING, RESOLVED_STATUSES, WITHDRAWN_STATUSES, CaseKind
from apps.cases.models import Case
from apps.places.models import Place, subtree_q

from .choices import StepStatus
from .models import ErrandStep, ErrandTemplate

DEMO_ORDER = 55
GENERIC = [
    {"name": "上门了解需求、收齐材料", "office": "居民家中"},
    {"name": "陪同或代为办理", "office": "乡镇便民服务中心"},
    {"name": "结果送达并告知居民", "office": "居民家中"},
]
Say = Callable[[str], None]


def populate_demo(county: Place, size: str, seed: int, say: Say) -> dict[str, int]:
    rng = random.Random(f"{seed}/errands")
    templates = {
        t.category_id: t.steps for t in ErrandTemplate.objects.filter(active=True) if t.category_id
    }
    cases = (
        Case.objects.filter(subtree_q(county), kind=CaseKind.ERRAND)
        .exclude(status__in=sorted(WITHDRAWN_STATUSES))
        .select_related("assignee")
        .order_by("pk")
    )
    now = timezone.now()
    rows: list[ErrandStep] = []
    planned = 0
    for case in cases:
        if rng.random() > 0.8:
            continue
        steps = templates.get(case.category_id) or GENERIC
        resolved = case.status in RESOLVED_STATUSES and case.resolved_at is not None
        if not resolved and case.status not in HANDLING:
            continue
        planned += 1
        done_n = len(steps) if resolved else rng.randint(0, len(steps) - 1)
        end = case.resolved_at if resolved and case.resolved_at else now
        helper = case.assignee.person_id if case.assignee else None
        span = max((end - case.created_at).total_seconds(), 60.0)
        for i, step in enumerate(steps, start=1):
            done = i <= done_n
            at = case.created_at + dt.timedelta(seconds=span * i / (len(steps) + 1))
            rows.append(
                ErrandStep(
                    case=case,
                    position=i,
                    name=step["name"],
                    office=step.get("office", ""),
                    status=StepStatus.DONE if done else StepStatus.TODO,
                    done_at=at if done else None,
                    helper_id=helper if done else None,
                    resident_id=case.reporter_id,
                    done_by=case.assignee if done else None,
                )
            )
    ErrandStep.objects.bulk_create(rows, batch_size=2000)
    say(f"  陪办帮办：{planned} 件帮办事项，{len(rows)} 个步骤")
    return {"errands": planned, "steps": len(rows)}
