"""Resident pages end to end over HTTP: report, double tap, tracking, rating, throttling."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.cases.actions import do_transition
from apps.cases.choices import CaseSource, Rating, RatingSource, Status
from apps.cases.models import Case, Category
from apps.core import crypto
from apps.portal.tests.conftest import photo

pytestmark = pytest.mark.django_db
TOKEN = "form-token-0123456789abcdef"


def submit(client: Client, category: Category, **fields):
    data = {
        "description": "家里老人行动不便，需要帮忙代买药品",
        "name": "张阿姨",
        "phone": "13912345678",
        "form_token": TOKEN,
        **fields,
    }
    return client.post(f"/portal/report/{category.code}/", data)


def test_it_lists_categories_with_their_materials(world, category):
    page = Client().get(f"/portal/?place={world.household_a.code}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "助老服务" in text and "老人身份证、户口簿" in text
    assert f"/portal/report/portal-elderly/?place={world.household_a.code}" in text
    assert "101室" in text


def test_it_shows_the_one_time_notice_on_the_form(world, category):
    page = Client().get(f"/portal/report/{category.code}/?place={world.household_a.code}")
    text = page.content.decode()
    assert "一次性告知" in text and "<li>户口簿</li>" in text
    assert f'value="{world.household_a.code}"' in text
    assert re.search(r'name="form_token" value="[\w-]{30,}"', text)


def test_it_files_a_case_from_the_residents_form(world, category):
    response = submit(Client(), category, place_code=world.household_a.code, photo=photo())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/t/{case.tracking_token}/"
    assert case.source == CaseSource.PORTAL and case.created_by is None
    assert case.place == world.household_a and case.handling_unit == world.community_a
    assert case.reporter_name == "张阿姨" and case.reporter_phone_masked == "139****5678"
    assert crypto.decrypt(case.reporter_phone_enc) == "13912345678"
    assert case.attachments.count() == 1


def test_it_makes_one_case_of_a_double_tap(world, category):
    client = Client()
    first = submit(client, category, place_code=world.household_a.code)
    second = submit(client, category, place_code=world.household_a.code)
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]
    submit(
        client, category, place_code=world.household_a.code, form_token="another-token-0123456789"
    )
    assert Case.objects.count() == 2


def test_it_places_a_report_by_community_and_search(world, category):
    client = Client()
    found = client.get("/portal/places/", {"community": world.community_a.pk, "q": "幸福"})
    assert "幸福小区" in found.content.decode()
    other = client.get("/portal/places/", {"community": world.community_b.pk, "q": "幸福"})
    assert "幸福小区" not in other.content.decode()
    submit(client, category, community=world.community_a.pk, place_pick=world.compound_a.pk)
    assert Case.objects.get().place == world.compound_a


def test_it_refuses_a_picked_place_outside_the_chosen_community(world, category):
    response = submit(
        Client(), category, community=world.community_b.pk, place_pick=world.compound_a.pk
    )
    assert response.status_code == 400
    assert "所选地点不在将军社区" in response.content.decode()
    assert not Case.objects.exists()


def test_it_files_a_picked_place_without_a_community(world, category):
    submit(Client(), category, place_pick=world.unit_a.pk)
    assert Case.objects.get().place == world.unit_a


def test_it_never_files_a_position_under_the_nearest_house(world, category):
    """The old rule put a report at the nearest place with coordinates: a bridge at the
    village entrance landed on a building. Without boundaries, the chosen community."""
    world.household_a.lat, world.household_a.lng = 26.3371, 115.3650
    world.household_a.save()
    submit(Client(), category, community=world.community_a.pk, lat="26.33712", lng="115.36501")
    case = Case.objects.get()
    assert case.place == world.community_a and case.lat == pytest.approx(26.33712)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "请填写情况描述"),
        ({"phone": "123"}, "电话号码格式不正确"),
        ({"place_code": ""}, "请选择所在社区/村，或使用手机定位"),
        ({"place_code": "nowhere"}, "二维码中的地点编码无效"),
        ({"form_token": "short"}, "页面已过期"),
    ],
)
def test_it_shows_errors_beside_the_fields(world, category, fields, message):
    data = {"place_code": world.household_a.code, **fields}
    response = submit(Client(), category, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_a_file_that_is_no_image(world, category):
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = submit(Client(), category, place_code=world.household_a.code, photo=fake)
    assert response.status_code == 400 and "文件不是有效的图片" in response.content.decode()
    assert not Case.objects.exists()


def test_it_throttles_submissions_per_address(world, category, settings):
    settings.PORTAL_SUBMITS_PER_HOUR = 2
    client = Client()
    for n in range(2):
        assert submit(client, category, place_code=world.household_a.code, form_token=f"{TOKEN}{n}")
    blocked = submit(client, category, place_code=world.household_a.code, form_token=f"{TOKEN}x")
    assert blocked.status_code == 429 and "提交过于频繁" in blocked.content.decode()
    assert Case.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert submit(other, category, place_code=world.household_a.code, form_token=f"{TOKEN}y")
    assert Case.objects.count() == 3


def walk_to_resolved(case: Case, world) -> Case:
    staff, vol = world.user("community_a"), world.user("volunteer_a")
    case = do_transition(case, "accept", actor=staff)
    case = do_transition(case, "dispatch", actor=staff, data={"assignee": vol.pk})
    case = do_transition(case, "claim", actor=vol)
    case = do_transition(case, "start", actor=vol)
    return do_transition(case, "resolve", actor=vol, note="志愿者小王已上门代买药品")


def test_it_shows_the_timeline_with_public_labels_only(world, category):
    submit(Client(), category, place_code=world.household_a.code)
    case = walk_to_resolved(Case.objects.get(), world)
    page = Client().get(f"/portal/t/{case.tracking_token}/")
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    for label in ("已提交，等待受理", "已受理", "已派给办理人员", "办理人员已接单", "正在办理"):
        assert label in text
    assert "已办结，请评价" in text
    assert "志愿者小王已上门代买药品" in text  # the result is the resident's to read
    assert "vol_a" not in text and "staff_a" not in text
    assert "13912345678" not in text and "139****5678" not in text
    assert "满意" in text and 'name="rating"' in text


def test_it_answers_404_for_a_wrong_token(world):
    assert Client().get("/portal/t/not-a-token/").status_code == 404


def test_it_offers_no_rating_before_resolution(world, category):
    submit(Client(), category, place_code=world.household_a.code)
    case = Case.objects.get()
    page = Client().get(f"/portal/t/{case.tracking_token}/")
    assert 'name="rating"' not in page.content.decode()
    Client().post(f"/portal/t/{case.tracking_token}/rate/", {"rating": Rating.SATISFIED})
    assert Case.objects.get().status == Status.SUBMITTED


def test_it_records_the_residents_rating(world, category):
    submit(Client(), category, place_code=world.household_a.code)
    case = walk_to_resolved(Case.objects.get(), world)
    client = Client()
    response = client.post(
        f"/portal/t/{case.tracking_token}/rate/", {"rating": Rating.SATISFIED, "comment": "很及时"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.rating == Rating.SATISFIED
    assert case.rating_source == RatingSource.RESIDENT and case.rating_comment == "很及时"
    page = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in page and "您已评价" in page


def test_it_reopens_the_case_when_the_resident_is_unsatisfied(world, category):
    submit(Client(), category, place_code=world.household_a.code)
    case = walk_to_resolved(Case.objects.get(), world)
    Client().post(
        f"/portal/t/{case.tracking_token}/rate/",
        {"rating": Rating.UNSATISFIED, "comment": "没买到"},
    )
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.reopen_count == 1
    assert case.rating == Rating.UNSATISFIED
    page = Client().get(f"/portal/t/{case.tracking_token}/").content.decode()
    assert "您不满意，已重新办理" in page and 'name="rating"' not in page
