import datetime as dt

import pytest
from django.utils import timezone

from apps.cases.tests.helpers import make_case, make_category, walk
from apps.meetings.actions import ItemInput, ParticipantInput, do_create_meeting


class Flagged:
    """One case of each kind the agenda proposes, in community A, plus cases it must not
    propose (a quiet open case, a resolved overdue case, an overdue case of community B)."""

    def __init__(self, world):
        vol = world.user("volunteer_a").pk
        past = timezone.now() - dt.timedelta(hours=2)
        self.overdue = make_case(world, title="楼道灯坏了", category=make_category("c-light"))
        type(self.overdue).objects.filter(pk=self.overdue.pk).update(respond_by=past)
        self.escalated = walk(
            make_case(world, title="下水道堵塞", category=make_category("c-drain")),
            world,
            ("escalate", "community_a", None),
        )
        self.returned = walk(
            make_case(world, title="树枝压断电线", category=make_category("c-tree")),
            world,
            ("accept", "community_a", None),
            ("dispatch", "community_a", {"assignee": vol}),
            ("claim", "volunteer_a", None),
            ("return", "volunteer_a", {"note": "不在服务范围"}),
        )
        reopened = walk(
            make_case(world, title="井盖丢失", category=make_category("c-cover")),
            world,
            ("accept", "community_a", None),
            ("dispatch", "community_a", {"assignee": vol}),
            ("claim", "volunteer_a", None),
            ("resolve", "volunteer_a", None),
        )
        self.reopened = self._reopen(reopened)
        rubbish = make_category("c-rubbish")
        places = [world.household_a, world.building_a, world.compound_a]
        texts = ["小区门口垃圾堆积发臭", "门口垃圾好几天没人清运", "垃圾堆积在小区门口很臭"]
        self.hot = [
            make_case(world, category=rubbish, place=p, title=t)
            for p, t in zip(places, texts, strict=True)
        ]
        self.quiet = make_case(world, title="咨询低保申请", category=make_category("c-quiet"))
        done = walk(
            make_case(world, title="路面结冰", category=make_category("c-ice")),
            world,
            ("accept", "community_a", None),
            ("dispatch", "community_a", {"assignee": vol}),
            ("claim", "volunteer_a", None),
            ("resolve", "volunteer_a", None),
        )
        type(done).objects.filter(pk=done.pk).update(resolve_by=past)
        self.resolved = done
        self.other = make_case(
            world,
            actor=world.user("outsider_b"),
            place=world.household_b,
            title="楼道灯坏了",
            category=make_category("c-light"),
        )
        type(self.other).objects.filter(pk=self.other.pk).update(respond_by=past)

    @staticmethod
    def _reopen(case):
        from apps.cases.actions import do_transition

        return do_transition(
            case, "rate", actor=None, token=case.tracking_token, data={"rating": "unsatisfied"}
        )

    @property
    def proposed(self):
        return {
            self.overdue.pk,
            self.escalated.pk,
            self.returned.pk,
            self.reopened.pk,
            *(c.pk for c in self.hot),
        }


@pytest.fixture
def flagged(world):
    return Flagged(world)


@pytest.fixture
def make_meeting(world):
    def make(
        *, actor="community_a", area=None, items=(), people=("王建国 居民代表",), starts_at=None
    ):
        return do_create_meeting(
            actor=world.user(actor),
            kind="five_party",
            title="幸福小区五方议事会",
            area=area or world.community_a,
            # An hour ago: the meeting is on, so it may be recorded as held.
            starts_at=starts_at or timezone.now() - dt.timedelta(hours=1),
            venue="社区会议室",
            participants=[ParticipantInput(*p.split(" ", 1)) for p in people],
            items=list(items),
        )

    return make


def case_item(case, source="returned"):
    return ItemInput(title=case.title, source=source, case_ids=[case.pk])
