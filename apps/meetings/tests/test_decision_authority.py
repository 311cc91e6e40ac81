"""Who decides what (issue 20, item 7): a meeting decides the cases handled within its
area; an escalated case is beyond it and gets the decision as a recommendation instead of
refusing the whole item; a case already being handled keeps its handler unless the decision
says to re-dispatch it; a meeting is recorded as held only once it has started; the page says
all this before the vote; hot topics are named by a case's own title."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.cases.models import Case
from apps.cases.tests.helpers import make_case, make_category, walk
from apps.core.models import AuditEvent
from apps.meetings.actions import ItemInput, do_decide_item, do_hold_meeting
from apps.meetings.models import AgendaItem, Meeting
from apps.meetings.selectors import propose_agenda

pytestmark = pytest.mark.django_db


def held(meeting, world):
    return do_hold_meeting(
        meeting,
        actor=world.user("community_a"),
        present_ids=meeting.participants.values_list("pk", flat=True),
    )


def in_progress(world, title):
    vol = world.user("volunteer_a").pk
    return walk(
        make_case(world, title=title, category=make_category("c-progress")),
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": vol}),
        ("claim", "volunteer_a", None),
        ("start", "volunteer_a", None),
    )


def test_an_escalated_case_is_forwarded_and_the_rest_decided(
    world, flagged, make_meeting, django_capture_on_commit_callbacks
):
    meeting = make_meeting(
        items=[
            ItemInput(
                title="两件",
                source="escalated",
                case_ids=[flagged.escalated.pk, flagged.returned.pk],
            )
        ]
    )
    held(meeting, world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = do_decide_item(
            meeting.items.get(),
            actor=world.user("community_a"),
            decision="网格员先行清理，请镇里协调疏通",
            owner=world.user("grid_worker_a"),
        )
    assert item.decided_at is not None
    assert item.applied == {
        "decided": [flagged.returned.pk],
        "kept": [],
        "forwarded": [flagged.escalated.pk],
    }
    escalated = Case.objects.get(pk=flagged.escalated.pk)
    assert escalated.status == "escalated" and escalated.assignee_id is None
    assert not escalated.events.filter(action="meeting_decide").exists()
    returned = Case.objects.get(pk=flagged.returned.pk)
    assert (returned.status, returned.assignee) == ("dispatched", world.user("grid_worker_a"))
    assert callbacks, "the recommendation to the town is queued after commit"
    audit = AuditEvent.objects.get(object_type="meetings.agendaitem", object_id=str(item.pk))
    assert audit.changes["forwarded"] == [flagged.escalated.pk]


def test_a_case_in_progress_keeps_its_handler_unless_redispatch_is_chosen(world, make_meeting):
    kept, moved = in_progress(world, "路灯不亮"), in_progress(world, "路灯闪烁")
    meeting = make_meeting(
        items=[
            ItemInput(title="路灯", source="overdue", case_ids=[kept.pk]),
            ItemInput(title="路灯二", source="overdue", case_ids=[moved.pk]),
        ]
    )
    held(meeting, world)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    first, second = meeting.items.order_by("order")
    item = do_decide_item(
        first,
        actor=world.user("community_a"),
        decision="网格员督促，五日内修好",
        owner=world.user("grid_worker_a"),
        deadline=deadline,
    )
    case = Case.objects.get(pk=kept.pk)
    assert (case.status, case.assignee) == ("in_progress", world.user("volunteer_a"))
    assert timezone.localtime(case.resolve_by).date() == deadline
    assert case.events.filter(action="meeting_decide").exists()
    assert item.applied["kept"] == [kept.pk]

    do_decide_item(
        second,
        actor=world.user("community_a"),
        decision="改由网格员办理",
        owner=world.user("grid_worker_a"),
        redispatch=True,
    )
    case = Case.objects.get(pk=moved.pk)
    assert (case.status, case.assignee) == ("dispatched", world.user("grid_worker_a"))


def test_a_meeting_cannot_be_held_before_it_starts(world, make_meeting):
    starts = timezone.now() + dt.timedelta(days=3)
    meeting = make_meeting(starts_at=starts)
    with pytest.raises(ValidationError) as exc:
        held(meeting, world)
    when = timezone.localtime(starts)
    assert exc.value.messages == [f"会议定于{when:%Y-%m-%d %H:%M}召开，时间未到，不能登记召开"]
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_the_pages_say_who_decides_before_the_vote(world, flagged, make_meeting, client_as):
    working = in_progress(world, "楼道堆物")
    meeting = make_meeting(
        items=[
            ItemInput(
                title="三件",
                source="escalated",
                case_ids=[flagged.escalated.pk, flagged.returned.pk, working.pk],
            )
        ]
    )
    staff = client_as("community_a")
    early = make_meeting(starts_at=timezone.now() + dt.timedelta(days=2))
    body = staff.get(f"/meetings/{early.pk}/").content.decode()
    assert "开始后才能登记出席和召开" in body and 'id="hold-form"' not in body
    refused = staff.post(
        f"/meetings/{early.pk}/hold/", {"present": [], "walk_ins": "王五 居民", "minutes": ""}
    )
    # Refused on the same page (422), with the form as typed, instead of a redirect.
    assert refused.status_code == 422
    assert "时间未到，不能登记召开" in refused.content.decode()
    assert refused.context["hold_form"]["walk_ins"].value() == "王五 居民"

    held(meeting, world)
    item = meeting.items.get()
    body = staff.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "本会议可以决定由红门社区范围内单位承办的事项" in body
    assert "本会议可决定其中 2 件；另 1 件由潋江镇承办，超出本会议权限" in body
    assert "把已在办理中的1件改派给上面的责任人" in body

    response = staff.post(
        f"/meetings/{meeting.pk}/items/{item.pk}/decide/",
        {
            f"item{item.pk}-decision": "网格员牵头处理",
            f"item{item.pk}-owner": world.user("grid_worker_a").pk,
        },
    )
    assert response.status_code == 302
    page = staff.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "按决定办理1件；办理中的1件保持原承办人；1件超出本会议权限，已作为建议转送潋江镇" in page
    assert Case.objects.get(pk=working.pk).status == "in_progress"
    assert AgendaItem.objects.get(pk=item.pk).decided_at is not None


def test_the_agenda_picker_is_grouped_searchable_and_unticked(world, flagged, client_as):
    body = (
        client_as("community_a")
        .get("/meetings/new/", {"place": world.community_a.pk})
        .content.decode()
    )
    assert 'id="proposal-search"' in body
    for label in ("超期未办", "已上报", "已退单", "重办", "热点诉求"):
        assert label in body
    assert body.count('class="proposal-group"') == 5
    assert 'name="proposals"' in body and " checked>" not in body


def test_a_hot_topic_is_named_by_a_representative_case(world, flagged):
    proposals = propose_agenda(world.user("community_a"), world.community_a)
    [hot] = [p for p in proposals if p.source == "hot"]
    titles = {c.title for c in flagged.hot}
    name, _, rest = hot.title.partition("（")
    assert name in titles and rest == "同类3件）"
