"""The compact offline sync and the chunked, resumable photo uploads through HTTP (issue 18,
items 2 and 4; ADR 0059, 0060), and the need and case intake dated by the phone's time."""

import datetime as dt
import gzip
import hashlib
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from apps.cases.actions import do_create_case
from apps.cases.models import Case, CaseEvent
from apps.cases.tests.helpers import make_category
from apps.core.testing import client_as
from apps.core.testing.factories import PersonFactory
from apps.outbox.models import Receipt, Upload, UploadChunk
from apps.visits.models import VisitPhoto, VisitRecord
from apps.visits.tests.helpers import friday_household_task

from .conftest import NOW

pytestmark = pytest.mark.django_db
HEADERS = {"HTTP_X_GONGZHI_OUTBOX": "1"}
CHUNK = 64 * 1024


@pytest.fixture
def task(world):
    return friday_household_task(world)


def jpeg(side: int = 900, seed: int = 1) -> bytes:
    """A photo whose JPEG is a few chunks long (noise does not compress)."""
    image = Image.frombytes(
        "RGB", (side, side), hashlib.shake_256(bytes([seed])).digest(side * side * 3)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def send_chunk(client, upload, record, content: bytes, index: int, extra=None):
    part = content[index * CHUNK : (index + 1) * CHUNK]
    data = {
        "upload": str(upload),
        "record": str(record),
        "filename": "门口.jpg",
        "size": str(len(content)),
        "chunk_size": str(CHUNK),
        "index": str(index),
        "sha256": hashlib.sha256(part).hexdigest(),
        "chunk": SimpleUploadedFile("chunk", part, "application/octet-stream"),
    }
    data.update(extra or {})
    return client.post("/outbox/upload/", data, **HEADERS)


def test_the_sync_holds_the_workers_own_tasks_households_members_tags_and_cases(world, task):
    party, t = task
    PersonFactory(name="张奶奶", place=world.household_a)
    do_create_case(
        actor=world.user("community_a"),
        category=make_category(),
        place=world.household_a,
        title="门前路灯坏了",
    )
    client = client_as(party)
    answer = client.get("/outbox/sync/", HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status_code == 200 and answer["Content-Encoding"] == "gzip"
    doc = json.loads(gzip.decompress(answer.content))
    assert doc["v"] == 1 and doc["user"] == "party_a"
    assert [row[0] for row in doc["tasks"]] == [t.pk]
    assert doc["places"][str(world.household_a.pk)][0] == "101室"
    assert doc["plans"][str(t.plan_id)] == ["周五入户", ["政策宣传"]]
    assert "张奶奶" in [p[1] for p in doc["people"]]
    assert [c[3] for c in doc["cases"]] == ["门前路灯坏了"]
    # the same data again: 304, no body
    again = client.get("/outbox/sync/", HTTP_IF_NONE_MATCH=answer["ETag"])
    assert again.status_code == 304 and again.content == b""
    # another worker gets none of it
    other = client_as(world.user("outsider_b")).get("/outbox/sync/").json()
    assert other["tasks"] == [] and other["people"] == [] and other["cases"] == []
    assert Client().get("/outbox/sync/").status_code == 401


def test_a_photo_in_chunks_resumes_with_the_missing_ones_and_arrives_with_its_visit(
    task, django_capture_on_commit_callbacks
):
    party, t = task
    client = client_as(party)
    record, upload = uuid.uuid4(), uuid.uuid4()
    content = jpeg()
    count = -(-len(content) // CHUNK)
    assert count >= 3
    for index in (0, 2):  # the network dropped after these
        assert send_chunk(client, upload, record, content, index).status_code == 200
    state = client.get(f"/outbox/upload/{upload}/").json()
    assert state["received"] == [0, 2] and state["complete"] is False
    # a chunk sent twice is kept once
    assert send_chunk(client, upload, record, content, 0).json()["received"] == [0, 2]
    for index in range(count):
        if index not in state["received"]:
            answer = send_chunk(client, upload, record, content, index)
    assert answer.json()["complete"] is True
    kept = Upload.objects.get(uuid=upload)
    assert (
        kept.received == count and kept.posts == count + 1 and kept.file.name.startswith("outbox/")
    )
    assert not UploadChunk.objects.exists()
    # a staged photo is never served, by anyone
    assert client.get(f"/media/{kept.file.name}").status_code == 404

    data = {
        "outbox_uuid": str(record),
        "outbox_kind": "visit",
        "outbox_target": str(t.pk),
        "outbox_base": "due",
        "outbox_captured_at": "2026-12-04T09:12:30+08:00",
        "item_0": "on",
        "notes": "带照片",
        "outbox_photos": [str(upload)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/outbox/submit/", data, **HEADERS)
    assert created.status_code == 201, created.content.decode()
    photo = VisitPhoto.objects.get(record__task=t)
    assert photo.size == len(content) and photo.content_type == "image/jpeg"
    assert client.get(photo.file.url).status_code == 200  # through the visits' access check
    assert Upload.objects.get(uuid=upload).attached_at is not None
    assert not kept.file.storage.exists(kept.file.name)  # the staged copy is gone


def test_a_visit_whose_photos_are_not_all_in_waits(task):
    party, t = task
    client = client_as(party)
    record, upload = uuid.uuid4(), uuid.uuid4()
    content = jpeg(seed=2)
    send_chunk(client, upload, record, content, 0)
    data = {
        "outbox_uuid": str(record),
        "outbox_kind": "visit",
        "outbox_target": str(t.pk),
        "outbox_captured_at": "2026-12-04T09:12:30+08:00",
        "outbox_photos": [str(upload)],
    }
    answer = client.post("/outbox/submit/", data, **HEADERS)
    assert answer.status_code == 425 and "1 张照片未传完" in answer.json()["error"]
    assert not VisitRecord.objects.exists() and not Receipt.objects.exists()


def test_chunks_are_checked(world, task):
    party, _t = task
    client = client_as(party)
    record, upload = uuid.uuid4(), uuid.uuid4()
    content = jpeg(seed=3)
    broken = send_chunk(client, upload, record, content, 0, {"sha256": "0" * 64})
    assert broken.status_code == 422 and "校验和不符" in broken.json()["error"]
    huge = send_chunk(client, upload, record, content, 0, {"size": str(9 * 1024 * 1024)})
    assert huge.status_code == 422 and "照片不能超过 8 MB" in huge.json()["error"]
    beyond = send_chunk(client, upload, record, content, 0, {"index": "99"})
    assert beyond.status_code == 422 and "超出范围" in beyond.json()["error"]
    # not an image: refused when assembled
    text = b"not a photo at all" * 10
    upload2 = uuid.uuid4()
    answer = client.post(
        "/outbox/upload/",
        {
            "upload": str(upload2),
            "record": str(record),
            "filename": "a.jpg",
            "size": str(len(text)),
            "chunk_size": str(CHUNK),
            "index": "0",
            "sha256": hashlib.sha256(text).hexdigest(),
            "chunk": SimpleUploadedFile("chunk", text),
        },
        **HEADERS,
    )
    assert answer.status_code == 422 and "不是有效的图片" in answer.json()["error"]
    assert not Upload.objects.filter(uuid=upload2).exists()
    # someone else's upload: neither readable nor writable
    send_chunk(client, upload, record, content, 0)
    other = client_as(world.user("community_a"))
    assert other.get(f"/outbox/upload/{upload}/").status_code == 403
    assert send_chunk(other, upload, record, content, 1).status_code == 403
    # without the outbox header (a cross-site form): refused
    assert client.post("/outbox/upload/", {}).status_code == 403


def test_a_need_recorded_offline_is_dated_by_the_phone_within_seven_days(task):
    party, t = task
    client = client_as(party)
    category = make_category()

    def need(captured: str) -> Case:
        key = str(uuid.uuid4())
        answer = client.post(
            "/outbox/submit/",
            {
                "outbox_uuid": key,
                "outbox_kind": "need",
                "outbox_target": str(t.pk),
                "outbox_captured_at": captured,
                "category": str(category.pk),
                "title": "想申请居家养老服务",
            },
            **HEADERS,
        )
        assert answer.status_code == 201, answer.content.decode()
        again = client.post(
            "/outbox/submit/",
            {"outbox_uuid": key, "outbox_kind": "need", "outbox_captured_at": captured},
            **HEADERS,
        )
        assert again["X-Outbox-Replay"] == "1"
        return Case.objects.get(pk=answer.json()["id"])

    case = need("2026-12-04T08:05:00+08:00")
    assert case.created_at == NOW - dt.timedelta(hours=1, minutes=55)
    assert CaseEvent.objects.get(case=case, from_status="").at == case.created_at
    assert case.respond_by < NOW + dt.timedelta(days=30) and t.cases.filter(pk=case.pk).exists()
    late = need("2026-11-20T08:00:00+08:00")  # older than 7 days: a wrong clock
    assert late.created_at >= NOW
    ahead = need("2026-12-05T08:00:00+08:00")  # in the future: the server's time
    assert NOW <= ahead.created_at < NOW + dt.timedelta(minutes=1)


def test_a_hazard_and_its_reinspection_recorded_offline_keep_the_phones_times(
    task, django_capture_on_commit_callbacks
):
    from apps.visits.models import VisitTask

    party, t = task
    client = client_as(party)
    category = make_category()
    found = client.post(
        "/outbox/submit/",
        {
            "outbox_uuid": str(uuid.uuid4()),
            "outbox_kind": "hazard",
            "outbox_target": str(t.pk),
            "outbox_captured_at": "2026-12-04T09:00:00+08:00",
            "hazard-category": str(category.pk),
            "hazard-title": "楼道堆放杂物",
            "hazard-deadline": "2026-12-05",
        },
        **HEADERS,
    )
    assert found.status_code == 201, found.content.decode()
    hazard = Case.objects.get(pk=found.json()["id"])
    assert hazard.kind == "hazard" and hazard.created_at == NOW - dt.timedelta(hours=1)
    reinspect = VisitTask.objects.get(kind="reinspect", place=t.place)
    record, upload = uuid.uuid4(), uuid.uuid4()
    content = jpeg(seed=5)
    for index in range(-(-len(content) // CHUNK)):
        send_chunk(client, upload, record, content, index)
    data = {
        "outbox_uuid": str(record),
        "outbox_kind": "reinspect",
        "outbox_target": str(reinspect.pk),
        "outbox_base": reinspect.status,
        "outbox_captured_at": "2026-12-04T09:40:00+08:00",
        "rectified": "yes",
        "notes": "已清理",
        "outbox_photos": [str(upload)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/outbox/submit/", data, **HEADERS)
    assert done.status_code == 201, done.content.decode()
    visit = VisitRecord.objects.get(task=reinspect)
    assert visit.visited_at == NOW - dt.timedelta(minutes=20) and visit.photos.count() == 1
    again = client.post("/outbox/submit/", {**data, "outbox_uuid": str(uuid.uuid4())}, **HEADERS)
    assert again.status_code == 409 and again.json()["conflict"] is True


def test_a_care_contact_recorded_offline_is_kept_once_with_its_need(world):
    from apps.care.actions import do_create_pairing
    from apps.care.models import Contact
    from apps.core.testing.factories import OrganisationFactory, make_user

    child = PersonFactory(name="刘小明", place=world.household_a, relation="grandchild")
    teacher = PersonFactory(name="陈老师", place=world.grid_a)
    teacher_user = make_user("teacher_a", "volunteer", world.community_a, person=teacher)
    school = OrganisationFactory(kind="school", name="红门小学", place=world.community_a)
    pairing = do_create_pairing(
        actor=world.user("community_a"), person=child, carer=teacher, school=school
    )
    category = make_category()
    data = {
        "outbox_uuid": str(uuid.uuid4()),
        "outbox_kind": "care",
        "outbox_target": str(pairing.pk),
        "outbox_captured_at": "2026-12-04T08:30:00+08:00",
        "kind": "home_visit",
        "contacted_on": "2026-12-04",
        "notes": "学习用品缺",
        "need_category": str(category.pk),
        "need_title": "需要课外辅导",
    }
    client = client_as(teacher_user)
    first = client.post("/outbox/submit/", data, **HEADERS)
    assert first.status_code == 201, first.content.decode()
    again = client.post("/outbox/submit/", data, **HEADERS)
    assert again["X-Outbox-Replay"] == "1" and Contact.objects.count() == 1
    case = Case.objects.get(title="需要课外辅导")
    assert case.created_at == NOW - dt.timedelta(hours=1, minutes=30)
    assert first.json()["url"] == f"/care/pairings/{pairing.pk}/"


def test_a_grid_workers_case_arrives_with_its_photo_on_its_first_step(world, task):
    """登记事项 on patrol: the photo goes up in chunks, the case takes it on its first step,
    and a replay of the same entry adds no second photo."""
    grid = world.user("grid_worker_a")
    client = client_as(grid)
    category = make_category()
    record, upload = uuid.uuid4(), uuid.uuid4()
    content = jpeg(seed=7)
    for index in range(-(-len(content) // CHUNK)):
        send_chunk(client, upload, record, content, index)
    data = {
        "outbox_uuid": str(record),
        "outbox_kind": "case",
        "outbox_captured_at": "2026-12-04T09:30:00+08:00",
        "category": str(category.pk),
        "kind": "hazard",
        "source": "patrol",
        "priority": "normal",
        "title": "井盖松动",
        "area": str(world.grid_a.pk),
        "outbox_photos": [str(upload)],
    }
    done = client.post("/outbox/submit/", data, **HEADERS)
    assert done.status_code == 201, done.content.decode()
    case = Case.objects.get(pk=done.json()["id"])
    photo = case.attachments.get()
    assert photo.event == case.events.order_by("pk").first() and photo.uploaded_by == grid
    again = client.post("/outbox/submit/", data, **HEADERS)
    assert again.json() == done.json() and case.attachments.count() == 1
