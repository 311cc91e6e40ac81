"""The pages through the test client: inbox, case page with its buttons, intake, my orders,
KPIs; and a bounded number of queries on the inbox."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.cases.actions import do_transition
from apps.cases.models import Case

from .helpers import make_case

pytestmark = pytest.mark.django_db


def test_it_lists_the_inbox_overdue_first(client, world):
    late = make_case(world, title="超期的事")
    make_case(world, title="刚来的事")
    Case.objects.filter(pk=late.pk).update(respond_by=late.created_at)
    client.force_login(world.user("community_a"))
    html = client.get("/cases/").content.decode()
    assert html.index("超期的事") < html.index("刚来的事")
    assert "lamp-red" in html


def test_it_keeps_the_inbox_queries_bounded(client, world):
    client.force_login(world.user("community_a"))
    make_case(world)
    client.get("/cases/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/")
    for i in range(25):
        make_case(world, title=f"事项{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/cases/")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_it_filters_the_inbox_like_the_api(client, world):
    make_case(world, title="水管爆了", source="visit")
    make_case(world, title="路灯坏了", source="hotline")
    client.force_login(world.user("community_a"))
    html = client.get("/cases/", {"source": "visit"}).content.decode()
    assert "水管爆了" in html and "路灯坏了" not in html
    body = client.get("/api/v1/cases/", {"source": "visit"}).json()
    assert [c["title"] for c in body["items"]] == ["水管爆了"]
    assert client.get("/api/v1/cases/", {"source": "fax"}).status_code == 422


def test_it_shows_only_the_buttons_this_user_may_press(client, world):
    case = make_case(world)
    client.force_login(world.user("community_a"))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'value="accept"' in html and 'value="claim"' not in html
    client.force_login(world.user("volunteer_a"))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'value="accept"' not in html


def test_it_performs_a_transition_with_htmx(client, world):
    case = make_case(world)
    client.force_login(world.user("community_a"))
    response = client.post(
        f"/cases/{case.pk}/transition/",
        {"action": "accept", "note": "收到"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "已受理" in response.content.decode()
    response = client.post(
        f"/cases/{case.pk}/transition/", {"action": "claim"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "该事项当前状态为“已受理”，不能执行“接单”" in response.content.decode()


def test_it_creates_a_case_from_the_hotline(client, world):
    client.force_login(world.user("community_a"))
    from apps.cases.models import Category

    category = Category.objects.get(code="repairs")
    response = client.post(
        "/cases/new/",
        {
            "category": category.pk,
            "kind": "need",
            "source": "hotline",
            "priority": "normal",
            "title": "厨房水管漏水",
            "description": "",
            "place_code": world.household_a.code,
            "reporter_name": "张桂英",
            "reporter_phone": "13812345678",
        },
    )
    case = Case.objects.get(title="厨房水管漏水")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.level == "grid" and case.handling_unit == world.grid_a
    assert case.reporter_phone_masked == "138****5678"
    assert "13812345678" not in case.reporter_phone_enc


def test_it_shows_a_handlers_orders_and_claims_from_there(client, world):
    case = make_case(world, title="帮老人缴医保")
    staff = world.user("community_a")
    case = do_transition(case, "accept", actor=staff)
    do_transition(case, "dispatch", actor=staff)
    client.force_login(world.user("volunteer_a"))
    html = client.get("/cases/mine/").content.decode()
    assert "帮老人缴医保" in html and "待抢单" in html
    response = client.post(
        f"/cases/{case.pk}/transition/", {"action": "claim", "next": "/cases/mine/"}
    )
    assert response["Location"] == "/cases/mine/"
    assert Case.objects.get(pk=case.pk).assignee == world.user("volunteer_a")


def test_it_shows_the_kpi_page(client, world):
    make_case(world)
    client.force_login(world.user("town_staff"))
    html = client.get("/cases/kpis/").content.decode()
    assert re.search(r'id="kpi-total" href="/cases/\?[^"]*measure=total">1<', html)


def test_it_returns_the_same_case_for_a_retried_create(client, world):
    client.force_login(world.user("community_a"))
    payload = {"category": "repairs", "place": world.household_a.pk, "title": "门禁坏了"}
    first = client.post(
        "/api/v1/cases/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    again = client.post(
        "/api/v1/cases/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.filter(title="门禁坏了").count() == 1
    outside = client.post(
        "/api/v1/cases/",
        {**payload, "place": world.household_b.pk},
        content_type="application/json",
    )
    assert outside.status_code == 422
    assert outside.json()["message"] == "所选地点不存在或不在您的管辖范围内"


def test_it_dispatches_to_a_named_handler_from_the_case_page(client, world):
    staff = world.user("community_a")
    case = do_transition(make_case(world), "accept", actor=staff)
    volunteer = world.user("volunteer_a")
    client.force_login(staff)
    response = client.post(
        f"/cases/{case.pk}/transition/", {"action": "dispatch", "assignee": volunteer.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("dispatched", volunteer)


def test_each_action_form_asks_for_what_its_action_needs(client, world):
    """The panel's forms by action (compared through the Action enum in the template): the
    dispatch form offers the assignee, 退单 and 撤销 ask for a reason, 办结 for the result."""
    case = make_case(world)
    client.force_login(world.user("community_a"))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    accept = html[html.index('id="accept"') :]
    assert "说明" in accept[: accept.index("</details>")]
    cancel = html[html.index('id="cancel"') :]
    assert "理由（必填）" in cancel[: cancel.index("</details>")]
    do_transition(case, "accept", actor=world.user("community_a"), note="受理")
    html = client.get(f"/cases/{case.pk}/").content.decode()
    dispatch = html[html.index('id="dispatch"') :]
    assert 'name="assignee"' in dispatch[: dispatch.index("</details>")]


def test_a_grid_worker_registers_a_case_with_a_photo(client, world):
    """登记事项 sent as a plain form (no outbox): the photo joins the case's first step; a
    file that is no image keeps the form with the error and registers nothing."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from apps.cases.models import Category

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    category = Category.objects.get(code="repairs")
    client.force_login(world.user("grid_worker_a"))
    fields = {
        "category": category.pk,
        "kind": "hazard",
        "source": "patrol",
        "priority": "normal",
        "title": "井盖松动",
        "area": world.grid_a.pk,
    }
    bad = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    response = client.post("/cases/new/", {**fields, "photo": bad})
    assert response.status_code == 200 and not Case.objects.filter(title="井盖松动").exists()
    assert "请上传一张有效的图片" in response.content.decode()
    photo = SimpleUploadedFile("井盖.jpg", out.getvalue(), content_type="image/jpeg")
    response = client.post("/cases/new/", {**fields, "photo": photo})
    case = Case.objects.get(title="井盖松动")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    attachment = case.attachments.get()
    assert attachment.event == case.events.order_by("pk").first()
    assert (attachment.width, attachment.height) == (64, 48)


@pytest.mark.parametrize(
    ("who", "source"),
    [("grid_worker_a", "patrol"), ("volunteer_a", "visit"), ("community_a", "hotline")],
)
def test_the_new_case_form_starts_from_the_source_the_registrar_is_likely_to_have(
    client, world, who, source
):
    client.force_login(world.user(who))
    html = client.get("/cases/new/").content.decode()
    assert re.search(rf'<option value="{source}" selected>', html), source
