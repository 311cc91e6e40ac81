"""Forestry through the HTTP layer: the landing page, the zone page, the patrol API (batches,
resend, pause/resume/finish, errors in Chinese), events with a photo, GPX upload refused with
a clear error, signboards (PDF with the QR's URL), the QR report on the resident portal reaching
the zone's chief, the planting ledger, scope."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from apps.cases.models import Case
from apps.core.testing import client_as
from apps.forestry import actions
from apps.forestry.models import ForestEvent, Patrol, Planting, Signboard, TrackBatch
from apps.notifications.models import Notification

from .conftest import LAT0, LNG0

pytestmark = pytest.mark.django_db
M_LAT = 1 / 111_195.0


def batch(t0: float, n: int, start: int = 0) -> list:
    return [
        [(t0 + 15 * k) * 1000, LAT0 + (start + k) * 18 * M_LAT, LNG0 + 0.005, 6] for k in range(n)
    ]


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_forest_roles_land_on_the_forest_page(forest):
    for name in ("ranger1", "village_chief"):
        response = client_as(forest.user(name)).get("/", follow=True)
        assert response.redirect_chain[-1][0] == "/forest/"
        assert "我的巡林任务" in response.content.decode()


def test_phone_patrol_through_the_api(forest):
    ranger = forest.user("ranger1")
    actions.generate_patrol_tasks(timezone.localdate())
    client = client_as(ranger)
    page = client.get(f"/forest/zones/{forest.zone.pk}/")
    assert page.status_code == 200 and "开始巡护" in page.content.decode()
    started = client.post(f"/forest/zones/{forest.zone.pk}/start/")
    patrol = Patrol.objects.get()
    assert started.url == f"/forest/patrols/{patrol.pk}/"
    html = client.get(started.url).content.decode()
    assert "zone-geometry" in html and "echarts.min.js" in html and "结束巡护" in html
    api = f"/api/v1/forest/patrols/{patrol.pk}"
    t0 = timezone.now().timestamp()
    first = post_json(client, f"{api}/points", {"key": "k1", "points": batch(t0, 120)})
    assert first.status_code == 200 and first.json() == {"received": 120, "stored": True}
    again = post_json(client, f"{api}/points", {"key": "k1", "points": batch(t0, 120)})
    assert again.json()["stored"] is False
    bad = post_json(client, f"{api}/points", {"key": "k2", "points": [[t0, 26.9, 999]]})
    assert bad.status_code == 422 and "经度 999.0 超出范围" in bad.json()["detail"][0]["msg"]
    assert post_json(client, f"{api}/pause", {}).json()["status"] == "paused"
    assert post_json(client, f"{api}/resume", {}).json()["status"] == "active"
    post_json(client, f"{api}/points", {"key": "k3", "points": batch(t0 + 1800, 150, start=120)})
    live = client.get(api).json()
    assert live["distance_m"] > 4000 and live["status"] == "active"
    done = post_json(client, f"{api}/finish", {}).json()
    assert done["status"] == "finished"
    assert abs(done["distance_m"] - 269 * 18) < 0.02 * 269 * 18
    assert done["duration_s"] > 3600  # the ranger rule asks for an hour
    assert TrackBatch.objects.filter(patrol=patrol).count() == 2
    home = client.get("/forest/").content.decode()
    assert "已巡护" in home


def test_other_zone_patrol_is_404_and_readers_cannot_walk(forest, world):
    patrol = actions.do_start_patrol(forest.zone, actor=forest.user("ranger1"))
    other = client_as(forest.user("other_ranger"))
    assert other.get(f"/forest/patrols/{patrol.pk}/").status_code == 404
    r = post_json(other, f"/api/v1/forest/patrols/{patrol.pk}/points", {"key": "x", "points": []})
    assert r.status_code == 404
    leader = client_as(world.user("county_leader"))
    assert leader.get(f"/forest/patrols/{patrol.pk}/").status_code == 200
    r = post_json(
        leader,
        f"/api/v1/forest/patrols/{patrol.pk}/points",
        {"key": "x", "points": batch(timezone.now().timestamp(), 3)},
    )
    assert r.status_code == 403 and "只有林长和护林员" in r.json()["detail"]
    assert client_as(world.user("volunteer_a")).get("/forest/").status_code == 403


def png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return SimpleUploadedFile("smoke.png", buffer.getvalue(), "image/png")


def test_event_on_patrol_becomes_a_case_the_chief_can_open(
    forest, django_capture_on_commit_callbacks
):
    ranger = forest.user("ranger1")
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    client = client_as(ranger)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/forest/patrols/{patrol.pk}/event/",
            {
                "kind": "logging",
                "description": "发现新伐桩三处",
                "lat": LAT0 + 0.002,
                "lng": LNG0 + 0.003,
                "photo": png(),
            },
        )
    assert r.status_code == 302
    event = ForestEvent.objects.get()
    assert event.case.attachments.count() == 1 and event.case.lat == pytest.approx(LAT0 + 0.002)
    chief = client_as(forest.user("village_chief"))
    assert chief.get(f"/forest/events/{event.pk}/").url == f"/cases/{event.case_id}/"
    assert chief.get(f"/cases/{event.case_id}/").status_code == 200
    assert Notification.objects.filter(recipient=forest.user("village_chief")).exists()
    refused = client.post(f"/forest/patrols/{patrol.pk}/event/", {"kind": "nonsense"})
    assert refused.status_code == 422 and ForestEvent.objects.count() == 1


def test_gpx_upload_refused_with_the_problem_named(forest):
    ranger = forest.user("ranger1")
    client = client_as(ranger)
    r = client.post(
        f"/forest/zones/{forest.zone.pk}/gpx/",
        {"file": SimpleUploadedFile("x.gpx", b"<gpx><trk><trkseg><trkpt lat='1' lon='2'>")},
    )
    assert r.status_code == 422
    assert "GPX 文件不是有效的 XML" in r.content.decode()
    assert not Patrol.objects.exists()


def test_signboard_pdf_and_qr_report_reaches_the_zone_chief(
    forest, world, django_capture_on_commit_callbacks
):
    chief = client_as(forest.user("town_chief"))
    r = chief.post(
        "/forest/signboards/", {"zone": forest.zone.pk, "code": "JS-LZ-001", "location": "村口"}
    )
    assert r.status_code == 302
    board = Signboard.objects.get()
    page = chief.get("/forest/signboards/").content.decode()
    assert "需重印" in page
    pdf = chief.get(f"/forest/signboards/pdf/?board={board.code}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    board.refresh_from_db()
    assert (
        board.printed_at is not None
        and "需重印" not in chief.get("/forest/signboards/").content.decode()
    )
    # the QR's URL: the resident portal's report page with the zone filled in
    from apps.forestry.pdf import report_path

    url = report_path(board)
    resident = Client()
    form = resident.get(url)
    assert form.status_code == 200 and forest.zone.name in form.content.decode()
    token = form.context["form"].initial["form_token"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = resident.post(
            url.split("?")[0],
            {
                "description": "林子里有人烧纸，有火星",
                "phone": "13912345678",
                "name": "王",
                "place_code": forest.zone.code,
                "form_token": token,
            },
        )
    assert sent.status_code == 302, sent.content.decode()[:500]
    case = Case.objects.get(place=forest.zone)
    event = ForestEvent.objects.get(case=case)
    assert event.routed_level == "forest_chief_village"
    assert Notification.objects.filter(
        recipient=forest.user("village_chief"), object_id=str(case.pk)
    ).exists()
    # routed by rule on the portal too: the town's dispatchers are not asked to accept it
    assert not Notification.objects.filter(
        recipient=world.user("town_staff"), object_id=str(case.pk)
    ).exists()


def test_signboard_code_taken_is_refused_beside_the_field(forest):
    chief = client_as(forest.user("town_chief"))
    chief.post("/forest/signboards/", {"zone": forest.zone.pk, "code": "A1"})
    r = chief.post("/forest/signboards/", {"zone": forest.zone.pk, "code": "A1"})
    assert r.status_code == 422 and "编号 A1 已被使用" in r.content.decode()


def test_planting_ledger_page(forest):
    chief = client_as(forest.user("town_chief"))
    r = chief.post(
        "/forest/planting/",
        {
            "zone": forest.zone.pk,
            "kind": "camellia",
            "area_mu": "30",
            "count": "6000",
            "species": "油茶",
            "date": "2026-03-12",
        },
    )
    assert r.status_code == 302
    assert Planting.objects.get().count == 6000
    page = chief.get("/forest/planting/").content.decode()
    assert "油茶种植 30.0亩" in page
    bad = chief.post(
        "/forest/planting/",
        {"zone": forest.zone.pk, "kind": "camellia", "area_mu": "x", "species": "", "date": ""},
    )
    assert bad.status_code == 422 and "面积应为不小于0的数字" in bad.content.decode()
    # the year's 国家储备林 target beside the ledger, its progress read from the ledger
    actions.do_set_planting_target(
        forest.zone, actor=forest.user("town_chief"), year=2026, area_mu="60"
    )
    chief.post(
        "/forest/planting/",
        {
            "zone": forest.zone.pk,
            "kind": "reserve",
            "area_mu": "15",
            "count": "0",
            "species": "杉木",
            "date": "2026-04-01",
        },
    )
    page = chief.get("/forest/planting/").content.decode()
    assert "2026年国家储备林任务" in page
    assert "<td>60.0</td><td>15.0</td><td>25%</td>" in page


def test_scope_village_chief_sees_only_their_zone(forest, world):
    actions.do_start_patrol(forest.other_zone, actor=forest.user("other_ranger"))
    actions.do_start_patrol(forest.zone, actor=forest.user("ranger1"))
    village = client_as(forest.user("village_chief")).get("/forest/").content.decode()
    assert "潋江镇第一林区" in village and "潋江镇第二林区" not in village
    county = client_as(forest.user("county_chief")).get("/forest/").content.decode()
    assert "潋江镇第二林区" in county


def test_indicators_registered_and_scoped(forest):
    from apps.stats.indicators import Scope, values

    actions.generate_patrol_tasks(dt.date(2026, 5, 14))
    scope = Scope(
        user=None, place=forest.zone, date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31)
    )
    got = values(scope, ["forest_patrol_rate", "forest_chiefs_by_level", "forest_patrol_km"])
    assert got["forest_patrol_rate"] == 0.0
    by = {r["code"]: r["n"] for r in got["forest_chiefs_by_level"]}
    assert by == {
        "ranger": 2,
        "forest_chief_village": 1,
        "forest_chief_town": 1,
        "forest_chief_county": 1,
    }


def test_village_chief_claims_and_resolves_a_fire_without_a_dispatch(
    forest, world, django_capture_on_commit_callbacks
):
    """A ranger reports a fire on patrol; the case goes straight to the zone: the zone's
    village chief 接单 and 办结 it with no dispatcher; a chief of another zone cannot."""
    from apps.accounts.choices import Role
    from apps.core.testing.factories import DutyFactory, PersonFactory, make_user
    from apps.duties.choices import DutyKind

    outsider_person = PersonFactory(name="别区村级林长", place=world.household_b)
    DutyFactory(
        person=outsider_person,
        place=forest.other_zone,
        kind=DutyKind.FOREST_CHIEF_VILLAGE,
        start_date=dt.date(2024, 1, 1),
    )
    outsider = make_user(
        "f_other_chief", Role.FOREST_CHIEF, forest.other_zone, person=outsider_person
    )
    ranger = forest.user("ranger1")
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    with django_capture_on_commit_callbacks(execute=True):
        r = client_as(ranger).post(
            f"/forest/patrols/{patrol.pk}/event/",
            {"kind": "fire", "description": "山脚烧荒余火未灭", "lat": LAT0, "lng": LNG0},
        )
    assert r.status_code == 302
    case = ForestEvent.objects.get().case
    assert case.status == "dispatched" and case.assignee_id is None
    assert case.handling_unit_id == forest.zone.pk

    other = client_as(outsider)
    r = other.post(f"/cases/{case.pk}/transition/", {"action": "claim"})
    assert r.status_code == 404  # another zone's case is not even visible to them
    case.refresh_from_db()
    assert case.status == "dispatched" and case.assignee_id is None

    chief = client_as(forest.user("village_chief"))
    page = chief.get(f"/cases/{case.pk}/").content.decode()
    assert 'value="claim"' in page
    r = chief.post(f"/cases/{case.pk}/transition/", {"action": "claim"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "claimed" and case.assignee == forest.user("village_chief")
    r = chief.post(
        f"/cases/{case.pk}/transition/", {"action": "resolve", "note": "已扑灭余火，现场看守"}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at is not None
    actions_done = list(case.events.order_by("at", "id").values_list("action", "actor_label"))
    assert [a for a, _ in actions_done] == ["submit", "accept", "dispatch", "claim", "resolve"]
    assert actions_done[1][1] == actions_done[2][1] == "系统（按规则派单）"


def test_planting_target_set_and_changed_on_the_page(forest, world):
    """A town chief sets a target for a zone and year on the planting page, changes it, sees
    it beside what the ledger holds; a wrong value is refused beside its field in Chinese;
    a ranger (no 林长 capability) may not; each save leaves an audit event."""
    from apps.core.models import AuditEvent
    from apps.forestry.models import PlantingTarget

    chief = client_as(forest.user("town_chief"))
    page = chief.get("/forest/planting/?year=2026").content.decode()
    assert 'id="target-form"' in page and "2026年尚未下达造林任务目标" in page
    target = {"place": forest.zone.pk, "kind": "reserve", "year": "2026", "area_mu": "80"}
    r = chief.post("/forest/planting/targets/", target | {"note": "第一批"})
    assert r.status_code == 302 and r.url == "/forest/planting/?year=2026"
    row = PlantingTarget.objects.get()
    assert (row.place, row.year, row.area_mu, row.note) == (forest.zone, 2026, 80, "第一批")
    chief.post(
        "/forest/planting/",
        {
            "zone": forest.zone.pk,
            "kind": "reserve",
            "area_mu": "20",
            "count": "0",
            "species": "杉木",
            "date": "2026-04-01",
        },
    )
    # 修改: the row's link fills the form; saving again changes the one target
    page = chief.get(f"/forest/planting/?year=2026&target={row.pk}").content.decode()
    assert 'value="80.0"' in page and "2026年国家储备林任务" in page
    assert "<td>80.0</td><td>20.0</td><td>25%</td>" in page
    r = chief.post("/forest/planting/targets/", target | {"area_mu": "40"})
    assert r.status_code == 302 and PlantingTarget.objects.get().area_mu == 40
    page = chief.get("/forest/planting/?year=2026").content.decode()
    assert "<td>40.0</td><td>20.0</td><td>50%</td>" in page
    # another kind gets its own table
    chief.post("/forest/planting/targets/", target | {"kind": "camellia", "area_mu": "12.5"})
    page = chief.get("/forest/planting/?year=2026").content.decode()
    assert "2026年油茶种植任务" in page and "<td>12.5</td><td>0.0</td><td>0%</td>" in page
    audits = AuditEvent.objects.filter(object_type="forestry.plantingtarget").order_by("id")
    assert [a.verb for a in audits] == ["create", "update", "create"]
    # refused, in Chinese, beside the field, nothing changed
    for bad, message in [
        ({"area_mu": "abc"}, "目标面积应为大于0的数字（亩）"),
        ({"area_mu": "0"}, "目标面积应为大于0的数字（亩）"),
        ({"area_mu": "1.25"}, "目标面积最多保留一位小数"),
        ({"area_mu": "99999999"}, "目标面积不能超过9999999亩"),
        ({"year": "1999"}, "年度应为2000～2100之间的整数"),
        ({"year": ""}, "请填写年度"),
        ({"place": world.county.pk}, "请选择您管辖范围内的地点"),  # above the town chief
    ]:
        r = chief.post("/forest/planting/targets/", target | bad)
        assert r.status_code == 422 and message in r.content.decode(), bad
    assert PlantingTarget.objects.get(kind="reserve").area_mu == 40
    assert AuditEvent.objects.filter(object_type="forestry.plantingtarget").count() == 3
    ranger = client_as(forest.user("ranger1"))
    assert ranger.post("/forest/planting/targets/", target).status_code == 403
    assert 'id="target-form"' not in ranger.get("/forest/planting/").content.decode()


def test_a_community_without_forest_sees_no_empty_table(world):
    """Community B holds no forest zone: the page says so, with no table left without rows."""
    client = client_as(world.user("outsider_b"))
    home = client.get("/forest/").content.decode()
    assert "您的范围内没有林区" in home
    assert '<table class="compact"></table>' not in home
