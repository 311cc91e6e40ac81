"""The 林长制 offices hear of forest events: a ranger's report goes to the zone's chief and the
township office (not to the town's dispatchers as "新事项待受理"); an escalation — the chief
levels' own, or the case engine's by time limit or by hand — tells the office of the level it
reached."""

import datetime as dt

import pytest

from apps.accounts.choices import Role
from apps.cases import actions as case_actions
from apps.cases.models import Case
from apps.core.testing import client_as
from apps.core.testing.factories import PersonFactory, make_user
from apps.forestry import actions
from apps.forestry.choices import EventKind
from apps.forestry.models import ForestEvent, ZoneProfile
from apps.notifications.models import Notification
from apps.orgs.choices import MemberRole, OrgKind
from apps.orgs.models import Membership, Organisation
from apps.places.choices import PlaceKind

from .conftest import LAT0, LNG0

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(forest, world):
    """The county's 林长制 office and the township's under it, each with one staff account
    (a seat in the organisation); the zone's profile points at the township's office."""
    county = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="兴国县林长制办公室", place=world.county
    )
    town = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="潋江镇林长制办公室", place=world.town, parent=county
    )
    ZoneProfile.objects.create(zone=forest.zone, area_mu=12000, office_org=town)
    staff = {}
    for name, org, scope in [
        ("county_office", county, world.county),
        ("town_office", town, world.town),
    ]:
        person = PersonFactory(name=f"{org.name}干事", place=world.household_b)
        Membership.objects.create(organisation=org, person=person, role=MemberRole.STAFF)
        staff[name] = make_user(f"f_{name}", Role.FOREST_CHIEF, scope, person=person)
    # a former member of the township office, whose seat ended: not told
    former = PersonFactory(name="已调离干事", place=world.household_b)
    Membership.objects.create(
        organisation=town, person=former, role=MemberRole.STAFF, end_date=dt.date(2025, 12, 31)
    )
    staff["former"] = make_user("f_former", Role.FOREST_CHIEF, world.town, person=former)
    return staff


def titles(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True)
    )


def test_ranger_report_tells_the_chief_and_office_not_the_town_dispatcher(
    forest, world, offices, django_capture_on_commit_callbacks
):
    ranger = forest.user("ranger1")
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    with django_capture_on_commit_callbacks(execute=True):
        r = client_as(ranger).post(
            f"/forest/patrols/{patrol.pk}/event/",
            {"kind": "fire", "description": "山脚烧荒余火未灭", "lat": LAT0, "lng": LNG0},
        )
    assert r.status_code == 302
    case = ForestEvent.objects.get().case
    told = f"林区事件：{case.title}"
    assert told in titles(forest.user("village_chief"))
    assert told in titles(forest.user("ranger2"))
    assert told in titles(offices["town_office"])
    # the reporter, the former office member and the county office are not told
    assert titles(ranger) == [] and titles(offices["former"]) == []
    assert titles(offices["county_office"]) == []
    # the town's dispatcher is not asked to accept a case the rule already accepted
    assert titles(world.user("town_staff")) == []
    assert not Notification.objects.filter(title__startswith="新事项待受理").exists()
    # the chief's notice leads to the case page, where 接单 is offered
    chief = client_as(forest.user("village_chief"))
    page = chief.get(f"/forest/events/{ForestEvent.objects.get().pk}/", follow=True)
    assert page.status_code == 200 and case.number in page.content.decode()


def test_a_case_not_routed_still_tells_the_dispatchers(world, django_capture_on_commit_callbacks):
    """Outside forest zones nothing changes: the town's dispatchers hear of a new case."""
    from apps.cases.models import Category

    with django_capture_on_commit_callbacks(execute=True):
        case, _ = case_actions.do_create_case(
            actor=world.user("community_a"),
            category=Category.objects.get(code="forest-fire"),
            place=world.community_a,
            title="村边山火隐患",
        )
    assert titles(world.user("town_staff")) == [f"新事项待受理：{case.title}"]


def test_chief_level_escalation_tells_that_levels_office(
    forest, offices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = actions.do_report_event(
            forest.zone, EventKind.LOGGING, actor=forest.user("ranger1")
        )
    case = event.case
    later = case.respond_by + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_events(later) == 1
    up = f"林区事件超时未响应，已上报：{case.title}"
    assert up in titles(forest.user("town_chief"))
    assert up in titles(offices["town_office"]) and up not in titles(offices["county_office"])
    much_later = later + (case.respond_by - case.created_at) * 2
    ForestEvent.objects.filter(pk=event.pk).update(updated_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_events(much_later) == 1
    assert up in titles(forest.user("county_chief")) and up in titles(offices["county_office"])
    assert titles(offices["former"]) == []


def test_case_engine_escalation_tells_the_county_office(
    forest, world, offices, django_capture_on_commit_callbacks
):
    """The routed case (town level) not resolved in time: the engine's monitor escalates it
    to the county, and the county's 林长制 office hears of it with the county's dispatchers;
    by hand the same."""
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.do_report_event(forest.zone, EventKind.PEST, actor=forest.user("ranger1"))
        second = actions.do_report_event(forest.zone, EventKind.LAND, actor=forest.user("ranger1"))
    case = Case.objects.get(pk=first.case_id)
    assert case.level == "town" and case.status == "dispatched"
    Case.objects.filter(pk=second.case_id).update(
        resolve_by=case.resolve_by + dt.timedelta(days=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert case_actions.escalate_overdue(case.resolve_by + dt.timedelta(minutes=1)) == 1
    case.refresh_from_db()
    assert case.level == "county"
    assert f"事项上报至{world.county.name}：{case.title}" in titles(offices["county_office"])
    assert titles(world.user("county_leader"))  # the county's dispatchers, as before
    # by hand: the town's dispatcher escalates the other one
    other = Case.objects.get(pk=second.case_id)
    with django_capture_on_commit_callbacks(execute=True):
        r = client_as(world.user("town_staff")).post(
            f"/cases/{other.pk}/transition/", {"action": "escalate", "note": "跨乡镇，需县里协调"}
        )
    assert r.status_code == 302, r.content.decode()[:500]
    other.refresh_from_db()
    assert other.level == "county"
    assert f"事项上报至{world.county.name}：{other.title}" in titles(offices["county_office"])


def test_state_forest_farm_zone_its_office_and_figures(
    forest, world, offices, django_capture_on_commit_callbacks
):
    """A zone under the county managed by a 国有林场: its page names the farm, its events go
    to the farm's office, the county's figures list the farm beside the township."""
    from apps.core.testing.factories import DutyFactory, make_place
    from apps.duties.choices import DutyKind
    from apps.forestry import indicators
    from apps.forestry.models import StateForestFarm

    county_office = Organisation.objects.get(name="兴国县林长制办公室")
    farm_office = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT,
        name="东山国有林场林长制办公室",
        place=world.county,
        parent=county_office,
    )
    farm = StateForestFarm.objects.create(
        name="东山国有林场", place=world.county, office_org=farm_office
    )
    zone = make_place(PlaceKind.FOREST_ZONE, "东山国有林场林区", world.county)
    ZoneProfile.objects.create(zone=zone, area_mu=30000, farm=farm, office_org=farm_office)
    person = PersonFactory(name="林场干事", place=world.household_b)
    Membership.objects.create(organisation=farm_office, person=person, role=MemberRole.STAFF)
    farm_staff = make_user("f_farm_office", Role.FOREST_CHIEF, world.county, person=person)
    ranger_person = PersonFactory(name="林场护林员", place=world.household_b)
    DutyFactory(person=ranger_person, place=zone, kind=DutyKind.RANGER)
    ranger = make_user("f_farm_ranger", Role.RANGER, zone, person=ranger_person)

    page = client_as(forest.user("county_chief")).get(f"/forest/zones/{zone.pk}/")
    assert "管理单位：东山国有林场" in page.content.decode()
    town_page = client_as(forest.user("county_chief")).get(f"/forest/zones/{forest.zone.pk}/")
    assert "管理单位：潋江镇" in town_page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        event = actions.do_report_event(zone, EventKind.PEST, actor=ranger)
    assert f"林区事件：{event.case.title}" in titles(farm_staff)
    assert titles(offices["town_office"]) == []

    units = indicators.zones_by_unit(world.county)
    assert [(u["name"], u["kind"], u["n"], u["mu"], u["office"]) for u in units] == [
        ("潋江镇", "乡镇", 1, 12000.0, "潋江镇林长制办公室"),
        ("东山国有林场", "国有林场", 1, 30000.0, "东山国有林场林长制办公室"),
    ]
    assert indicators.offices(world.county) == 3  # the county's, the township's, the farm's
    home = client_as(forest.user("county_chief")).get("/forest/").content.decode()
    assert 'id="forest-units"' in home and "东山国有林场" in home
