"""Batch dispatch on the database: the proposal honours the hard constraints and says why,
confirming goes through the case engine (all or nothing), over HTTP."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.cases.choices import Status
from apps.cases.models import Case
from apps.services.batch import BatchDispatchFailed, do_confirm_batch_dispatch, propose
from apps.volunteers.tests.helpers import household, service_order, volunteer

pytestmark = pytest.mark.django_db
SATURDAY_10AM = timezone.make_aware(dt.datetime(2026, 3, 7, 10, 0))


@pytest.fixture
def scene(world):
    near = household(world, "近邻101", 0.0, 0.0)
    far = household(world, "远处", 0.3, 0.0)  # ~30 km east
    _, wang_user = volunteer(world, "王师傅", ["plumbing"], place=near)
    li, _ = volunteer(world, "李老师", ["tutoring"], place=near)
    sat, _ = volunteer(
        world, "周末张", ["repair"], place=near, availability={"sun": ["09:00-12:00"]}
    )
    orders = [
        service_order(world, household(world, f"10{i}室", 0.001 * i, 0.0), title=f"修水管{i}")
        for i in range(2)
    ]
    far_order = service_order(world, far, title="远处修水管")
    return {"wang": wang_user, "orders": orders, "far": far_order, "sat": sat, "li": li}


def test_it_proposes_only_pairs_that_meet_every_hard_constraint(world, scene):
    proposal = propose(world.community_a, now=SATURDAY_10AM, k=3, radius_km=5)
    assert {(p.case.pk, p.user.pk) for p in proposal.pairs} == {
        (o.pk, scene["wang"].pk) for o in scene["orders"]
    }
    reasons = proposal.pairs[0].reasons
    assert reasons.startswith("技能匹配：水电维修；距离 0.")
    assert "服务时间内有空" in reasons
    assert [(u.case.pk, u.reason) for u in proposal.unassigned] == [
        (scene["far"].pk, "服务半径内没有技能、证书、服务时间都符合且有账号的志愿者")
    ]


def test_it_respects_the_limit_of_open_orders(world, scene):
    proposal = propose(world.community_a, now=SATURDAY_10AM, k=1, radius_km=5)
    assert len(proposal.pairs) == 1
    assert "都已派满" in proposal.unassigned[0].reason


def test_it_requires_the_named_certificate(world, scene):
    order = scene["orders"][0]
    order.attributes = {"certificates": ["持证社工"]}
    order.save(update_fields=["attributes"])
    proposal = propose(world.community_a, now=SATURDAY_10AM, k=3, radius_km=5)
    assert order.pk not in {p.case.pk for p in proposal.pairs}


def test_it_dispatches_nothing_when_one_pair_fails(world, scene):
    a, b = scene["orders"]
    outsider = world.user("outsider_b")  # may not handle community A's orders
    with pytest.raises(BatchDispatchFailed, match=f"工单 #{b.pk} 未能派出"):
        do_confirm_batch_dispatch(
            world.community_a,
            [(a.pk, scene["wang"].pk), (b.pk, outsider.pk)],
            actor=world.user("community_a"),
        )
    assert set(Case.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        Status.ACCEPTED
    }


def test_it_confirms_the_proposal_over_http(world, scene, client):
    client.force_login(world.user("community_a"))
    url = reverse("services:batch")
    page = client.get(url, {"area": world.community_a.pk, "radius_km": 5, "k": 3})
    assert page.status_code == 200
    assert "技能匹配：水电维修" in page.content.decode()
    pairs = page.context["pairs"]
    response = client.post(
        reverse("services:batch_confirm"), {"area": world.community_a.pk, "pairs": pairs}
    )
    assert response.status_code == 302
    for order in scene["orders"]:
        order.refresh_from_db()
        assert order.status == Status.DISPATCHED and order.assignee == scene["wang"]
    assert Case.objects.get(pk=scene["far"].pk).status == Status.ACCEPTED


def test_it_hides_the_batch_page_of_another_area(world, client):
    client.force_login(world.user("outsider_b"))
    response = client.get(reverse("services:batch"), {"area": world.community_a.pk})
    assert response.status_code == 404


def test_it_refuses_the_batch_page_to_volunteers(world, client):
    _, user = volunteer(world, "王芳")
    client.force_login(user)
    assert client.get(reverse("services:batch")).status_code == 403
