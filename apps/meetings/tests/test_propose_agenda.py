"""The proposed agenda: exactly the area's overdue, escalated, returned, reopened and hot
cases, each once, and nothing of another area."""

import pytest
from django.http import Http404

from apps.meetings.selectors import propose_agenda

pytestmark = pytest.mark.django_db


def cases_of(proposals):
    return [c.pk for p in proposals for c in p.cases]


def test_it_proposes_exactly_the_flagged_and_hot_cases_of_the_area(world, flagged):
    proposals = propose_agenda(world.user("community_a"), world.community_a)
    ids = cases_of(proposals)
    assert len(ids) == len(set(ids))
    assert set(ids) == flagged.proposed
    assert flagged.quiet.pk not in ids and flagged.resolved.pk not in ids
    assert flagged.other.pk not in ids


def test_each_case_is_proposed_for_its_reason(world, flagged):
    proposals = propose_agenda(world.user("community_a"), world.community_a)
    single = {p.cases[0].pk: p.source for p in proposals if p.source != "hot"}
    assert single == {
        flagged.overdue.pk: "overdue",
        flagged.escalated.pk: "escalated",
        flagged.returned.pk: "returned",
        flagged.reopened.pk: "reopened",
    }
    [hot] = [p for p in proposals if p.source == "hot"]
    assert {c.pk for c in hot.cases} == {c.pk for c in flagged.hot}
    assert hot.title.endswith("（同类3件）")  # named by a case, see test_decision_authority


def test_a_town_meeting_sees_both_communities_and_a_community_only_its_own(world, flagged):
    town = cases_of(propose_agenda(world.user("town_staff"), world.town))
    assert flagged.other.pk in town and flagged.overdue.pk in town
    outsider = cases_of(propose_agenda(world.user("outsider_b"), world.community_b))
    assert outsider == [flagged.other.pk]


def test_an_area_outside_the_scope_is_a_404(world, flagged):
    with pytest.raises(Http404):
        propose_agenda(world.user("outsider_b"), world.community_a)
