"""Orders answered through a brand: attribution rules, dispatch to a brand volunteer through
the case engine, person-times once the order is resolved, detaching with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.activities.choices import SignupSource
from apps.activities.models import Activity, Participation
from apps.cases.actions import do_create_case, do_transition
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.core.testing.factories import PersonFactory

from ..actions import do_attribute_order, do_detach_order
from ..models import BrandOrder
from ..selectors import brand_figures, person_times_served


def order(world, code="elderly-care", place=None, kind="service_order", persons=()):
    case, _ = do_create_case(
        actor=world.user("town_staff"),
        category=Category.objects.get(code=code),
        place=place or world.household_a,
        title="想请人陪老人聊天",
        kind=kind,
        persons=persons,
    )
    return case


def test_it_attributes_and_dispatches_to_a_brand_volunteer(world, brand, helper):
    _, user = helper
    case = order(world)
    link = do_attribute_order(brand, case, actor=world.user("community_a"), assignee=user)
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("dispatched", user)
    assert link.brand == brand
    event = AuditEvent.objects.get(object_type="brands.brandorder")
    assert event.changes == {"brand": brand.pk, "case": case.pk, "assignee": user.pk}


def test_person_times_count_resolved_orders_once(world, brand, helper):
    _, user = helper
    grandma = PersonFactory(name="张奶奶", place=world.household_a)
    grandpa = PersonFactory(name="张爷爷", place=world.household_a)
    both = order(world, persons=[grandma, grandpa])
    alone = order(world)
    for case in (both, alone):
        do_attribute_order(brand, case, actor=world.user("community_a"), assignee=user)
    assert brand_figures([brand])[brand.pk].person_times == 0
    for case in (both, alone):
        case = do_transition(Case.objects.get(pk=case.pk), "claim", actor=user)
        do_transition(case, "resolve", actor=user, note="已上门陪伴")
    figures = brand_figures([brand])[brand.pk]
    assert (figures.orders, figures.resolved, figures.person_times) == (2, 2, 3)
    today = timezone.localdate()
    assert person_times_served(world.community_a, today, today) == 3
    assert person_times_served(world.community_b, today, today) == 0


def test_it_refuses_what_the_brand_does_not_answer(world, brand):
    staff = world.user("community_a")
    with pytest.raises(ValidationError, match="“暖巢行动”不承接“水电维修”类服务"):
        do_attribute_order(brand, order(world, "repairs"), actor=staff)
    with pytest.raises(ValidationError, match="隐患类事项不能归入服务品牌"):
        do_attribute_order(brand, order(world, kind="hazard"), actor=staff)
    outside = order(world, place=world.household_b)
    with pytest.raises(ValidationError, match="工单不在“暖巢行动”的服务社区内"):
        do_attribute_order(brand, outside, actor=world.user("town_staff"))
    case = order(world)
    do_attribute_order(brand, case, actor=staff)
    with pytest.raises(ValidationError, match="该工单已归入“暖巢行动”"):
        do_attribute_order(brand, case, actor=staff)
    with pytest.raises(PermissionDenied):
        do_attribute_order(brand, order(world), actor=world.user("outsider_b"))


def test_a_failed_dispatch_attributes_nothing(world, brand):
    case = order(world)
    with pytest.raises(ValidationError, match="不能承办该事项"):
        do_attribute_order(
            brand, case, actor=world.user("community_a"), assignee=world.user("outsider_b")
        )
    assert not BrandOrder.objects.exists()
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_it_detaches_with_a_reason(world, brand):
    link = do_attribute_order(brand, order(world), actor=world.user("community_a"))
    with pytest.raises(ValidationError, match="请填写移出原因"):
        do_detach_order(link, actor=world.user("community_a"), reason=" ")
    do_detach_order(link, actor=world.user("community_a"), reason="归错品牌")
    assert not BrandOrder.objects.exists()
    event = AuditEvent.objects.get(object_type="brands.brandorder", verb="delete")
    assert event.changes["reason"] == "归错品牌"


def test_activities_of_the_brand_add_their_attendance(world, brand):
    now = timezone.now()

    def activity(place, status="published", project="暖巢行动"):
        return Activity.objects.create(
            title="重阳节敬老",
            kind="volunteer",
            place=place,
            start_at=now - timezone.timedelta(hours=3),
            end_at=now - timezone.timedelta(hours=1),
            project=project,
            status=status,
            walk_ins=2,
        )

    held = activity(world.grid_a)
    for name in ("李奶奶", "赵爷爷", "钱奶奶"):
        Participation.objects.create(
            activity=held,
            person=PersonFactory(name=name, place=world.household_a),
            source=SignupSource.values[0],
            checked_in_at=now if name != "钱奶奶" else None,
        )
    activity(world.grid_a, status="cancelled")  # never counts
    activity(world.grid_b)  # not in the brand's communities
    activity(world.grid_a, project="童心港湾")  # another brand's
    figures = brand_figures([brand])[brand.pk]
    assert (figures.activities, figures.activity_person_times) == (1, 2 + 2)
    today = timezone.localdate()
    assert person_times_served(world.community_a, today - timezone.timedelta(days=1), today) == 4
