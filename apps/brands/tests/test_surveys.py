"""Demand surveys: a household's needs recorded on a phone, re-recorded, turned into orders,
and rolled up into the community's service list (counts equal a direct count)."""

import datetime as dt
import random
from collections import defaultdict
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.core.testing.factories import make_place
from apps.places.choices import PlaceKind

from ..actions import do_convert_need, do_create_campaign, do_record_survey
from ..models import SurveyNeed, SurveyRecord
from ..selectors import service_list


def cat(code: str) -> Category:
    return Category.objects.get(code=code)


def test_it_records_a_households_needs(world, campaign):
    record = do_record_survey(
        campaign,
        world.household_a,
        actor=world.user("grid_worker_a"),
        needs={cat("elderly-care"): 2, cat("repairs"): 1},
        notes="两位老人独居",
    )
    assert {(n.category.code, n.persons) for n in record.needs.all()} == {
        ("elderly-care", 2),
        ("repairs", 1),
    }
    event = AuditEvent.objects.get(object_type="brands.surveyrecord")
    assert event.changes["needs"] == {"elderly-care": 2, "repairs": 1}
    assert event.scope_path == world.household_a.path


def test_recording_again_replaces_the_needs(world, campaign):
    actor = world.user("grid_worker_a")
    do_record_survey(campaign, world.household_a, actor=actor, needs={cat("repairs"): 1})
    record = do_record_survey(
        campaign, world.household_a, actor=actor, needs={cat("elderly-care"): 1}
    )
    assert SurveyRecord.objects.count() == 1
    assert [n.category.code for n in record.needs.all()] == ["elderly-care"]
    assert AuditEvent.objects.filter(object_type="brands.surveyrecord", verb="update").exists()


def test_it_refuses_households_outside_the_survey_or_scope(world, campaign):
    with pytest.raises(ValidationError, match="该户不在“红门社区需求调研”的调研范围内"):
        do_record_survey(campaign, world.household_b, actor=world.user("town_staff"), needs={})
    with pytest.raises(PermissionDenied, match="只有该户所在辖区的调研人员"):
        do_record_survey(campaign, world.household_a, actor=world.user("outsider_b"), needs={})
    with pytest.raises(PermissionDenied, match="发起需求调研"):
        do_create_campaign(
            actor=world.user("outsider_b"),
            name="x",
            area=world.community_a,
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
        )


def test_it_turns_a_need_into_a_service_order(world, campaign):
    record = do_record_survey(
        campaign,
        world.household_a,
        actor=world.user("grid_worker_a"),
        needs={cat("elderly-care"): 1},
        notes="想请人陪老人聊天",
    )
    need = record.needs.get()
    case = do_convert_need(need, actor=world.user("community_a"))
    assert (case.kind, case.source, case.place, case.category.code) == (
        "service_order",
        "visit",
        world.household_a,
        "elderly-care",
    )
    assert case.description == "想请人陪老人聊天"
    with pytest.raises(ValidationError, match=f"该需求已转为点单 {case.number}"):
        do_convert_need(need, actor=world.user("community_a"))
    with pytest.raises(ValidationError, match="已转为点单的需求不能取消"):
        do_record_survey(campaign, world.household_a, actor=world.user("grid_worker_a"), needs={})


def _random_survey(world, rng):
    """Two campaigns over 12 households; some households surveyed twice (the later counts)."""
    today = timezone.localdate()
    staff = world.user("community_a")
    first = do_create_campaign(
        actor=staff,
        name="春季调研",
        area=world.community_a,
        start_date=today - dt.timedelta(days=30),
        end_date=today,
    )
    second = do_create_campaign(
        actor=staff, name="夏季调研", area=world.grid_a, start_date=today, end_date=today
    )
    homes = [make_place(PlaceKind.HOUSEHOLD, f"{i}号", world.unit_a) for i in range(12)]
    codes = ["elderly-care", "repairs", "policy", "counselling", "medical-errand"]
    for campaign, day in ((first, today - dt.timedelta(days=5)), (second, today)):
        for home in rng.sample(homes, 8):
            needs = {cat(c): rng.randint(1, 4) for c in rng.sample(codes, rng.randint(0, 3))}
            do_record_survey(campaign, home, actor=staff, needs=needs, surveyed_on=day)
    return first, second


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_service_list_counts_equal_a_direct_count(world, seed):
    first, _second = _random_survey(world, random.Random(seed))
    latest = {}
    for record in SurveyRecord.objects.order_by("surveyed_on", "id"):
        latest[record.household_id] = record
    households, persons = defaultdict(set), defaultdict(int)
    for record in latest.values():
        for need in record.needs.all():
            households[need.category.code].add(record.household_id)
            persons[need.category.code] += need.persons
    rows = service_list(world.user("community_a"), world.community_a)
    assert {r.category.code: (r.households, r.persons) for r in rows} == {
        code: (len(households[code]), persons[code]) for code in households
    }
    # one campaign alone
    only = SurveyNeed.objects.filter(record__campaign=first)
    rows = service_list(world.user("community_a"), world.community_a, first)
    assert sum(r.persons for r in rows) == sum(n.persons for n in only)
    # an outsider's scope holds none of these households
    assert service_list(world.user("outsider_b"), world.community_b) == []


def test_service_list_names_providers_and_brands(world, brand, helper, campaign):
    do_record_survey(
        campaign, world.household_a, actor=world.user("community_a"), needs={cat("elderly-care"): 3}
    )
    rows = {r.category.code: r for r in service_list(world.user("community_a"), world.community_a)}
    row = rows["elderly-care"]
    assert (row.households, row.persons, row.volunteers) == (1, 3, 1)  # 王芳: 陪伴聊天
    assert [b.name for b in row.brands] == ["暖巢行动"]
    assert row.organisations == ["县供电公司"]


def test_the_phone_page_records_and_the_list_exports(world, campaign, client):
    client.force_login(world.user("grid_worker_a"))
    url = reverse("brands:campaign", args=[campaign.pk])
    page = client.get(url, {"q": "101"}).content.decode()
    record_url = reverse("brands:record", args=[campaign.pk, world.household_a.pk])
    assert record_url in page
    elderly, repairs = cat("elderly-care"), cat("repairs")
    response = client.post(
        record_url,
        {
            f"need_{elderly.pk}": "on",
            f"persons_{elderly.pk}": "2",
            f"need_{repairs.pk}": "on",
            f"persons_{repairs.pk}": "",
            "notes": "漏水",
        },
    )
    assert response.status_code == 302
    record = SurveyRecord.objects.get()
    assert {(n.category.code, n.persons) for n in record.needs.all()} == {
        ("elderly-care", 2),
        ("repairs", 1),
    }
    client.force_login(world.user("community_a"))
    page = client.get(reverse("brands:services"), {"place": world.community_a.pk})
    assert "养老服务" in page.content.decode()
    export = client.get(
        reverse("brands:services"), {"place": world.community_a.pk, "format": "xlsx"}
    )
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert ("养老服务", 1, 2) in [r[:3] for r in rows]
    assert AuditEvent.objects.filter(verb="export", changes__export="service_list").exists()
    # converting from the campaign page
    need = record.needs.get(category=repairs)
    client.post(reverse("brands:need_convert", args=[need.pk]))
    assert Case.objects.get().category == repairs


def test_outsiders_get_404(world, campaign, client):
    record = do_record_survey(
        campaign, world.household_a, actor=world.user("community_a"), needs={cat("repairs"): 1}
    )
    client.force_login(world.user("outsider_b"))
    assert client.get(reverse("brands:campaign", args=[campaign.pk])).status_code == 404
    url = reverse("brands:record", args=[campaign.pk, world.household_a.pk])
    assert client.get(url).status_code == 404
    need = record.needs.get()
    assert client.post(reverse("brands:need_convert", args=[need.pk])).status_code == 404
    response = client.get(reverse("brands:services"), {"place": world.community_a.pk})
    assert response.status_code == 404
    assert client.get(f"/api/v1/brands/services?place={world.community_a.pk}").status_code == 404
    assert "红门社区需求调研" not in client.get(reverse("brands:campaigns")).content.decode()
    assert client.get("/api/v1/brands/surveys").json() == []
