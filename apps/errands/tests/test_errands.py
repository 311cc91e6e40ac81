"""Errand steps: planning from a template, progress, who accompanied whom, resolving the case
through the case engine once every step is done; scope and audit; the same over HTTP."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.cases.errors import NotAllowed
from apps.cases.models import Case, CaseEvent
from apps.cases.tests.helpers import make_case
from apps.core.models import AuditEvent
from apps.errands.actions import do_add_steps, do_complete_step, do_resolve_errand
from apps.errands.models import ErrandStep, ErrandTemplate

pytestmark = pytest.mark.django_db


def _plan(errand, world):
    template = ErrandTemplate.objects.get(code="insurance-payment")
    return do_add_steps(errand, actor=world.user("grid_worker_a"), template=template)


class TestActions:
    def test_a_template_gives_its_steps_for_the_reporter(self, errand, world):
        steps = _plan(errand, world)
        assert [s.position for s in steps] == [1, 2, 3]
        assert steps[0].name == "核对参保信息与缴费档次"
        assert {s.resident.name for s in steps} == {"钟奶奶"}
        more = do_add_steps(errand, actor=world.user("community_a"), steps=[("回访 ", "电话")])
        assert more[0].position == 4 and more[0].name == "回访"
        assert (
            AuditEvent.objects.filter(object_type="errands.errandstep", verb="create").count() == 2
        )

    def test_a_step_is_done_once_by_the_helper(self, errand, world):
        step = _plan(errand, world)[0]
        done = do_complete_step(step, actor=world.user("grid_worker_a"), note="档次：一档")
        assert done.status == "done" and done.helper.name == "刘网格" and done.done_at
        with pytest.raises(ValidationError, match="步骤“核对参保信息与缴费档次”已完成"):
            do_complete_step(step, actor=world.user("grid_worker_a"))
        assert (
            AuditEvent.objects.filter(object_type="errands.errandstep", verb="update").count() == 1
        )

    def test_the_case_resolves_only_when_every_step_is_done(self, errand, world):
        steps = _plan(errand, world)
        worker = world.user("grid_worker_a")
        do_complete_step(steps[0], actor=worker)
        with pytest.raises(ValidationError) as exc:
            do_resolve_errand(errand, actor=worker)
        assert exc.value.messages == [
            "还有2个步骤未完成：代缴或陪同缴纳城乡居民医保、取回缴费凭证并告知居民"
        ]
        for step in steps[1:]:
            do_complete_step(step, actor=worker)
        case = do_resolve_errand(errand, actor=worker)
        assert case.status == "resolved"
        note = CaseEvent.objects.get(case=case, action="resolve").note
        assert note.startswith("帮办完成：核对参保信息")
        with pytest.raises(ValidationError, match="该事项当前状态为“已办结”，不能再办理帮办步骤"):
            do_add_steps(case, actor=worker, steps=[("再办", "")])

    def test_only_the_handler_resolves(self, errand, world):
        for step in _plan(errand, world):
            do_complete_step(step, actor=world.user("community_a"))
        with pytest.raises(NotAllowed):
            do_resolve_errand(errand, actor=world.user("community_a"))
        assert Case.objects.get(pk=errand.pk).status == "claimed"

    def test_a_case_without_steps_cannot_resolve_here(self, errand, world):
        with pytest.raises(ValidationError, match="还没有安排帮办步骤"):
            do_resolve_errand(errand, actor=world.user("grid_worker_a"))

    def test_outsiders_volunteers_and_other_kinds_are_refused(self, errand, world):
        for name in ("outsider_b", "volunteer_a"):
            with pytest.raises(
                PermissionDenied, match="只有承办人或本辖区工作人员可以办理帮办步骤"
            ):
                do_add_steps(errand, actor=world.user(name), steps=[("x", "")])
        need = make_case(world, title="路灯坏了")
        with pytest.raises(ValidationError, match="只有帮办类事项可以安排帮办步骤"):
            do_add_steps(need, actor=world.user("community_a"), steps=[("x", "")])
        with pytest.raises(ValidationError) as exc:
            do_add_steps(errand, actor=world.user("community_a"), steps=[(" ", "")])
        assert exc.value.message_dict == {"steps": ["请填写至少一个步骤"]}
        assert not ErrandStep.objects.exists()


class TestHttp:
    def test_progress_and_resolution_on_the_phone_pages(self, client, errand, world):
        client.force_login(world.user("grid_worker_a"))
        page = client.get(reverse("errands:detail", args=[errand.pk]))
        assert page.status_code == 200 and "医保缴费" in page.content.decode()
        template = ErrandTemplate.objects.get(code="insurance-payment")
        client.post(
            reverse("errands:add_steps", args=[errand.pk]),
            {"template": template.pk, "lines": "送回凭证 @ 居民家中"},
        )
        steps = list(ErrandStep.objects.filter(case=errand).order_by("position"))
        assert len(steps) == 4 and steps[3].office == "居民家中"
        for step in steps:
            client.post(reverse("errands:done", args=[step.pk]), {"note": ""})
        page = client.get(reverse("errands:detail", args=[errand.pk]))
        assert "进度 4/4" in page.content.decode() and "办结帮办事项" in page.content.decode()
        response = client.post(reverse("errands:resolve", args=[errand.pk]), {}, follow=True)
        assert f"帮办事项已办结：{errand.number}" in response.content.decode()
        assert Case.objects.get(pk=errand.pk).status == "resolved"
        listing = client.get(reverse("errands:list"), {"progress": "all_done"})
        assert [c.pk for c in listing.context["page"]] == [errand.pk]

    def test_the_api_adds_completes_and_resolves(self, client, errand, world):
        client.force_login(world.user("grid_worker_a"))
        answer = client.post(
            f"/api/v1/errands/{errand.pk}/steps",
            {"template": "insurance-payment"},
            content_type="application/json",
        )
        assert answer.status_code == 201 and len(answer.json()) == 3
        early = client.post(
            f"/api/v1/errands/{errand.pk}/resolve", {}, content_type="application/json"
        )
        assert early.status_code == 422
        for step in answer.json():
            done = client.post(
                f"/api/v1/errands/steps/{step['id']}/done", {}, content_type="application/json"
            )
            assert done.json()["status"] == "done"
        listing = client.get("/api/v1/errands/").json()
        assert listing["items"][0]["steps_done"] == 3
        answer = client.post(
            f"/api/v1/errands/{errand.pk}/resolve", {}, content_type="application/json"
        )
        assert answer.status_code == 200 and answer.json()["status"] == "resolved"

    def test_an_outsider_gets_404(self, client, errand, world):
        step = _plan(errand, world)[0]
        client.force_login(world.user("outsider_b"))
        assert client.get(reverse("errands:detail", args=[errand.pk])).status_code == 404
        assert client.post(reverse("errands:done", args=[step.pk])).status_code == 404
        assert client.post(reverse("errands:resolve", args=[errand.pk])).status_code == 404
        assert client.get(f"/api/v1/errands/{errand.pk}").status_code == 404
        answer = client.post(
            f"/api/v1/errands/steps/{step.pk}/done", {}, content_type="application/json"
        )
        assert answer.status_code == 404
        assert client.get("/api/v1/errands/").json()["count"] == 0

    def test_the_list_costs_a_fixed_number_of_queries(self, client, errand, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(world.user("community_a"))

        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("errands:list")).status_code == 200
            return len(ctx.captured_queries)

        few = count()
        for i in range(5):
            case = make_case(world, category=errand.category, kind="errand", title=f"帮办{i}")
            do_add_steps(case, actor=world.user("community_a"), steps=[("a", ""), ("b", "")])
        assert count() == few


def test_the_indicator_equals_its_list(client, errand, world):
    from django.utils import timezone

    from apps.stats.indicators import Scope, get

    worker = world.user("grid_worker_a")
    for step in _plan(errand, world):
        do_complete_step(step, actor=worker)
    do_resolve_errand(errand, actor=worker)
    today = timezone.localdate()
    scope = Scope(world.user("county_leader"), world.county, today, today)
    indicator = get("errands_resolved")
    assert indicator.compute(scope) == 1
    client.force_login(world.user("county_leader"))
    listed = client.get(indicator.link(scope))
    assert listed.status_code == 200
    assert errand.number in listed.content.decode()
