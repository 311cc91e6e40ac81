"""Brand pages and API end to end through HTTP: list, detail, funds, attributing an order,
一社区一品牌; scope (an outsider gets 404); the number of queries of the list pages."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.choices import Role
from apps.cases.actions import do_create_case
from apps.cases.models import Case, Category
from apps.core.models import AuditEvent
from apps.core.testing.factories import make_user

from ..actions import do_create_brand, do_record_fund_entry
from ..models import BrandOrder, FundEntry


def test_staff_keep_the_books_from_the_brand_page(world, brand, client):
    client.force_login(world.user("community_a"))
    url = reverse("brands:fund_add", args=[brand.pk])
    client.post(
        url,
        {
            "kind": "received",
            "amount": "5000",
            "occurred_on": "2026-01-05",
            "purpose": "共建捐助",
            "source": str(brand.partners.get().pk),
        },
    )
    response = client.post(
        url,
        {
            "kind": "spent",
            "amount": "6000",
            "occurred_on": "2026-01-06",
            "purpose": "慰问",
            "voucher": "PZ-9",
        },
        follow=True,
    )
    assert "资金不足：余额 5000.00 元，本笔 6000.00 元" in response.content.decode()
    entry = FundEntry.objects.get()
    assert entry.source == brand.partners.get()
    client.post(reverse("brands:fund_reverse", args=[entry.pk]), {"reason": "录错"})
    page = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    assert "已冲正" in page and 'id="fig-balance">0.00<' in page


def test_staff_attribute_an_order_from_the_brand_page(world, brand, helper, client):
    case, _ = do_create_case(
        actor=None,
        category=Category.objects.get(code="elderly-care"),
        place=world.household_a,
        title="助老服务：想请人陪聊",
        source="portal",
    )
    client.force_login(world.user("community_a"))
    page = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    assert case.number in page and "wangfang" in page
    response = client.post(
        reverse("brands:order_attribute", args=[brand.pk]),
        {"case": case.pk, "assignee": helper[1].pk},
        follow=True,
    )
    assert f"工单 {case.number} 已归入“暖巢行动”，已派给wangfang" in response.content.decode()
    assert Case.objects.get(pk=case.pk).assignee == helper[1]


def test_the_api_lists_shows_and_writes(world, brand, client):
    client.force_login(world.user("community_a"))
    listed = client.get("/api/v1/brands/").json()
    assert [b["name"] for b in listed] == ["暖巢行动"]
    response = client.post(
        f"/api/v1/brands/{brand.pk}/funds",
        {"kind": "received", "amount": "1200.5", "occurred_on": "2026-02-01", "purpose": "拨款"},
        content_type="application/json",
    )
    assert response.status_code == 201
    entry_id = response.json()["id"]
    response = client.post(
        f"/api/v1/brands/{brand.pk}/funds",
        {
            "kind": "spent",
            "amount": "2000",
            "occurred_on": "2026-02-02",
            "purpose": "x",
            "voucher": "1",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("资金不足")
    reverse_url = f"/api/v1/brands/funds/{entry_id}/reverse"
    response = client.post(reverse_url, {"reason": "重复"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["amount"] == "-1200.50"
    detail = client.get(f"/api/v1/brands/{brand.pk}").json()
    assert Decimal(detail["balance"]) == 0
    assert len(client.get(f"/api/v1/brands/{brand.pk}/funds").json()) == 2
    case, _ = do_create_case(
        actor=world.user("community_a"),
        category=Category.objects.get(code="elderly-care"),
        place=world.household_a,
        title="陪老人聊天",
        kind="service_order",
    )
    response = client.post(
        f"/api/v1/brands/{brand.pk}/orders", {"case_id": case.pk}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["case_number"] == case.number
    assert client.get(f"/api/v1/brands/{brand.pk}").json()["orders"] == 1


def test_outsiders_get_404_on_pages_and_api(world, brand, client):
    entry = do_record_fund_entry(
        brand,
        actor=world.user("community_a"),
        kind="received",
        amount="10",
        occurred_on=brand.created_at.date(),
        purpose="x",
    )
    client.force_login(world.user("outsider_b"))
    assert client.get(reverse("brands:detail", args=[brand.pk])).status_code == 404
    assert client.post(reverse("brands:fund_add", args=[brand.pk]), {}).status_code == 404
    assert client.post(reverse("brands:fund_reverse", args=[entry.pk]), {}).status_code == 404
    assert client.post(reverse("brands:order_attribute", args=[brand.pk]), {}).status_code == 404
    assert "暖巢行动" not in client.get(reverse("brands:list")).content.decode()
    assert client.get(f"/api/v1/brands/{brand.pk}").status_code == 404
    assert client.get(f"/api/v1/brands/{brand.pk}/funds").status_code == 404
    response = client.post(
        f"/api/v1/brands/funds/{entry.pk}/reverse", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get("/api/v1/brands/").json() == []
    page = client.get(reverse("brands:communities"), {"place": world.community_a.pk})
    assert page.status_code == 404
    # community A's volunteer sees the brand but cannot keep its books
    client.force_login(world.user("volunteer_a"))
    assert client.get(reverse("brands:detail", args=[brand.pk])).status_code == 200
    response = client.post(
        f"/api/v1/brands/{brand.pk}/funds",
        {"kind": "received", "amount": "1", "occurred_on": "2026-02-01", "purpose": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_one_community_one_brand(world, brand, client):
    client.force_login(world.user("town_staff"))
    page = client.get(reverse("brands:communities")).content.decode()
    assert "红门社区" in page and "暖巢行动" in page
    assert "将军社区" in page and "尚无服务品牌" in page


def test_list_pages_query_counts_do_not_grow(world, client):
    staff = world.user("community_a")
    client.force_login(world.user("town_staff"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("brands:list")).status_code == 200
            assert client.get(reverse("brands:communities")).status_code == 200
        return len(ctx)

    do_create_brand(actor=staff, name="品牌0", area=world.community_a)
    few = count()
    for i in range(1, 6):
        do_create_brand(actor=staff, name=f"品牌{i}", area=world.community_a)
    assert count() == few


def test_creating_a_brand_from_the_list_page(world, client):
    client.force_login(world.user("community_a"))
    response = client.post(
        reverse("brands:create"),
        {
            "name": "童心港湾",
            "communities": [world.community_a.pk],
            "categories": [Category.objects.get(code="left-behind-children").pk],
        },
        follow=True,
    )
    assert "已创建服务品牌“童心港湾”" in response.content.decode()
    assert AuditEvent.objects.filter(object_type="brands.brand", verb="create").exists()
    assert not BrandOrder.objects.exists()


def test_staff_edit_a_brand_and_its_volunteers(world, brand, helper, client):
    from apps.core.testing.factories import PersonFactory
    from apps.volunteers.models import Volunteer

    newcomer = Volunteer.objects.create(person=PersonFactory(name="李明", place=world.household_a))
    client.force_login(world.user("community_a"))
    page = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    assert "编辑品牌" in page and "李明" in page
    response = client.post(
        reverse("brands:edit", args=[brand.pk]),
        {
            "name": "暖巢行动",
            "description": "高龄独居老人关爱",
            "active": "on",
            "communities": [world.community_a.pk],
            "categories": [c.pk for c in brand.categories.all()],
            "volunteers": [helper[0].pk, newcomer.pk],
        },
        follow=True,
    )
    assert "已保存品牌信息" in response.content.decode()
    assert set(brand.volunteers.all()) == {helper[0], newcomer}
    assert not brand.partners.exists()  # unticked
    event = AuditEvent.objects.filter(object_type="brands.brand", verb="update").get()
    assert event.changes["volunteers"] == {"added": [newcomer.pk], "removed": []}
    assert event.changes["target_tags"]["added"] == []
    client.force_login(world.user("volunteer_a"))
    response = client.post(
        reverse("brands:edit", args=[brand.pk]),
        {"name": "x", "communities": [world.community_a.pk]},
        follow=True,
    )
    assert "您不能修改服务品牌：只有红门社区及上级的社区、街道工作人员可以操作" in (
        response.content.decode()
    )
    brand.refresh_from_db()
    assert brand.name == "暖巢行动"


def test_a_grid_worker_opens_the_brands_the_service_list_names(world, brand, client):
    """The service list of a grid names the brands of its community; each name opens (it was
    a 404: the grid worker's scope holds no community). Another community's grid still 404s."""
    client.force_login(world.user("grid_worker_a"))
    services = client.get(reverse("brands:services")).content.decode()
    assert reverse("brands:detail", args=[brand.pk]) in services
    assert client.get(reverse("brands:detail", args=[brand.pk])).status_code == 200
    outsider = make_user("grid_b", Role.GRID_WORKER, world.grid_b)
    client.force_login(outsider)
    assert client.get(reverse("brands:detail", args=[brand.pk])).status_code == 404
