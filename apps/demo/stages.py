"""The demo county's history, step by step, and its first start in the background.

`generate()` loads the base (places, people, organisations, duties, accounts) and then runs
`history_steps()` one after the other. `gongzhi serve` on an empty database loads only the base
before the site answers (one transaction, so a crash leaves an empty database that the next
start loads again), records a `DemoLoad` in that transaction and hands the steps to the task
system (`demo.history`): each step runs in a transaction of its own, which also advances the
DemoLoad row, so the login page can show how far the history is and a restart resumes at the
first step not done (a step either committed with its row or left nothing).
"""

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.tasks import enqueue
from apps.places.models import Place, subtree_q
from apps.stats import rollups

from .cases import generate_cases
from .ecg import generate_ecg
from .extras import contributors
from .models import DemoLoad
from .photos import add_photos
from .plan import COUNTY_NAME
from .writer import Sink

log = logging.getLogger("gongzhi.demo")
Say = Callable[[str], None]
Step = Callable[[Place, str, int, Say], dict[str, Any]]
LABELS = {
    "cases": "事项办理记录",
    "ecg": "心电检查",
    "photos": "演示照片",
    "rollups": "汇总统计表",
    "finish": "核对与记录",
}


@dataclass
class Base:
    """What the base load leaves for the history steps and the final audit event."""

    size: str
    seed: int
    county_id: int
    counts: dict[str, Any]
    logins: list[dict[str, Any]] = field(default_factory=list)


def _cases(county: Place, size: str, seed: int, say: Say) -> dict[str, Any]:
    sink = Sink()
    counts = generate_cases(county, size, seed, sink, say)
    sink.flush()
    return counts


def _photos(county: Place, size: str, seed: int, say: Say) -> dict[str, Any]:
    return add_photos(county, size, seed, say)


def _rollups(county: Place, size: str, seed: int, say: Say) -> dict[str, Any]:
    # The history is written directly, not through the case actions that keep the
    # dashboards' rollups, so build them once from the cases just written.
    say("汇总统计表…")
    rollups.rebuild()
    return {}


def _contribution(label: str, populate: Callable[..., Any]) -> Step:
    def step(county: Place, size: str, seed: int, say: Say) -> dict[str, Any]:
        return {f"{label}_{k}": v for k, v in (populate(county, size, seed, say) or {}).items()}

    return step


def history_steps() -> list[tuple[str, Step]]:
    """(name, step) in load order: cases, ECG, every app's contribution (extras, in its
    DEMO_ORDER), photos, rollups. Each step returns counts for the audit event."""
    steps: list[tuple[str, Step]] = [("cases", _cases), ("ecg", generate_ecg)]
    steps += [(f"app:{label}", _contribution(label, f)) for _order, label, f in contributors()]
    steps += [("photos", _photos), ("rollups", _rollups)]
    return steps


def label_of(name: str) -> str:
    if name.startswith("app:"):
        return str(apps.get_app_config(name[4:]).verbose_name)
    return LABELS.get(name, name)


def analyze(models: list[Any] | None = None) -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk load. Rows written by COPY are
    invisible to them until autovacuum comes by, and a query planned for empty tables joins a
    county's 40,000 households by nested loops (a visit cycle took minutes instead of
    seconds: docs/performance.md). `models` None: the whole database."""
    if connection.vendor != "postgresql":
        return
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models or []]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def finish(base: Base) -> dict[str, Any]:
    """The county's final counts and its one audit event (the last thing a load writes)."""
    analyze()
    county = Place.objects.get(pk=base.county_id)
    counts = dict(base.counts)
    # The programmes' demos file some cases of their own (visit findings, meeting items).
    counts["cases"] = Case.objects.filter(subtree_q(county)).count()
    audit.record(
        actor=None,
        verb=AuditVerb.IMPORT,
        object_type="demo",
        object_id=f"{base.size}/{base.seed}",
        object_repr=f"演示县 {COUNTY_NAME}",
        scope_path=county.path,
        changes=counts,
    )
    return counts


def run_all(base: Base, say: Say) -> dict[str, Any]:
    """Every history step in the caller's transaction (`gongzhi demo`, tests)."""
    county = Place.objects.get(pk=base.county_id)
    for _name, step in history_steps():
        base.counts.update(step(county, base.size, base.seed, say))
    return finish(base)


def record_load(base: Base) -> DemoLoad:
    """Record the load in the caller's transaction (the base's); `queue` it once committed."""
    return DemoLoad.objects.create(
        county_id=base.county_id,
        size=base.size,
        seed=base.seed,
        steps=[name for name, _step in history_steps()] + ["finish"],
        counts=base.counts,
    )


def queue(load: DemoLoad) -> None:
    enqueue("demo.history", load.pk)


def unfinished() -> DemoLoad | None:
    return DemoLoad.objects.exclude(state=DemoLoad.State.DONE).order_by("-id").first()


def resume() -> DemoLoad | None:
    """Queue the history of a load a stopped or failed process left unfinished."""
    load = unfinished()
    if load is not None:
        DemoLoad.objects.filter(pk=load.pk).update(state=DemoLoad.State.LOADING, error="")
        enqueue("demo.history", load.pk)
    return load


def run_history(load_id: int, say: Say | None = None) -> DemoLoad:
    """Run the steps of `load_id` not done yet, one transaction each (the row locked, so two
    workers never run one step twice); a failing step leaves nothing and marks the load
    failed with its error, for the next start to resume."""
    say = say or log.info
    steps = dict(history_steps())
    while True:
        started = time.monotonic()
        try:
            with transaction.atomic():
                load = DemoLoad.objects.select_for_update().get(pk=load_id)
                if load.state == DemoLoad.State.DONE or load.done >= len(load.steps):
                    return load
                name = load.steps[load.done]
                county = Place.objects.get(pk=load.county_id)
                if name == "finish":
                    base = Base(load.size, load.seed, load.county_id, load.counts)
                    load.counts = finish(base)
                    load.state = DemoLoad.State.DONE
                    load.finished_at = timezone.now()
                else:
                    load.counts.update(steps[name](county, load.size, load.seed, say))
                load.seconds[name] = round(time.monotonic() - started, 1)
                load.done += 1
                load.save()
        except Exception:
            log.exception("demo history step failed")
            DemoLoad.objects.filter(pk=load_id).update(
                state=DemoLoad.State.FAILED, error=traceback.format_exc()[-2000:]
            )
            raise
