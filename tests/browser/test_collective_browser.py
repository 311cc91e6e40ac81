"""The village books on a phone (issue 17): the village accountant books a rent receipt
against a land-transfer contract, the village supervisory committee approves it from the
book page, the public 村务公开 page (no login) shows the income, and the county ranking of
collective operating income moves 红门社区 above 将军社区."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from apps.accounts.choices import Role
from apps.collective.actions import (
    Line,
    do_create_contract,
    do_create_voucher,
    do_open_book,
)
from apps.collective.choices import ContractKind
from apps.collective.models import Voucher
from apps.core.testing.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def books(frozen_clock, world):
    # Live-server tests flush the database: the chart of accounts is seeded again.
    importlib.import_module("apps.collective.migrations.0002_chart_of_accounts").seed(
        django_apps, None
    )
    agency = make_user("daili", Role.AGENCY_ACCOUNTANT, world.town)
    make_user("kuaiji", Role.VILLAGE_ACCOUNTANT, world.community_a)
    make_user("jiandu", Role.VILLAGE_SUPERVISOR, world.community_a)
    red = do_open_book(
        actor=agency, village=world.community_a, organisation="红门村股份经济合作社", members=400
    )
    general = do_open_book(
        actor=agency,
        village=world.community_b,
        organisation="将军村股份经济合作社",
        members=300,
        approvals={},
    )
    do_create_voucher(
        actor=agency,
        book=general,
        kind="receipt",
        date=dt.date(2026, 3, 1),
        summary="收门面租金",
        lines=[Line("102", debit="30000"), Line("501", credit="30000")],
    )
    contract = do_create_contract(
        actor=agency,
        book=red,
        kind=ContractKind.LAND_TRANSFER,
        number="LZ-2026-01",
        title="村东 108 亩水田流转",
        counterparty="临川绿野农业有限公司",
        start=dt.date(2026, 1, 1),
        end=dt.date(2031, 1, 1),
        area_mu=Decimal("108"),
        rent_per_mu="500",
    )
    yield red, contract
    _clear_books()


def _clear_books() -> None:
    """Live-server tests flush the database after the test; on SQLite that is row by row, and
    the triggers refuse to delete posted vouchers (as they should). Empty the books with the
    triggers lifted for a moment (PostgreSQL empties tables by TRUNCATE, which they do not see)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("apps.collective.migrations.0003_balance_triggers")
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE_DROP:
            cursor.execute(sql)
        for table in ("collective_approval", "collective_voucherline", "collective_voucher"):
            cursor.execute(f"DELETE FROM {table}")
        for sql in triggers.SQLITE:
            cursor.execute(sql)


@pytest.mark.frozen_clock("2026-06-15 10:00")
def test_a_rent_receipt_from_booking_to_the_public_page_and_the_ranking(
    frozen_clock, page, live_server, login, world, books
):
    book, contract = books
    login(page, live_server, "daili")
    page.goto(f"{live_server.url}/collective/ranking/?year=2026")
    expect(page.locator("#ranking tbody tr").first).to_have_attribute("data-village", "将军社区")

    login(page, live_server, "kuaiji")
    page.goto(f"{live_server.url}/collective/contracts/{contract.pk}/")
    first = page.locator("#schedule tr.overdue").first
    expect(first).to_contain_text("逾期未收")
    expect(first.locator("input[name=amount]")).to_have_value("54000.00")
    with page.expect_navigation():
        first.get_by_role("button", name="登记收款").click()
    expect(page.locator("body")).to_contain_text("收款凭证已提交：审批中")
    assert Voucher.objects.get(contract=contract).status == "pending"

    login(page, live_server, "jiandu")
    page.goto(f"{live_server.url}/collective/books/{book.pk}/")
    pending = page.locator("#pending .pending-voucher")
    expect(pending).to_contain_text("临川绿野农业有限公司")
    with page.expect_navigation():
        pending.get_by_role("button", name="同意").click()
    expect(page.locator("body")).to_contain_text("已审批：已记账")
    expect(page.locator("#operating-income")).to_have_text("54000.00")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/collective/open/{world.community_a.code}/")
    expect(page.locator("#public-operating-income")).to_have_text("54000.00")
    expect(page.locator("#public-contracts")).to_contain_text("村东 108 亩水田流转")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the public page is {width} px wide on a 390 px phone"

    login(page, live_server, "daili")
    page.goto(f"{live_server.url}/collective/ranking/?year=2026")
    expect(page.locator("#ranking tbody tr").first).to_have_attribute("data-village", "红门社区")


@pytest.mark.frozen_clock("2026-06-15 10:00")
def test_the_accountant_registers_a_parcel_on_a_phone(
    frozen_clock, page, live_server, login, world, books
):
    book, _ = books
    login(page, live_server, "kuaiji")
    page.goto(f"{live_server.url}/collective/books/{book.pk}/registers/")
    page.locator("#form-resource summary").click()
    form = page.locator("#form-resource form")
    form.get_by_label("类别").select_option(label="耕地")
    form.get_by_label("名称/地块编号").fill("村东水田 A-01")
    form.get_by_label("面积（亩）").fill("108")
    form.get_by_label("利用状况").select_option(label="已发包/流转")
    form.get_by_label("坐落").fill("村东")
    form.get_by_label("所在地点").select_option(label=f"网格 {world.grid_a.name}")
    form.get_by_label("经度").fill("116.35")
    form.get_by_label("纬度").fill("27.95")
    with page.expect_navigation():
        form.get_by_role("button", name="登记").click()
    expect(page.locator("body")).to_contain_text("已保存")
    expect(page.locator("#resources")).to_contain_text("村东水田 A-01")
    expect(page.locator("#resources")).to_contain_text(world.grid_a.name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the registers page is {width} px wide on a 390 px phone"
