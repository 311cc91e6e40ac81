"""Pages and API end to end through HTTP: create → sign up → QR check-in → volunteer hours
pending; the scope matrix (community B sees nothing of A); photos; calendar; list queries."""

import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from apps.activities import qr
from apps.activities.actions import do_set_attendance, do_sign_up
from apps.activities.models import Activity, ActivityPhoto, Participation
from apps.core.models import AuditEvent
from apps.volunteers.models import ServiceHours

from .conftest import make_activity

pytestmark = pytest.mark.django_db


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png_upload(name: str = "fair.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_the_whole_flow_over_http(world, cast):
    staff = as_user(world.user("community_a"))
    start = timezone.now() - dt.timedelta(minutes=5)
    response = staff.post(
        "/activities/new/",
        {
            "title": "科普进校园",
            "kind": "science",
            "place": world.community_a.pk,
            "start_at": local(start),
            "end_at": local(start + dt.timedelta(hours=3)),
            "capacity": "30",
            "self_signup": "on",
            "project": "科普进校园",
        },
    )
    activity = Activity.objects.get(title="科普进校园")
    assert response.status_code == 302 and response.url == f"/activities/{activity.pk}/"

    volunteer = as_user(cast.volunteer_user)
    assert "我要报名" in volunteer.get(f"/activities/{activity.pk}/").content.decode()
    volunteer.post(f"/activities/{activity.pk}/signup/")
    staff.post(f"/activities/{activity.pk}/signup/", {"person": cast.residents[0].pk})
    assert Participation.objects.filter(activity=activity, status="registered").count() == 2

    door = staff.get(f"/activities/{activity.pk}/door/")
    assert door.status_code == 200 and "请用手机相机扫码签到" in door.content.decode()
    url = door.context["url"]
    assert url.startswith("http://testserver/activities/c/")
    svg = staff.get(f"/activities/{activity.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    path = url.removeprefix("http://testserver")

    page = volunteer.get(path).content.decode()
    assert "陈志愿，欢迎参加！" in page
    done = volunteer.post(path).content.decode()
    assert "签到成功" in done

    resident = Client()
    assert "手机号码后四位" in resident.get(path).content.decode()
    assert (
        "签到成功"
        in resident.post(path, {"name": "张桂英", "phone_suffix": "5678"}).content.decode()
    )
    assert (
        "您已签到"
        in resident.post(path, {"name": "张桂英", "phone_suffix": "5678"}).content.decode()
    )
    assert Participation.objects.filter(activity=activity, checked_in_at__isnull=False).count() == 2

    row = Participation.objects.get(activity=activity, person=cast.volunteer)
    staff.post(f"/activities/signups/{row.pk}/hours/")
    row.refresh_from_db()
    hours = ServiceHours.objects.get(pk=row.service_hours_id)
    assert (hours.status, hours.hours, hours.volunteer.person) == ("pending", 3, cast.volunteer)
    assert hours.activity == f"科普进校园 #活动{activity.pk}"
    assert hours.served_on == timezone.localtime(start).date()

    body = staff.get(f"/activities/{activity.pk}/").content.decode()
    assert "签到 2" in body and "待审核" in body
    verbs = list(
        AuditEvent.objects.filter(scope_path__startswith=world.community_a.path)
        .filter(object_type__startswith="activities.")
        .values_list("object_type", "verb")
    )
    assert verbs.count(("activities.activity", "create")) == 1
    assert verbs.count(("activities.participation", "create")) == 2
    assert ("activities.participation", "update") in verbs


def test_a_forged_link_shows_why_in_chinese(world, book_fair):
    token = qr.make_token(book_fair)
    response = Client().get(f"/activities/c/{token[:-3]}abc/")
    assert response.status_code == 403
    assert "签到码无效：二维码不是本系统生成的，或已被改动。" in response.content.decode()


def test_an_expired_link_shows_why_in_chinese(world):
    activity = make_activity(world, starts_in=-600)
    response = Client().get(f"/activities/c/{qr.make_token(activity)}/")
    assert response.status_code == 403
    assert "签到码已过期，请扫描活动现场最新的二维码。" in response.content.decode()


def test_a_wrong_phone_suffix_stays_on_the_form(world, book_fair, cast):
    response = Client().post(
        f"/activities/c/{qr.make_token(book_fair)}/", {"name": "张桂英", "phone_suffix": "12"}
    )
    assert response.status_code == 422 and "请填写 4 位数字" in response.content.decode()
    assert not Participation.objects.exists()


class TestScope:
    def test_community_b_gets_404_on_pages(self, world, book_fair, cast):
        row = do_sign_up(book_fair, cast.residents[0], actor=world.user("community_a"))
        outsider = as_user(world.user("outsider_b"))
        pk = book_fair.pk
        for url in (
            f"/activities/{pk}/",
            f"/activities/{pk}/edit/",
            f"/activities/{pk}/door/",
            f"/activities/{pk}/qr.svg",
        ):
            assert outsider.get(url).status_code == 404, url
        for url in (f"/activities/{pk}/attendance/", f"/activities/signups/{row.pk}/cancel/"):
            assert outsider.post(url, {"person": cast.residents[0].pk}).status_code == 404, url
        assert book_fair.title not in outsider.get("/activities/").content.decode()
        assert book_fair.title not in outsider.get("/activities/calendar/").content.decode()
        row.refresh_from_db()
        assert row.status == "registered" and not row.present

    def test_community_b_gets_404_on_the_api(self, world, book_fair, cast):
        row = do_sign_up(book_fair, cast.residents[0], actor=world.user("community_a"))
        outsider = as_user(world.user("outsider_b"))
        pk = book_fair.pk
        assert outsider.get(f"/api/v1/activities/{pk}").status_code == 404
        assert outsider.get(f"/api/v1/activities/{pk}/participations").status_code == 404
        assert outsider.get("/api/v1/activities/").json()["count"] == 0
        response = outsider.post(
            f"/api/v1/activities/{pk}/attendance",
            json.dumps({"person": cast.residents[0].pk}),
            content_type="application/json",
        )
        assert response.status_code == 404
        assert outsider.post(f"/api/v1/activities/signups/{row.pk}/cancel").status_code == 404
        assert (
            outsider.get(f"/api/v1/activities/figures?place={world.community_a.pk}").status_code
            == 404
        )

    def test_a_volunteer_sees_the_activity_but_not_the_lists_or_the_code(self, book_fair, cast):
        volunteer = as_user(cast.volunteer_user)
        body = volunteer.get(f"/activities/{book_fair.pk}/").content.decode()
        assert book_fair.title in body and "代居民报名" not in body
        assert volunteer.get(f"/activities/{book_fair.pk}/door/").status_code == 403
        assert volunteer.get(f"/api/v1/activities/{book_fair.pk}/participations").status_code == 403

    def test_the_county_leader_reads_everything(self, world, book_fair):
        leader = as_user(world.user("county_leader"))
        assert leader.get(f"/activities/{book_fair.pk}/").status_code == 200
        assert leader.get(f"/api/v1/activities/{book_fair.pk}").json()["title"] == book_fair.title


class TestApi:
    def test_create_sign_up_and_tick_over_the_api(self, world, cast):
        staff = as_user(world.user("community_a"))
        start = timezone.now() - dt.timedelta(minutes=1)
        created = staff.post(
            "/api/v1/activities/",
            json.dumps(
                {
                    "title": "健康义诊",
                    "kind": "health",
                    "place": world.community_a.pk,
                    "start_at": start.isoformat(),
                    "end_at": (start + dt.timedelta(hours=2)).isoformat(),
                    "capacity": 1,
                }
            ),
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        signups = [
            staff.post(
                f"/api/v1/activities/{pk}/signups",
                json.dumps({"person": p.pk}),
                content_type="application/json",
            )
            for p in cast.residents[:2]
        ]
        assert [s.json()["status"] for s in signups] == ["registered", "waitlisted"]
        again = staff.post(
            f"/api/v1/activities/{pk}/signups",
            json.dumps({"person": cast.residents[0].pk}),
            content_type="application/json",
        )
        assert again.status_code == 422
        assert again.json()["detail"][0]["msg"] == "张桂英已在该活动的报名名单中，无需重复报名"
        tick = staff.post(
            f"/api/v1/activities/{pk}/attendance",
            json.dumps({"person": cast.residents[0].pk}),
            content_type="application/json",
        )
        assert tick.status_code == 200 and tick.json()["checkin_method"] == "staff"
        detail = staff.get(f"/api/v1/activities/{pk}").json()
        assert (detail["registered"], detail["waiting"], detail["present"]) == (1, 1, 1)
        assert detail["seats_taken"] == 1
        staff.put(
            f"/api/v1/activities/{pk}/reach",
            json.dumps({"online_viewers": 120, "walk_ins": 30}),
            content_type="application/json",
        )
        figures = staff.get(f"/api/v1/activities/figures?place={world.community_a.pk}").json()
        assert (figures["held"], figures["attendance"], figures["online_viewers"]) == (1, 1, 120)
        assert figures["served"] == 1 + 30 + 120

    def test_an_unknown_kind_is_refused(self, world):
        response = as_user(world.user("community_a")).post(
            "/api/v1/activities/",
            json.dumps(
                {
                    "title": "x",
                    "kind": "rave",
                    "place": world.community_a.pk,
                    "start_at": timezone.now().isoformat(),
                    "end_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "活动类型不在可选范围内"
        assert not Activity.objects.exists()

    def test_a_volunteer_cannot_create(self, world, cast):
        response = as_user(cast.volunteer_user).post(
            "/api/v1/activities/",
            json.dumps(
                {
                    "title": "x",
                    "kind": "other",
                    "place": world.community_a.pk,
                    "start_at": timezone.now().isoformat(),
                    "end_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "您不能在该地点登记活动：只有该辖区的社区、街道工作人员可以操作"
        )


class TestPages:
    def test_the_list_costs_the_same_queries_for_more_activities(self, world, cast):
        staff = as_user(world.user("community_a"))
        make_activity(world)
        staff.get("/activities/")
        with CaptureQueriesContext(connection) as few:
            assert staff.get("/activities/").status_code == 200
        for _ in range(5):
            activity = make_activity(world)
            do_sign_up(activity, cast.residents[0], actor=world.user("community_a"))
        with CaptureQueriesContext(connection) as many:
            body = staff.get("/activities/").content.decode()
        assert "共 6 场" in body
        assert len(many) == len(few) <= 10

    def test_the_calendar_shows_the_month(self, world, book_fair):
        month = timezone.localtime(book_fair.start_at)
        body = (
            as_user(world.user("community_a"))
            .get(f"/activities/calendar/?month={month:%Y-%m}")
            .content.decode()
        )
        assert f"{month.year}年{month.month}月" in body and book_fair.title in body
        assert re.search(r"1场", body)

    def test_the_phone_page_offers_sign_up_and_joins(self, world, book_fair, cast):
        volunteer = as_user(cast.volunteer_user)
        assert "报名" in volunteer.get("/activities/mine/").content.decode()
        response = volunteer.post(
            f"/activities/{book_fair.pk}/signup/", {"next": "/activities/mine/"}
        )
        assert response.url == "/activities/mine/"
        body = volunteer.get("/activities/mine/").content.decode()
        assert "已报名" in body

    def test_an_unsafe_next_is_ignored(self, book_fair, cast):
        response = as_user(cast.volunteer_user).post(
            f"/activities/{book_fair.pk}/signup/", {"next": "https://evil.example/"}
        )
        assert response.url == f"/activities/{book_fair.pk}/"

    def test_photos_are_checked_thumbnailed_and_scoped(self, world, book_fair, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        staff = as_user(world.user("community_a"))
        staff.post(
            f"/activities/{book_fair.pk}/photos/", {"photo": png_upload(), "caption": "现场"}
        )
        photo = ActivityPhoto.objects.get()
        assert (photo.width, photo.height, photo.content_type) == (640, 480, "image/png")
        thumb = staff.get(f"/activities/photos/{photo.pk}/thumb/")
        assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
        assert (
            as_user(world.user("outsider_b")).get(f"/activities/photos/{photo.pk}/").status_code
            == 404
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
        response = staff.post(f"/activities/{book_fair.pk}/photos/", {"photo": bad}, follow=True)
        assert "文件不是有效的图片" in response.content.decode()
        assert ActivityPhoto.objects.count() == 1

    def test_staff_tick_on_the_list(self, world, book_fair, cast):
        staff = as_user(world.user("community_a"))
        do_sign_up(book_fair, cast.residents[0], actor=world.user("community_a"))
        staff.post(
            f"/activities/{book_fair.pk}/attendance/",
            {"person": cast.residents[0].pk, "present": "1"},
        )
        assert Participation.objects.get().present
        body = staff.get(f"/activities/{book_fair.pk}/").content.decode()
        assert "取消签到" in body

    def test_hours_need_attendance(self, world, book_fair, cast):
        staff_user = world.user("community_a")
        row = do_sign_up(book_fair, cast.volunteer, actor=staff_user, role="volunteer")
        response = as_user(staff_user).post(f"/activities/signups/{row.pk}/hours/", follow=True)
        assert "陈志愿未签到，不能登记服务时长" in response.content.decode()
        do_set_attendance(book_fair, cast.volunteer, actor=staff_user, present=True)
        as_user(staff_user).post(f"/activities/signups/{row.pk}/hours/")
        response = as_user(staff_user).post(f"/activities/signups/{row.pk}/hours/", follow=True)
        assert "陈志愿的本次活动服务时长已登记" in response.content.decode()
        assert ServiceHours.objects.count() == 1


class TestCheckinThrottle:
    def test_failures_are_limited_per_address_but_successes_are_not(
        self, world, book_fair, settings
    ):
        from django.core.cache import cache

        from apps.core.testing.factories import PersonFactory

        cache.clear()
        settings.ACTIVITIES_CHECKIN_FAILURES_PER_HOUR = 3
        path = f"/activities/c/{qr.make_token(book_fair)}/"
        hall = Client()  # one address for everyone: the community hall's Wi-Fi
        for i in range(25):
            PersonFactory(
                name=f"居民{i}", place=world.household_a, secrets__phone=f"1390000{i:04d}"
            )
            done = hall.post(path, {"name": f"居民{i}", "phone_suffix": f"{i:04d}"})
            assert "签到成功" in done.content.decode(), i
        for _ in range(3):
            assert hall.post(path, {"name": "某某", "phone_suffix": "9999"}).status_code == 422
        refused = hall.post(path, {"name": "居民0", "phone_suffix": "0000"})
        assert refused.status_code == 429
        assert "核对失败次数过多，请稍后再试或找现场工作人员签到" in refused.content.decode()
        event = AuditEvent.objects.filter(object_type="activities.participation").latest("id")
        assert event.ip == "127.0.0.1" and event.actor_label == "居民（扫码签到）"
