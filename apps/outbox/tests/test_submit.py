"""The outbox's receiving end through HTTP (issue 18, item 3): each client UUID is accepted
once and a replay returns the first answer; a conflicting edit is a 409 with both versions;
refusals, logins, other accounts and other sites are answered in Chinese, nothing recorded."""

import datetime as dt
import threading
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client

from apps.cases.models import Case
from apps.cases.tests.helpers import make_category
from apps.core.testing import client_as
from apps.outbox.models import Receipt
from apps.visits.actions import do_record_visit
from apps.visits.models import VisitRecord
from apps.visits.tests.helpers import friday_household_task

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = {"HTTP_X_GONGZHI_OUTBOX": "1"}


@pytest.fixture
def task(world):
    return friday_household_task(world)


def visit(task_pk: int, key: str, **extra: str) -> dict[str, str]:
    return {
        "outbox_uuid": key,
        "outbox_kind": "visit",
        "outbox_target": str(task_pk),
        "outbox_base": "due",
        "outbox_captured_at": "2026-12-04T09:12:30+08:00",
        "item_0": "on",
        "notes": "老人身体好，宣传了医保政策",
        "lng": "115.35",
        "lat": "26.33",
        **extra,
    }


def test_a_visit_is_recorded_once_with_its_original_time_and_a_replay_gets_the_first_answer(
    task,
):
    party, t = task
    client = client_as(party)
    key = str(uuid.uuid4())
    first = client.post("/outbox/submit/", visit(t.pk, key, outbox_user="party_a"), **HEADERS)
    assert first.status_code == 201, first.content.decode()
    assert first.json()["message"] == "已登记走访：101室"
    again = client.post("/outbox/submit/", visit(t.pk, key, notes="改过的文字"), **HEADERS)
    assert again.status_code == 201
    assert again.json() == first.json() and again["X-Outbox-Replay"] == "1"
    record = VisitRecord.objects.get(task=t)
    assert record.visited_at == dt.datetime(2026, 12, 4, 9, 12, 30, tzinfo=SHANGHAI)
    assert record.notes == "老人身体好，宣传了医保政策" and record.answers == {"政策宣传": True}
    assert (record.lng, record.lat) == (115.35, 26.33)
    receipt = Receipt.objects.get(uuid=key)
    assert receipt.status == 201 and receipt.user == party and receipt.answer == first.json()


def test_a_visit_edited_by_someone_else_meanwhile_is_a_409_with_both_versions(world, task):
    party, t = task
    do_record_visit(t, actor=world.user("community_a"), notes="社区已上门")
    answer = client_as(party).post("/outbox/submit/", visit(t.pk, str(uuid.uuid4())), **HEADERS)
    assert answer.status_code == 409
    body = answer.json()
    assert body["conflict"] is True and "已走访" in body["error"]
    assert body["mine"]["notes"] == "老人身体好，宣传了医保政策"
    assert body["mine"]["visited_at"].startswith("2026-12-04T09:12:30")
    assert body["theirs"]["notes"] == "社区已上门" and body["theirs"]["visitor"]
    assert body["url"] == f"/visits/tasks/{t.pk}/"
    assert VisitRecord.objects.filter(task=t).count() == 1 and not Receipt.objects.exists()


def test_a_case_intake_is_registered_once(world, task):
    staff = world.user("community_a")
    client = client_as(staff)
    category = make_category()
    key = str(uuid.uuid4())
    data = {
        "outbox_uuid": key,
        "outbox_kind": "case",
        "outbox_captured_at": "2026-12-04T09:30:00+08:00",
        "category": str(category.pk),
        "kind": "need",
        "source": "visit",
        "priority": "normal",
        "title": "楼道灯不亮",
        "area": str(world.community_a.pk),
    }
    before = Case.objects.count()
    first = client.post("/outbox/submit/", data, **HEADERS)
    assert first.status_code == 201, first.content.decode()
    again = client.post("/outbox/submit/", data, **HEADERS)
    assert again.json() == first.json() and again["X-Outbox-Replay"] == "1"
    assert Case.objects.count() == before + 1
    assert first.json()["url"] == f"/cases/{first.json()['id']}/"


def test_refusals_in_chinese_and_nothing_kept(world, task):
    party, t = task
    client = client_as(party)
    bad_time = client.post(
        "/outbox/submit/", visit(t.pk, str(uuid.uuid4()), outbox_captured_at="x"), **HEADERS
    )
    assert bad_time.status_code == 422 and "本机记录时间" in bad_time.json()["error"]
    no_uuid = client.post("/outbox/submit/", visit(t.pk, "123"), **HEADERS)
    assert no_uuid.status_code == 422 and "记录编号" in no_uuid.json()["error"]
    bad_lng = client.post("/outbox/submit/", visit(t.pk, str(uuid.uuid4()), lng="500"), **HEADERS)
    assert bad_lng.status_code == 422 and bad_lng.json()["error"].startswith("lng：") is False
    assert "500" in bad_lng.json()["error"] or "180" in bad_lng.json()["error"]
    other = client_as(world.user("outsider_b"))
    hidden = other.post("/outbox/submit/", visit(t.pk, str(uuid.uuid4())), **HEADERS)
    assert hidden.status_code == 404 and "范围" in hidden.json()["error"]
    assert not VisitRecord.objects.exists() and not Receipt.objects.exists()


def test_logins_other_accounts_and_other_sites(world, task):
    party, t = task
    key = str(uuid.uuid4())
    anonymous = Client().post("/outbox/submit/", visit(t.pk, key), **HEADERS)
    assert anonymous.status_code == 401 and "登录" in anonymous.json()["error"]
    client = client_as(party)
    no_header = client.post("/outbox/submit/", visit(t.pk, key))
    assert no_header.status_code == 403
    cross = client.post(
        "/outbox/submit/", visit(t.pk, key), HTTP_ORIGIN="https://evil.example", **HEADERS
    )
    assert cross.status_code == 403
    wrong_owner = client.post("/outbox/submit/", visit(t.pk, key, outbox_user="grid_a"), **HEADERS)
    assert wrong_owner.status_code == 403 and wrong_owner.json()["wrong_user"] is True
    assert client.post("/outbox/submit/", visit(t.pk, key), **HEADERS).status_code == 201
    # the same UUID from another account: refused, the first record stands
    staff = client_as(world.user("community_a"))
    stolen = staff.post("/outbox/submit/", visit(t.pk, key), **HEADERS)
    assert stolen.status_code == 409 and VisitRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_uuid_at_the_same_moment_is_recorded_once(world, task):
    party, t = task
    key = str(uuid.uuid4())
    answers: list[int] = []

    def post() -> None:
        try:
            answers.append(
                client_as(party).post("/outbox/submit/", visit(t.pk, key), **HEADERS).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201] * 4
    assert VisitRecord.objects.filter(task=t).count() == 1 and Receipt.objects.count() == 1


def test_the_service_worker_and_manifest_are_served_from_the_root(client):
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Cache-Control"] == "no-cache"
    body = sw.content.decode()
    assert "__VERSION__" not in body and 'importScripts("/static/field/outbox.js?v=' in body
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/visits/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_a_new_deployment_renames_the_caches(client, settings):
    before = client.get("/sw.js").content.decode()
    settings.GONGZHI_APP_VERSION = "2026-12-05"
    after = client.get("/sw.js").content.decode()
    version = [line for line in before.splitlines() if line.startswith("var VERSION")]
    assert version and version[0] not in after
