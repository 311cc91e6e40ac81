"""The registers page over HTTP: the accountant adds and edits a resource and an asset with
their place and point, adds a job, a labour survey row, a talent with a mentee and a month's
visitors; each write is audited; a place outside the village, a half point, another role and
another village are refused."""

import pytest

from apps.core.models import AuditEvent
from apps.core.testing import client_as

from ..models import Asset, Job, LabourSurvey, Mentoring, Resource, Talent, VisitorCount

pytestmark = pytest.mark.django_db


def url(book, what=""):
    base = f"/collective/books/{book.pk}/registers/"
    return f"{base}{what}/" if what else base


def test_the_accountant_adds_and_edits_the_registers(world, book, accountant):
    keeper = client_as(accountant)
    page = keeper.get(url(book)).content.decode()
    assert "登记资源" in page and "登记资产" in page and "登记游客人次" in page
    response = keeper.post(
        url(book, "resource"),
        {
            "kind": "land",
            "name": "村东水田 A-01",
            "area_mu": "108",
            "use": "contracted",
            "location": "村东",
            "place": world.grid_a.pk,
            "lng": "116.35",
            "lat": "27.95",
        },
    )
    assert response.status_code == 302
    parcel = Resource.objects.get()
    assert (parcel.place, parcel.lng, parcel.lat, str(parcel.area_mu)) == (
        world.grid_a,
        116.35,
        27.95,
        "108.00",
    )
    edit = keeper.get(url(book) + f"?edit=resource-{parcel.pk}").content.decode()
    assert "修改资源" in edit and 'value="村东水田 A-01"' in edit
    keeper.post(
        url(book, "resource"),
        {
            "id": parcel.pk,
            "kind": "land",
            "name": "村东水田 A-01",
            "area_mu": "110",
            "use": "contracted",
            "location": "村东",
            "place": world.grid_a.pk,
            "lng": "116.35",
            "lat": "27.95",
        },
    )
    parcel.refresh_from_db()
    assert str(parcel.area_mu) == "110.00" and Resource.objects.count() == 1
    event = AuditEvent.objects.filter(object_type="collective.resource", verb="update").get()
    assert event.changes["area_mu"] == ["108.00", "110"] and event.scope_path == book.village.path

    keeper.post(
        url(book, "asset"),
        {
            "kind": "building",
            "name": "村部仓库",
            "value": "300000",
            "location": "村部",
            "place": book.village.pk,
        },
    )
    asset = Asset.objects.get()
    assert (asset.value, asset.place) == (30000000, book.village)
    keeper.post(
        url(book, "asset"),
        {
            "id": asset.pk,
            "kind": "building",
            "name": "村部仓库（一期）",
            "value": "320000",
            "location": "村部",
        },
    )
    asset.refresh_from_db()
    assert (asset.name, asset.value, asset.place) == ("村部仓库（一期）", 32000000, None)

    keeper.post(
        url(book, "job"),
        {
            "employer": "临川物流",
            "trade": "物流",
            "count": 80,
            "since": "2026-01-01",
            "location": "村东物流园",
        },
    )
    keeper.post(url(book, "labour"), {"year": 2026, "trade": "物流", "count": 400})
    keeper.post(url(book, "talent"), {"kind": "achiever", "name": "李强", "field": "物流"})
    talent = Talent.objects.get()
    keeper.post(
        url(book, "mentoring"),
        {"talent": talent.pk, "mentee": "王五", "goal": "学开冷链车", "since": "2026-03-01"},
    )
    keeper.post(
        url(book, "visitors"), {"month": "2026-05-20", "count": 30000, "source": "景区闸机"}
    )
    job = Job.objects.get()
    assert (job.count, job.location) == (80, "村东物流园")
    assert LabourSurvey.objects.get().count == 400
    assert Mentoring.objects.get().mentee == "王五"
    assert VisitorCount.objects.get().month.isoformat() == "2026-05-01"
    page = keeper.get(url(book)).content.decode()
    assert (
        "临川物流" in page
        and "村东物流园" in page
        and "王五" in page
        and "景区闸机" in page
        and "100%" in page
    )
    assert AuditEvent.objects.filter(scope_path=book.village.path, verb="create").count() >= 5


def test_a_bad_place_a_half_point_another_role_and_another_village_are_refused(
    world, book, accountant, supervisor
):
    keeper = client_as(accountant)
    outside = keeper.post(
        url(book, "resource"),
        {
            "kind": "forest",
            "name": "后山林地",
            "area_mu": "50",
            "use": "idle",
            "place": world.community_b.pk,
        },
    )
    assert outside.status_code == 422 and Resource.objects.count() == 0
    half = keeper.post(
        url(book, "resource"),
        {"kind": "forest", "name": "后山林地", "area_mu": "50", "use": "idle", "lng": "116.3"},
    )
    assert half.status_code == 422 and "经度和纬度应同时填写" in half.content.decode()
    assert Resource.objects.count() == 0

    checker = client_as(supervisor)
    assert "登记资源" not in checker.get(url(book)).content.decode()
    refused = checker.post(
        url(book, "job"), {"employer": "某厂", "trade": "制造", "count": 3, "since": "2026-01-01"}
    )
    assert refused.status_code in (403, 422) and Job.objects.count() == 0
    stranger = client_as(world.user("outsider_b"))
    assert stranger.get(url(book)).status_code == 404


def test_the_labour_force_reads_the_residents_registry_and_the_survey(world, book, accountant):
    from apps.core.testing.factories import PersonFactory

    from ..selectors import REGISTRY, SURVEY, labour_force

    for trade, n in (("物流", 3), ("养殖", 2), ("种植", 1)):
        for _ in range(n):
            PersonFactory(place=world.household_a, trade=trade)
    PersonFactory(place=world.household_a, trade="物流", active=False)  # not 在册
    PersonFactory(place=world.household_b, trade="物流")  # another village
    PersonFactory(place=world.household_a)  # no trade recorded
    LabourSurvey.objects.create(book=book, year=2025, trade="物流", count=1)  # an older survey
    LabourSurvey.objects.create(book=book, year=2026, trade="物流", count=2)
    LabourSurvey.objects.create(book=book, year=2026, trade="种植", count=5)
    LabourSurvey.objects.create(book=book, year=2026, trade="外出务工", count=4)

    force = labour_force(book)
    assert force.survey_year == 2026
    rows = [(f.trade, f.registered, f.surveyed, f.count, f.source, f.share) for f in force.trades]
    assert rows == [
        ("种植", 1, 5, 5, SURVEY, 36),
        ("外出务工", 0, 4, 4, SURVEY, 29),
        ("物流", 3, 2, 3, REGISTRY, 21),
        ("养殖", 2, None, 2, REGISTRY, 14),
    ]
    assert (force.total, force.registered) == (14, 6)
    page = client_as(accountant).get(url(book)).content.decode()
    labour = page[page.index('id="labour"') :]
    labour = labour[: labour.index("</table>")]
    assert "2026年调查" in labour and "居民台账" in labour and "劳动力调查" in labour
    assert "<th>14</th>" in labour and "36%" in labour
