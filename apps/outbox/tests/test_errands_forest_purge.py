"""Errand steps and the forest patrol event through the outbox (issue 18: 代办 steps and the
forest patrol recorded offline), and the clean-up of staged photos no record took; through
HTTP, on the outbox's frozen Friday."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage

from apps.cases.models import Case, CaseEvent
from apps.core.models import AuditEvent
from apps.core.tasks import periodic_jobs
from apps.core.testing import client_as
from apps.errands.actions import do_add_steps, do_complete_step
from apps.errands.models import ErrandStep, ErrandTemplate
from apps.errands.tests.conftest import errand  # noqa: F401  (the fixture)
from apps.forestry import actions as forestry
from apps.forestry.models import ForestEvent
from apps.forestry.tests.conftest import LAT0, LNG0, forest  # noqa: F401  (the fixture)
from apps.outbox.models import Receipt, Upload
from apps.outbox.tasks import purge_stale_uploads
from apps.outbox.uploads import PhotosPending, photos_for
from apps.visits.models import VisitPhoto

from .conftest import NOW
from .test_sync_and_uploads import CHUNK, HEADERS, jpeg, send_chunk

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def submit(client, entry: str, target: int, key: str, captured: str, /, **fields: str):
    data = {
        "outbox_uuid": key,
        "outbox_kind": entry,
        "outbox_target": str(target),
        "outbox_captured_at": captured,
        **fields,
    }
    return client.post("/outbox/submit/", data, **HEADERS)


def send_photo(client, upload, record, content: bytes):
    """Every chunk of a photo; the last answer."""
    for index in range(-(-len(content) // CHUNK)):
        answer = send_chunk(client, upload, record, content, index)
        assert answer.status_code == 200, answer.content.decode()
    return answer


def test_an_errand_step_recorded_offline_is_done_once_at_the_phones_time(errand, world):  # noqa: F811
    worker = world.user("grid_worker_a")
    template = ErrandTemplate.objects.get(code="insurance-payment")
    first_step, second_step = do_add_steps(errand, actor=worker, template=template)[:2]
    client = client_as(worker)
    key = str(uuid.uuid4())
    answer = submit(client, "errand", first_step.pk, key, "2026-12-04T09:05:00+08:00", note="一档")
    assert answer.status_code == 201, answer.content.decode()
    assert answer.json()["message"] == "已完成：核对参保信息与缴费档次"
    assert answer.json()["url"] == f"/errands/{errand.pk}/"
    again = submit(client, "errand", first_step.pk, key, "2026-12-04T09:05:00+08:00")
    assert again.status_code == 201 and again["X-Outbox-Replay"] == "1"
    assert again.json() == answer.json()
    step = ErrandStep.objects.get(pk=first_step.pk)
    assert step.status == "done" and step.note == "一档" and step.done_by == worker
    assert step.done_at == dt.datetime(2026, 12, 4, 9, 5, tzinfo=SHANGHAI)
    assert step.helper.name == "刘网格"
    assert AuditEvent.objects.filter(object_type="errands.errandstep", verb="update").count() == 1
    assert Receipt.objects.get(uuid=key).kind == "errand"
    # a phone clock more than 7 days behind is not believed: the server's time
    late = submit(client, "errand", second_step.pk, str(uuid.uuid4()), "2026-11-01T09:00:00+08:00")
    assert late.status_code == 201
    assert ErrandStep.objects.get(pk=second_step.pk).done_at >= NOW


def test_an_errand_step_done_by_someone_else_meanwhile_is_a_409_with_both_versions(
    errand,  # noqa: F811
    world,
):
    worker = world.user("grid_worker_a")
    step = do_add_steps(errand, actor=worker, steps=[("开具证明", "村委会")])[0]
    do_complete_step(step, actor=world.user("community_a"), note="社区已代办")
    answer = submit(
        client_as(worker), "errand", step.pk, str(uuid.uuid4()), "2026-12-04T09:30:00+08:00"
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["conflict"] is True
    staff = world.user("community_a")
    assert body["error"] == (
        f"{errand.number} 的步骤“开具证明”已由 {staff} 登记为已办（您离线期间），本条未保存"
    )
    assert body["mine"]["visited_at"].startswith("2026-12-04T09:30")
    assert body["theirs"]["notes"] == "社区已代办" and body["theirs"]["visitor"] == str(staff)
    assert body["url"] == f"/errands/{errand.pk}/"
    assert not Receipt.objects.exists()
    assert ErrandStep.objects.get(pk=step.pk).done_by == world.user("community_a")
    # another's errand (outside the scope) is not found; a bad target is refused in Chinese
    outsider = client_as(world.user("outsider_b"))
    assert (
        submit(outsider, "errand", step.pk, str(uuid.uuid4()), "2026-12-04T09:30:00+08:00")
    ).status_code == 404
    bad = submit(client_as(worker), "errand", 0, str(uuid.uuid4()), "2026-12-04T09:30:00+08:00")
    assert bad.status_code == 404
    # the errand closed meanwhile: a conflict too, the step stays as it was
    last = do_add_steps(errand, actor=worker, steps=[("回访", "电话")])[0]
    Case.objects.filter(pk=errand.pk).update(status="closed")
    closed = submit(
        client_as(worker), "errand", last.pk, str(uuid.uuid4()), "2026-12-04T09:40:00+08:00"
    )
    assert closed.status_code == 409 and closed.json()["conflict"] is True
    assert "不能再登记步骤" in closed.json()["error"]
    assert ErrandStep.objects.get(pk=last.pk).status == "todo" and not Receipt.objects.exists()


def test_a_forest_event_recorded_offline_arrives_once_with_its_photo_position_and_time(
    forest,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    ranger = forest.user("ranger1")
    patrol = forestry.do_start_patrol(forest.zone, actor=ranger)
    client = client_as(ranger)
    record, upload = uuid.uuid4(), uuid.uuid4()
    content = jpeg(seed=5)
    assert send_photo(client, upload, record, content).json()["complete"]
    fields = {
        "kind": "logging",
        "description": "发现新伐桩三处",
        "lat": str(LAT0 + 0.002),
        "lng": str(LNG0 + 0.003),
        "outbox_photos": str(upload),
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(
            client, "forest_event", patrol.pk, str(record), "2026-12-04T08:40:00+08:00", **fields
        )
    assert first.status_code == 201, first.content.decode()
    assert first.json()["url"] == f"/forest/patrols/{patrol.pk}/"
    again = submit(
        client, "forest_event", patrol.pk, str(record), "2026-12-04T08:40:00+08:00", **fields
    )
    assert again["X-Outbox-Replay"] == "1" and again.json() == first.json()
    event = ForestEvent.objects.get()
    case = event.case
    assert event.patrol == patrol and first.json()["id"] == case.pk
    assert case.created_at == dt.datetime(2026, 12, 4, 8, 40, tzinfo=SHANGHAI)
    assert CaseEvent.objects.get(case=case, from_status="").at == case.created_at
    assert case.lat == pytest.approx(LAT0 + 0.002) and case.attachments.count() == 1
    assert Upload.objects.get(uuid=upload).attached_at is not None
    # a ranger of another zone does not see the patrol; a ranger's outbox has no visits
    other = client_as(forest.user("other_ranger"))
    assert (
        submit(other, "forest_event", patrol.pk, str(uuid.uuid4()), "2026-12-04T08:40:00+08:00")
    ).status_code == 404
    visit = submit(client, "visit", 1, str(uuid.uuid4()), "2026-12-04T08:40:00+08:00")
    assert visit.status_code == 422 and "不使用「" in visit.json()["error"]
    refused = submit(
        client, "forest_event", patrol.pk, str(uuid.uuid4()), "2026-12-04T08:40:00+08:00"
    )
    assert refused.status_code == 422 and "事件类型" in refused.json()["error"]
    assert ForestEvent.objects.count() == 1 and Case.objects.filter(pk=case.pk).exists()


def test_staged_photos_no_record_took_are_deleted_after_the_retention_period(
    world, settings, django_capture_on_commit_callbacks
):
    from apps.visits.tests.helpers import friday_household_task

    party, task = friday_household_task(world)
    client = client_as(party)
    settings.OUTBOX_UPLOAD_RETENTION_DAYS = 7
    # a visit with its photo (attached), and a photo whose record never came (staged)
    taken_record, taken = uuid.uuid4(), uuid.uuid4()
    left_record, left = uuid.uuid4(), uuid.uuid4()
    content = jpeg(side=300, seed=7)
    assert send_photo(client, taken, taken_record, content).json()["complete"]
    assert send_photo(client, left, left_record, content).json()["complete"]
    half = uuid.uuid4()  # an upload cut off after its first chunk, never finished
    assert send_chunk(client, half, uuid.uuid4(), jpeg(seed=8), 0).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        visit = submit(
            client,
            "visit",
            task.pk,
            str(taken_record),
            "2026-12-04T09:00:00+08:00",
            item_0="on",
            notes="门口照片",
            outbox_photos=str(taken),
        )
    assert visit.status_code == 201, visit.content.decode()
    photo = VisitPhoto.objects.get()
    staged = Upload.objects.get(uuid=left).file.name
    assert default_storage.exists(staged)
    assert "outbox.purge_stale_uploads" in periodic_jobs()
    # six days later: nothing goes yet
    with time_machine.travel(NOW + dt.timedelta(days=6)):
        assert purge_stale_uploads() == 0
    # eight days later: the staged photo and the unfinished upload go, the visit's stays
    with (
        time_machine.travel(NOW + dt.timedelta(days=8)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert purge_stale_uploads() == 2
    assert set(Upload.objects.values_list("uuid", flat=True)) == {taken}
    assert not default_storage.exists(staged)
    assert VisitPhoto.objects.get() == photo and default_storage.exists(photo.file.name)
    audit = AuditEvent.objects.get(object_type="outbox.upload", verb="delete")
    assert audit.actor is None and audit.changes["retention_days"] == 7
    assert set(audit.changes["uploads"]) == {str(left), str(half)}
    # a later record naming the purged photo waits (425) for the phone to send it again
    with pytest.raises(PhotosPending):
        photos_for(party, left_record, [str(left)])
