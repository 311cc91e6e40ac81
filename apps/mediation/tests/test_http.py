"""Mediation over HTTP: the whole path from a dispute to its resolution on the agreement
(pages), the same through the API, and scope (an outsider gets 404 everywhere)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.cases.models import Case, CaseEvent
from apps.mediation.actions import do_open_mediation
from apps.mediation.models import Mediation

pytestmark = pytest.mark.django_db


def test_a_dispute_is_mediated_and_resolved_through_the_pages(client, dispute, world):
    client.force_login(world.user("community_a"))
    listing = client.get(reverse("mediation:list"))
    assert "邻里漏水纠纷" in listing.content.decode()  # waiting for mediation
    url = reverse("mediation:case", args=[dispute.case.pk])
    form = client.get(url)
    assert "周法官" in form.content.decode() and "邱调解" not in form.content.decode()
    response = client.post(
        url,
        {"mediators": [dispute.judge.pk, dispute.mediator.pk], "parties": "张桂英\n李春生"},
    )
    mediation = Mediation.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "mediation:detail", args=[mediation.pk]
    )
    today = timezone.localdate().isoformat()
    client.post(
        reverse("mediation:session", args=[mediation.pk]),
        {"held_on": today, "location": "红门社区调解室", "participants": "双方、周法官"},
    )
    response = client.post(
        reverse("mediation:outcome", args=[mediation.pk]),
        {"agreed": "1", "agreement": "楼上住户承担维修费800元", "agreed_on": today},
        follow=True,
    )
    assert "已登记调解结果：调解成功" in response.content.decode()
    # Community staff see the agreement but no resolve button: the handler resolves.
    assert "据协议办结事项" not in response.content.decode()
    client.force_login(world.user("grid_worker_a"))
    page = client.get(reverse("mediation:detail", args=[mediation.pk]))
    assert "据协议办结事项" in page.content.decode()
    response = client.post(
        reverse("mediation:resolve", args=[mediation.pk]), {"note": "双方签字"}, follow=True
    )
    assert "已据调解协议办结" in response.content.decode()
    case = Case.objects.get(pk=dispute.case.pk)
    assert case.status == "resolved"
    assert CaseEvent.objects.get(case=case, action="resolve").note.endswith("双方签字")
    again = client.get(reverse("mediation:case", args=[case.pk]))
    assert again.status_code == 302


def test_the_same_path_through_the_api(client, dispute, world):
    client.force_login(world.user("community_a"))
    answer = client.post(
        "/api/v1/mediation/mediations",
        {"case": dispute.case.pk, "mediators": [dispute.mediator.pk], "parties": ["甲", "乙"]},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    answer = client.post(
        f"/api/v1/mediation/mediations/{pk}/sessions",
        {"location": "调解室", "participants": "甲、乙"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    answer = client.post(
        f"/api/v1/mediation/mediations/{pk}/outcome",
        {"agreed": True, "agreement": "各让一步"},
        content_type="application/json",
    )
    assert answer.json()["status"] == "agreed"
    refused = client.post(
        f"/api/v1/mediation/mediations/{pk}/resolve", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "承办人" in refused.json()["detail"]
    client.force_login(world.user("grid_worker_a"))
    answer = client.post(
        f"/api/v1/mediation/mediations/{pk}/resolve", {}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["case_status"] == "resolved"
    listing = client.get(
        "/api/v1/mediation/mediations", {"status": "agreed", "place": world.grid_a.pk}
    )
    assert listing.json()["count"] == 1


def test_a_bad_outcome_answers_422_in_chinese(client, dispute, world):
    mediation = do_open_mediation(
        dispute.case, actor=world.user("community_a"), mediators=[dispute.mediator], parties=["甲"]
    )
    client.force_login(world.user("community_a"))
    answer = client.post(
        f"/api/v1/mediation/mediations/{mediation.pk}/sessions",
        {"location": "调解室", "participants": "甲", "held_on": "2099-01-01"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["msg"] == "调解日期不能晚于今天"


def test_an_outsider_gets_404(client, dispute, world):
    mediation = do_open_mediation(
        dispute.case, actor=world.user("community_a"), mediators=[dispute.mediator], parties=["甲"]
    )
    client.force_login(world.user("outsider_b"))
    for url in (
        reverse("mediation:detail", args=[mediation.pk]),
        reverse("mediation:case", args=[dispute.case.pk]),
        f"/api/v1/mediation/mediations/{mediation.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("mediation:session", args=[mediation.pk]),
        reverse("mediation:outcome", args=[mediation.pk]),
        reverse("mediation:resolve", args=[mediation.pk]),
    ):
        assert client.post(url, {}).status_code == 404, url
    answer = client.post(
        f"/api/v1/mediation/mediations/{mediation.pk}/outcome",
        {"agreed": True, "agreement": "x"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert client.get("/api/v1/mediation/mediations").json()["count"] == 0
    assert (
        client.get(reverse("mediation:list"), {"place": world.community_a.pk})
        .context["page"]
        .paginator.count
        == 0
    )


def test_the_list_costs_a_fixed_number_of_queries(client, dispute, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.cases.tests.helpers import make_case

    client.force_login(world.user("community_a"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("mediation:list")).status_code == 200
        return len(ctx.captured_queries)

    do_open_mediation(
        dispute.case, actor=world.user("community_a"), mediators=[dispute.mediator], parties=["甲"]
    )
    few = count()
    for i in range(5):
        case = make_case(world, category=dispute.case.category, kind="dispute", title=f"纠纷{i}")
        do_open_mediation(
            case, actor=world.user("community_a"), mediators=[dispute.judge], parties=["甲"]
        )
    assert count() == few


def test_indicators_count_and_link(client, dispute, world):
    from apps.mediation.actions import do_record_outcome, do_record_session
    from apps.stats.indicators import Scope, get

    mediation = do_open_mediation(
        dispute.case, actor=world.user("community_a"), mediators=[dispute.mediator], parties=["甲"]
    )
    do_record_session(mediation, actor=world.user("community_a"), location="室", participants="甲")
    do_record_outcome(
        mediation,
        actor=world.user("community_a"),
        agreed=False,
        failure_reason="不同意",
        referral="litigation",
    )
    today = timezone.localdate()
    scope = Scope(world.user("county_leader"), world.county, today - dt.timedelta(days=7), today)
    assert get("mediation_disputes").compute(scope) == 1
    assert get("mediation_success_rate").compute(scope) == 0
    client.force_login(world.user("county_leader"))
    listed = client.get(get("mediation_success_rate").link(scope))
    assert listed.context["page"].paginator.count == 1
