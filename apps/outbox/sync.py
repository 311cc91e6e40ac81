"""What a worker needs offline, in one compact download (issue 18, item 2; ADR 0060).

`GET /outbox/sync/` answers the signed-in worker's own open tasks (today's and the announced
ones), the households (places) they are on, the active members of those households with their
care tags, and the open cases on them — nothing else, and only through `my_tasks` (the
worker's own tasks, so only within their scope). One JSON document, format `v: 1`, with
tables as arrays of rows and repeated strings (care tags, plans' checklists) once:

    {"v": 1, "user": "party_a", "at": "2026-12-04T10:00:00+08:00",
     "plans": {"<id>": [name, [checklist item, …]]},
     "tasks": [[id, place, plan, kind, status, status label, occurrence, window end,
                priority], …],
     "places": {"<id>": [name, short address, kind]},
     "tags": [name, …],
     "people": [[place, name, relation label, [tag index, …]], …],
     "cases": [[place, id, number, title, status label], …],
     "categories": [[id, name], …]}  (the categories of the 登记诉求 form)

The answer carries a strong ETag (the SHA-256 of the document without its time): the phone
sends it back as If-None-Match and gets 304 with no body while nothing changed. The document
travels gzip-compressed (apps.core.compression).
"""

import hashlib
import json
from typing import Any

from django.utils import timezone

from apps.cases.models import Case, Category
from apps.visits.choices import TaskStatus
from apps.visits.selectors import household_people, my_tasks, short_address

FORMAT = 1


def sync_document(user: Any) -> tuple[dict[str, Any], str]:
    """(document, etag) of what `user` needs offline."""
    tasks = list(my_tasks(user))
    plans: dict[str, list[Any]] = {}
    places: dict[str, list[Any]] = {}
    rows = []
    labels = dict(TaskStatus.choices)
    for task in tasks:
        plans.setdefault(str(task.plan_id), [task.plan.name, task.plan.checklist_items()])
        places.setdefault(
            str(task.place_id), [task.place.name, short_address(task.place), task.place.kind]
        )
        rows.append(
            [
                task.pk,
                task.place_id,
                task.plan_id,
                task.kind,
                task.status,
                labels.get(task.status, task.status),
                task.occurrence.isoformat(),
                task.window_end.isoformat(),
                task.priority,
            ]
        )
    place_ids = {t.place_id for t in tasks}
    tags: dict[str, int] = {}
    people = []
    for person in household_people(place_ids):
        marks = [tags.setdefault(t.name, len(tags)) for t in person.care_tags.all() if t.active]
        people.append([person.place_id, person.name, person.get_relation_display(), marks])
    cases = [
        [c.place_id, c.pk, c.number, c.title, c.get_status_display()]
        for c in Case.objects.open().filter(place_id__in=place_ids).order_by("place_id", "-id")
    ]
    document: dict[str, Any] = {
        "v": FORMAT,
        "user": user.get_username(),
        "plans": plans,
        "tasks": rows,
        "places": places,
        "tags": list(tags),
        "people": people,
        "cases": cases,
        "categories": list(
            Category.objects.filter(active=True).order_by("pk").values_list("pk", "name")
        ),
    }
    etag = hashlib.sha256(
        json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()[:32]
    document["at"] = timezone.localtime().isoformat(timespec="seconds")
    return document, etag
