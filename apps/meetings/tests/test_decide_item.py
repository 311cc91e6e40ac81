"""A meeting's decisions move the right cases through the case engine (会议决定), with case
events and audit rows; a hand item's decision registers its case; refusals change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.cases.models import Case
from apps.cases.tests.helpers import make_category
from apps.core.models import AuditEvent
from apps.meetings.actions import (
    ItemInput,
    do_close_meeting,
    do_decide_item,
    do_hold_meeting,
)
from apps.meetings.models import AgendaItem

from .conftest import case_item

pytestmark = pytest.mark.django_db


def held(meeting, world):
    return do_hold_meeting(
        meeting,
        actor=world.user("community_a"),
        present_ids=meeting.participants.values_list("pk", flat=True),
        minutes="讨论了议程上的问题",
    )


def test_a_decision_redispatches_the_case_to_the_owner_with_a_new_deadline(
    world, flagged, make_meeting
):
    meeting = make_meeting(
        items=[case_item(flagged.returned), case_item(flagged.overdue, "overdue")]
    )
    held(meeting, world)
    item = meeting.items.get(cases=flagged.returned)
    deadline = timezone.localdate() + dt.timedelta(days=10)
    do_decide_item(
        item,
        actor=world.user("community_a"),
        decision="由网格员牵头，十日内清理",
        owner=world.user("grid_worker_a"),
        deadline=deadline,
    )
    case = Case.objects.get(pk=flagged.returned.pk)
    assert case.status == "dispatched"
    assert case.assignee == world.user("grid_worker_a")
    assert timezone.localtime(case.resolve_by).date() == deadline
    event = case.events.get(action="meeting_decide")
    assert event.from_status == "returned" and event.to_status == "dispatched"
    assert "幸福小区五方议事会" in event.note and "由网格员牵头" in event.note
    assert event.data["meeting"] == meeting.pk
    assert AuditEvent.objects.filter(
        object_type="meetings.agendaitem", object_id=str(item.pk), verb="update"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), changes__action="meeting_decide"
    ).exists()
    # the other item's case is untouched
    other = Case.objects.get(pk=flagged.overdue.pk)
    assert other.status == "submitted" and not other.events.filter(action="meeting_decide")


def test_a_decision_without_a_new_owner_keeps_the_status(world, flagged, make_meeting):
    meeting = make_meeting(items=[case_item(flagged.reopened, "reopened")])
    held(meeting, world)
    before = Case.objects.get(pk=flagged.reopened.pk)
    do_decide_item(
        meeting.items.get(),
        actor=world.user("community_a"),
        decision="原承办人继续办理，三日内办结",
        deadline=timezone.localdate() + dt.timedelta(days=3),
    )
    case = Case.objects.get(pk=flagged.reopened.pk)
    assert (case.status, case.assignee_id) == (before.status, before.assignee_id)
    assert case.resolve_by != before.resolve_by


def test_a_hand_item_decision_registers_a_case_from_the_meeting(world, make_meeting):
    meeting = make_meeting(items=[ItemInput(title="小区停车位规划")])
    held(meeting, world)
    item = meeting.items.get()
    do_decide_item(
        item,
        actor=world.user("community_a"),
        decision="划定临时停车位，网格员负责",
        owner=world.user("grid_worker_a"),
        category=make_category("c-parking"),
    )
    [case] = AgendaItem.objects.get(pk=item.pk).cases.all()
    assert case.source == "meeting" and case.title == "小区停车位规划"
    assert case.place == world.community_a
    assert case.status == "dispatched" and case.assignee == world.user("grid_worker_a")
    assert list(case.events.values_list("action", flat=True)) == ["submit", "meeting_decide"]


def test_a_hand_item_needs_a_category(world, make_meeting):
    meeting = make_meeting(items=[ItemInput(title="小区停车位规划")])
    held(meeting, world)
    with pytest.raises(ValidationError) as exc:
        do_decide_item(meeting.items.get(), actor=world.user("community_a"), decision="划线")
    assert exc.value.message_dict == {"category": ["临时动议须选择事项类别，决定后登记为事项"]}
    assert not Case.objects.filter(source="meeting").exists()


def test_no_decision_before_the_meeting_is_held(world, flagged, make_meeting):
    meeting = make_meeting(items=[case_item(flagged.returned)])
    with pytest.raises(ValidationError) as exc:
        do_decide_item(meeting.items.get(), actor=world.user("community_a"), decision="x")
    assert exc.value.messages == ["会议召开后才能登记决定"]


def test_a_meeting_closes_only_when_every_item_is_decided(world, flagged, make_meeting):
    meeting = make_meeting(items=[case_item(flagged.returned), ItemInput(title="通报")])
    held(meeting, world)
    with pytest.raises(ValidationError) as exc:
        do_close_meeting(meeting, actor=world.user("community_a"))
    assert exc.value.messages == ["还有2个议题未作决定"]


def test_an_outsider_cannot_prepare_a_meeting_of_another_area(world, make_meeting):
    with pytest.raises(PermissionDenied):
        make_meeting(actor="outsider_b")
