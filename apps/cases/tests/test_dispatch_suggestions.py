"""Dispatch suggestions: who is offered, how they are ranked and why, one-click dispatch
through the transition action, and a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.choices import Role
from apps.cases import dispatch
from apps.cases.choices import Level, Status
from apps.cases.errors import NotAllowed
from apps.cases.models import Case, CaseEvent, Category
from apps.cases.selectors import dispatch_suggestions
from apps.core.testing.factories import PersonFactory, make_place, make_user
from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import Skill
from apps.volunteers.models import Volunteer

from .helpers import make_case, make_category, walk

pytestmark = pytest.mark.django_db

SATURDAY_10AM = timezone.make_aware(dt.datetime(2026, 3, 7, 10, 0))


def volunteer(world, name, skills, *, place=None, availability=None, account=True):
    person = PersonFactory(name=name, place=place or world.household_a)
    v = Volunteer.objects.create(person=person, availability=availability or {})
    v.skills.set(Skill.objects.filter(code__in=skills))
    user = None
    if account:
        user = make_user(f"v-{person.pk}", Role.VOLUNTEER, world.community_a, person=person)
    return person, user


def repairs(world):
    category = Category.objects.get(code="repairs")
    return make_case(world, category=category, title="厨房水管漏水")


def dispatcher(case):
    return "grid_worker_a" if case.level == Level.GRID else "community_a"


def accepted(world, case):
    return walk(case, world, ("accept", dispatcher(case), None))


def test_it_maps_the_seeded_categories_to_skills():
    assert Category.objects.get(code="repairs").skill_codes == ["plumbing", "repair"]
    assert Category.objects.get(code="legal-aid").skill_codes == ["legal"]


def test_it_offers_volunteers_with_a_matching_skill_and_says_why(world):
    volunteer(world, "王师傅", ["plumbing"], availability={"sat": ["09:00-12:00"]})
    volunteer(world, "李老师", ["tutoring"])
    case = accepted(world, repairs(world))
    found = dispatch_suggestions(world.user("grid_worker_a"), case, now=SATURDAY_10AM)
    names = [c.name for c in found]
    assert "王师傅" in names and "李老师" not in names
    wang = found[names.index("王师傅")]
    assert wang.reasons.startswith("技能匹配：水电维修；")
    assert "在办 0 件" in wang.reasons and "现在可服务" in wang.reasons
    assert "暂无评价" in wang.reasons
    assert wang.dispatchable and wang.data == {"assignee": wang.user.pk}


def test_it_ranks_by_load_and_rating_when_skills_tie(world):
    _, busy = volunteer(world, "忙师傅", ["plumbing"])
    volunteer(world, "闲师傅", ["plumbing"])
    for i in range(3):
        other = accepted(world, make_case(world, title=f"别的事{i}"))
        walk(other, world, ("dispatch", dispatcher(other), {"assignee": busy.pk}))
    case = accepted(world, repairs(world))
    found = dispatch_suggestions(world.user("grid_worker_a"), case)
    ranked = [c.name for c in found if c.kind == dispatch.Kind.VOLUNTEER]
    assert ranked == ["闲师傅", "忙师傅"]
    assert "在办 3 件" in found[[c.name for c in found].index("忙师傅")].reasons


def test_it_uses_haversine_when_both_points_are_known(world):
    near = make_place("household", "102室", world.unit_a, lng=115.3600, lat=26.3300)
    volunteer(world, "近师傅", ["plumbing"], place=near)
    Case.objects.all().delete()
    case = make_case(
        world, category=Category.objects.get(code="repairs"), lng=115.3600, lat=26.3372
    )
    case = accepted(world, case)
    found = dispatch_suggestions(world.user("grid_worker_a"), case)
    assert "距离 0.8 公里" in found[0].reasons


def test_it_falls_back_to_tree_distance_without_coordinates(world):
    assert dispatch.tree_hops(world.household_a.path, world.household_a.path) == 0
    assert dispatch.tree_hops(world.household_a.path, world.grid_a.path) == 4
    volunteer(world, "远师傅", ["plumbing"], place=world.grid_a)
    case = accepted(world, repairs(world))
    found = dispatch_suggestions(world.user("grid_worker_a"), case)
    assert "相隔 4 级地点（无坐标）" in found[0].reasons


def test_it_offers_the_baolian_party_member_and_the_grid_worker(world):
    member = PersonFactory(name="党员赵", place=world.household_a)
    Duty.objects.create(person=member, place=world.household_a, kind=DutyKind.BAOLIAN)
    make_user("pm-zhao", Role.PARTY_MEMBER, world.community_a, person=member)
    worker = PersonFactory(name="网格员钱", place=world.grid_a)
    Duty.objects.create(person=worker, place=world.grid_a, kind=DutyKind.GRID_WORKER)
    world.user("grid_worker_a").person = worker
    world.user("grid_worker_a").save()
    old = PersonFactory(name="卸任孙", place=world.household_a)
    Duty.objects.create(
        person=old,
        place=world.household_a,
        kind=DutyKind.BAOLIAN,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
    )
    case = accepted(world, make_case(world, category=make_category()))
    found = {c.name: c for c in dispatch_suggestions(world.user("community_a"), case)}
    assert set(found) == {"党员赵", "网格员钱"}
    assert found["党员赵"].reasons.startswith("包联该户；")
    assert found["网格员钱"].reasons.startswith("红门第一网格网格员；")
    assert found["网格员钱"].user == world.user("grid_worker_a")


def test_it_marks_a_person_without_an_account(world):
    volunteer(world, "无号师傅", ["plumbing"], account=False)
    case = accepted(world, repairs(world))
    [c] = dispatch_suggestions(world.user("grid_worker_a"), case)
    assert not c.dispatchable and c.note == "无账号，需线下联系"
    assert c.data == {}


def test_it_offers_departments_for_county_cases(world):
    roads = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="县交通局", place=world.county
    )
    Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="县民政局", place=world.county)
    category = make_category("county-roads", level=Level.COUNTY)
    category.default_department = roads
    category.save()
    case = make_case(world, category=category, actor=world.user("county_leader"))
    case = walk(case, world, ("accept", "county_leader", None))
    found = dispatch_suggestions(world.user("county_leader"), case)
    assert [c.name for c in found][:2] == ["县交通局", "县民政局"]
    assert found[0].reasons.startswith("该类事项的默认职能部门；")
    assert found[0].data == {"department": roads.pk}


def test_it_refuses_someone_who_may_not_dispatch(world):
    case = accepted(world, repairs(world))
    with pytest.raises(NotAllowed):
        dispatch_suggestions(world.user("volunteer_a"), case)


def test_it_reads_availability_from_the_weekly_pattern():
    pattern = {"sat": ["09:00-12:00"], "sun": ["bad"]}
    assert dispatch.available_at(pattern, SATURDAY_10AM) is True
    assert dispatch.available_at(pattern, SATURDAY_10AM + dt.timedelta(hours=3)) is False
    assert dispatch.available_at(pattern, SATURDAY_10AM + dt.timedelta(days=1)) is False
    assert dispatch.available_at({}, SATURDAY_10AM) is None


def test_a_dated_exception_overrides_the_weekly_pattern(world):
    """A volunteer on leave today is not offered as free, even inside the weekly pattern; one
    with extra hours today is, even outside it (the services app's exceptions)."""
    from apps.volunteers.models import AvailabilityException

    away, _ = volunteer(world, "王师傅", ["plumbing"], availability={"sat": ["09:00-12:00"]})
    extra, _ = volunteer(world, "李师傅", ["plumbing"], availability={"sun": ["09:00-12:00"]})
    case = accepted(world, repairs(world))

    def by_name():
        found = dispatch_suggestions(world.user("grid_worker_a"), case, now=SATURDAY_10AM)
        return {c.name: c for c in found}

    before = by_name()
    assert before["王师傅"].available is True and before["李师傅"].available is False
    saturday = SATURDAY_10AM.date()
    AvailabilityException.objects.create(
        volunteer=away.volunteer, on=saturday, kind="unavailable", note="请假"
    )
    AvailabilityException.objects.create(
        volunteer=extra.volunteer,
        on=saturday,
        kind="extra",
        start=dt.time(9, 0),
        end=dt.time(11, 0),
    )
    after = by_name()
    assert after["王师傅"].available is False and "现在不在服务时间" in after["王师傅"].reasons
    assert after["李师傅"].available is True and "现在可服务" in after["李师傅"].reasons
    assert after["李师傅"].score > after["王师傅"].score


def test_it_keeps_queries_bounded(world, django_assert_max_num_queries):
    for i in range(12):
        volunteer(world, f"志愿者{i}", ["plumbing", "repair"])
        member = PersonFactory(name=f"党员{i}", place=world.household_a)
        Duty.objects.create(person=member, place=world.unit_a, kind=DutyKind.BAOLIAN)
    case = accepted(world, repairs(world))
    case = Case.objects.select_related("place", "handling_unit", "category").get(pk=case.pk)
    user = world.user("grid_worker_a")
    with django_assert_max_num_queries(13):
        found = dispatch_suggestions(user, case)
        [c.reasons for c in found]
    assert len(found) == 20


def test_it_dispatches_with_one_click_through_the_transition(client, world):
    _, user = volunteer(world, "王师傅", ["plumbing"])
    case = accepted(world, repairs(world))
    client.force_login(world.user("grid_worker_a"))
    html = client.get(f"/cases/{case.pk}/dispatch/").content.decode()
    assert "王师傅" in html and "技能匹配：水电维修" in html
    response = client.post(f"/cases/{case.pk}/dispatch/", {"assignee": user.pk, "note": "建议"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.assignee == user
    event = CaseEvent.objects.filter(case=case).last()
    assert event.action == "dispatch" and event.data["assignee"] == user.pk


def test_it_serves_suggestions_over_the_api(client, world):
    volunteer(world, "王师傅", ["plumbing"])
    case = accepted(world, repairs(world))
    client.force_login(world.user("grid_worker_a"))
    [row] = client.get(f"/api/v1/cases/{case.pk}/suggestions").json()
    assert row["name"] == "王师傅" and row["dispatchable"] is True
    assert set(row["parts"]) == {"match", "distance", "load", "availability", "rating"}
    client.force_login(world.user("volunteer_a"))
    assert client.get(f"/api/v1/cases/{case.pk}/suggestions").status_code == 403
