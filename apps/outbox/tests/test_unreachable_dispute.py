"""未能入户 and 发现纠纷 of a household visit page through the outbox (issue 18: the last two
forms of the visit page recorded offline); through HTTP, on the outbox's frozen Friday."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest

from apps.cases.models import Case, CaseEvent
from apps.cases.tests.helpers import make_category
from apps.core.models import AuditEvent
from apps.core.testing import client_as
from apps.outbox.models import Receipt
from apps.visits.actions import do_record_unreachable, do_record_visit
from apps.visits.models import VisitRecord, VisitTask
from apps.visits.tests.helpers import friday_household_task

from .conftest import NOW
from .test_errands_forest_purge import submit

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def task(world):
    return friday_household_task(world)


def test_unreachable_recorded_offline_is_kept_once_at_the_phones_time(task):
    party, t = task
    client = client_as(party)
    key = str(uuid.uuid4())
    first = submit(client, "unreachable", t.pk, key, "2026-12-04T08:40:00+08:00", reason="家中无人")
    assert first.status_code == 201, first.content.decode()
    assert first.json()["message"] == "已记录未能入户：101室（不计为已走访）"
    assert first.json()["url"] == "/visits/"
    again = submit(client, "unreachable", t.pk, key, "2026-12-04T08:40:00+08:00", reason="改了")
    assert again.status_code == 201 and again["X-Outbox-Replay"] == "1"
    assert again.json() == first.json()
    record = VisitRecord.objects.get(task=t)
    assert record.pk == first.json()["id"] and not record.reached
    assert record.reason == "家中无人" and record.visitor == party
    assert record.visited_at == dt.datetime(2026, 12, 4, 8, 40, tzinfo=SHANGHAI)
    t.refresh_from_db()
    assert t.status == "unreachable" and t.reason == "家中无人" and t.done_at is None
    assert t.events.filter(to_status="unreachable").count() == 1
    assert AuditEvent.objects.filter(object_type="visits.visittask", verb="update").count() == 1
    assert Receipt.objects.get(uuid=key).kind == "unreachable"
    # a second attempt: a phone clock more than 7 days behind is not believed (server's time)
    late = submit(
        client, "unreachable", t.pk, str(uuid.uuid4()), "2026-11-20T18:00:00+08:00", reason="外出"
    )
    assert late.status_code == 201
    assert VisitRecord.objects.get(pk=late.json()["id"]).visited_at >= NOW
    # the task is still open: the visit that follows is recorded and the task is done
    visit = submit(
        client, "visit", t.pk, str(uuid.uuid4()), "2026-12-04T09:30:00+08:00", notes="补访"
    )
    assert visit.status_code == 201, visit.content.decode()
    assert VisitTask.objects.get(pk=t.pk).status == "done"


def test_an_older_attempt_arriving_late_is_kept_without_replacing_the_tasks_reason(world, task):
    party, t = task
    do_record_unreachable(t, actor=world.user("community_a"), reason="电话无人接听")
    # another's attempt meanwhile is no conflict: both attempts happened
    answer = submit(
        client_as(party), "unreachable", t.pk, str(uuid.uuid4()), "2026-12-04T07:30:00+08:00",
        reason="敲门无人",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content.decode()
    reasons = list(VisitRecord.objects.filter(task=t).order_by("visited_at").values_list("reason"))
    assert reasons == [("敲门无人",), ("电话无人接听",)]
    assert VisitTask.objects.get(pk=t.pk).reason == "电话无人接听"  # the latest attempt's


def test_unreachable_on_a_task_visited_or_closed_meanwhile_is_a_409_with_both_versions(world, task):
    party, t = task
    staff = world.user("community_a")
    do_record_visit(t, actor=staff, notes="社区已上门")
    answer = submit(
        client_as(party), "unreachable", t.pk, str(uuid.uuid4()), "2026-12-04T08:40:00+08:00",
        reason="家中无人", outbox_base="due",
    )  # fmt: skip
    assert answer.status_code == 409
    body = answer.json()
    assert body["conflict"] is True
    assert body["error"] == "101室的走访任务已是“已走访”（您离线期间），未能入户未保存"
    assert body["mine"] == {
        "visited_at": "2026-12-04T08:40:00+08:00",
        "notes": "家中无人",
        "base": "due",
    }
    assert body["theirs"]["status"] == "已走访" and body["theirs"]["notes"] == "社区已上门"
    assert body["theirs"]["visitor"] == str(staff)
    assert body["url"] == f"/visits/tasks/{t.pk}/"
    assert VisitRecord.objects.filter(task=t).count() == 1 and not Receipt.objects.exists()
    assert VisitTask.objects.get(pk=t.pk).status == "done"
    # the window closed meanwhile (逾期未访): a conflict too, nothing kept
    VisitTask.objects.filter(pk=t.pk).update(status="missed")
    missed = submit(
        client_as(party), "unreachable", t.pk, str(uuid.uuid4()), "2026-12-04T08:40:00+08:00",
        reason="家中无人",
    )  # fmt: skip
    assert missed.status_code == 409 and "逾期未访" in missed.json()["error"]
    assert VisitRecord.objects.filter(task=t).count() == 1 and not Receipt.objects.exists()


def test_unreachable_refusals_in_chinese_and_nothing_kept(world, task):
    party, t = task
    empty = submit(
        client_as(party), "unreachable", t.pk, str(uuid.uuid4()), "2026-12-04T08:40:00+08:00"
    )
    assert empty.status_code == 422 and "未能入户原因" in empty.json()["error"]
    outsider = submit(
        client_as(world.user("outsider_b")), "unreachable", t.pk, str(uuid.uuid4()),
        "2026-12-04T08:40:00+08:00", reason="家中无人",
    )  # fmt: skip
    assert outsider.status_code == 404
    assert not VisitRecord.objects.exists() and not Receipt.objects.exists()
    assert VisitTask.objects.get(pk=t.pk).status == t.status  # unchanged


def test_a_dispute_found_offline_is_registered_once_dated_by_the_phone(world, task):
    party, t = task
    client = client_as(party)
    category = make_category()

    def dispute(captured: str, key: str | None = None, **extra: str):
        return submit(
            client, "dispute", t.pk, key or str(uuid.uuid4()), captured,
            **{"dispute-category": str(category.pk), "dispute-title": "邻里漏水纠纷", **extra},
        )  # fmt: skip

    key = str(uuid.uuid4())
    first = dispute("2026-12-04T08:05:00+08:00", key, **{"dispute-description": "楼上漏水"})
    assert first.status_code == 201, first.content.decode()
    case = Case.objects.get(pk=first.json()["id"])
    assert first.json()["message"] == f"纠纷已登记：{case.number}"
    assert first.json()["url"] == f"/visits/tasks/{t.pk}/"
    again = dispute("2026-12-04T08:05:00+08:00", key, **{"dispute-title": "改过的"})
    assert again.status_code == 201 and again["X-Outbox-Replay"] == "1"
    assert again.json() == first.json() and Case.objects.count() == 1
    assert case.kind == "dispute" and case.source == "visit" and case.title == "邻里漏水纠纷"
    assert case.description == "楼上漏水" and case.place == world.household_a
    assert t.cases.filter(pk=case.pk).exists() and case.attributes["visit_task"] == t.pk
    assert case.created_at == NOW - dt.timedelta(hours=1, minutes=55)
    assert CaseEvent.objects.get(case=case, from_status="").at == case.created_at
    assert Receipt.objects.get(uuid=key).kind == "dispute"
    # older than 7 days: a wrong clock, the server's time
    late = dispute("2026-11-20T08:00:00+08:00")
    assert Case.objects.get(pk=late.json()["id"]).created_at >= NOW
    # a dispute found on a task visited meanwhile is still registered (as 登记诉求)
    do_record_visit(t, actor=world.user("community_a"))
    after = dispute("2026-12-04T09:00:00+08:00")
    assert after.status_code == 201 and Case.objects.filter(kind="dispute").count() == 3
    # refusals: a form error with its field's name, another scope's task; nothing kept
    receipts = Receipt.objects.count()
    bad = dispute("2026-12-04T09:00:00+08:00", **{"dispute-title": ""})
    assert bad.status_code == 422 and "纠纷简述" in bad.json()["error"]
    outsider = submit(
        client_as(world.user("outsider_b")), "dispute", t.pk, str(uuid.uuid4()),
        "2026-12-04T09:00:00+08:00", **{"dispute-category": str(category.pk), "dispute-title": "x"},
    )  # fmt: skip
    assert outsider.status_code == 404
    assert Receipt.objects.count() == receipts and Case.objects.filter(kind="dispute").count() == 3
