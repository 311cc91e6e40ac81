"""End to end over HTTP: the accountant books a receipt against a contract, the supervisor
approves from the book page, the statements export to Excel, the public page (no login)
shows the income and the contract without the person's name, a resident's question becomes a
case, and the county ranking moves."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from apps.cases.models import Case
from apps.core.testing import client_as

from ..actions import do_create_contract
from ..choices import ContractKind, VoucherStatus
from ..models import Voucher


@pytest.fixture
def lease(book, accountant):
    return do_create_contract(
        actor=accountant,
        book=book,
        kind=ContractKind.LEASE,
        number="ZL-9",
        title="村部门面",
        counterparty="王小明",
        counterparty_is_person=True,
        start=dt.date(2026, 1, 1),
        end=dt.date(2028, 1, 1),
        annual_amount="24000",
    )


def test_receipt_approval_public_page_question_and_ranking(
    world, book, accountant, supervisor, agency, land_contract, lease
):
    keeper, checker = client_as(accountant), client_as(supervisor)
    first = land_contract.instalments.first()
    page = keeper.get(f"/collective/contracts/{land_contract.pk}/")
    assert page.status_code == 200 and "逾期未收" in page.content.decode()
    r = keeper.post(
        f"/collective/contracts/{land_contract.pk}/receive/",
        {"instalment": first.pk, "amount": "54000", "date": "2026-06-15", "via": "102"},
    )
    assert r.status_code == 302
    voucher = Voucher.objects.get(instalment=first)
    assert voucher.status == VoucherStatus.PENDING
    ranking = client_as(agency).get("/collective/ranking/?year=2026").content.decode()
    assert "0.00" in ranking
    # the accountant may not approve; the supervisor may
    assert (
        keeper.post(
            f"/collective/vouchers/{voucher.pk}/decide/", {"decision": "approved"}
        ).status_code
        == 302
    )
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.PENDING
    shown = checker.get(f"/collective/vouchers/{voucher.pk}/").content.decode()
    assert "提交意见" in shown and "红字冲销" not in shown and "提交审批" not in shown
    book_page = checker.get(f"/collective/books/{book.pk}/").content.decode()
    assert "待我审批" in book_page
    checker.post(
        f"/collective/vouchers/{voucher.pk}/decide/", {"decision": "approved", "back": "book"}
    )
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.POSTED
    shown = checker.get(f"/collective/vouchers/{voucher.pk}/").content.decode()
    assert "红字冲销" in shown and "提交意见" not in shown
    ranking = client_as(agency).get("/collective/ranking/?year=2026").content.decode()
    assert "54000.00" in ranking

    xlsx = keeper.get(f"/collective/books/{book.pk}/statements.xlsx?year=2026")
    wb = load_workbook(BytesIO(xlsx.content))
    assert wb.sheetnames == ["资产负债表", "收益表", "收益分配表"]
    assert [None, "一、经营收入", 54000] in [
        list(r) for r in wb["收益表"].iter_rows(values_only=True)
    ]

    from django.test import Client

    anonymous = Client()
    public = anonymous.get(f"/collective/open/{world.community_a.code}/")
    text = public.content.decode()
    assert public.status_code == 200
    assert "54000.00" in text and "临川绿野农业有限公司" in text
    assert "王小明" not in text and "王某某" in text
    asked = anonymous.post(
        f"/collective/open/{world.community_a.code}/ask/",
        {"question": "今年土地流转租金收了多少？", "phone": "13812345678", "form_token": "tok-1"},
    )
    assert asked.status_code == 302
    case = Case.objects.get(category__code="village-affairs")
    assert case.place == world.community_a and "土地流转" in case.description
    short = anonymous.post(
        f"/collective/open/{world.community_a.code}/ask/",
        {"question": "租金", "phone": "13812345678", "form_token": "tok-2"},
    )
    assert short.status_code == 422 and "至少 5 个字" in short.content.decode()


def test_an_unbalanced_voucher_from_the_form_is_shown_again_with_the_reason(book, accountant):
    r = client_as(accountant).post(
        f"/collective/books/{book.pk}/vouchers/",
        {
            "kind": "payment",
            "date": "2026-06-15",
            "summary": "付款",
            "account_1": "502",
            "debit_1": "100",
            "account_2": "102",
            "credit_2": "90",
        },
    )
    assert r.status_code == 422
    assert "借贷不平衡" in r.content.decode() and not Voucher.objects.exists()


def test_another_village_is_404_and_a_resident_role_is_refused(world, book):
    from apps.accounts.choices import Role
    from apps.core.testing.factories import make_user

    other = make_user("kuaiji_b", Role.VILLAGE_ACCOUNTANT, world.community_b)
    assert client_as(other).get(f"/collective/books/{book.pk}/").status_code == 404
    assert client_as(world.user("volunteer_a")).get("/collective/").status_code == 403


def test_the_api_writes_a_voucher_refuses_an_unbalanced_one_and_reads_the_statements(
    book, accountant, supervisor
):
    api = client_as(accountant)
    bad = api.post(
        f"/api/v1/collective/books/{book.pk}/vouchers",
        {
            "kind": "receipt",
            "date": "2026-06-15",
            "summary": "收租金",
            "lines": [{"account": "102", "debit": "100"}, {"account": "501", "credit": "99.99"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and "相差 0.01 元" in str(bad.json())
    made = api.post(
        f"/api/v1/collective/books/{book.pk}/vouchers",
        {
            "kind": "receipt",
            "date": "2026-06-15",
            "summary": "收租金",
            "lines": [{"account": "102", "debit": "100"}, {"account": "501", "credit": "100"}],
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "pending"
    pk = made.json()["id"]
    assert (
        api.post(
            f"/api/v1/collective/vouchers/{pk}/decide",
            {"decision": "approved"},
            content_type="application/json",
        ).status_code
        == 403
    )
    done = client_as(supervisor).post(
        f"/api/v1/collective/vouchers/{pk}/decide",
        {"decision": "approved"},
        content_type="application/json",
    )
    assert done.json()["status"] == "posted" and done.json()["number"] == "收2026-0001"
    sheet = api.get(f"/api/v1/collective/books/{book.pk}/balance-sheet?date=2026-06-30").json()
    assert sheet["balances"] and Decimal(sheet["total_assets"]) == Decimal("100")
    income = api.get(
        f"/api/v1/collective/books/{book.pk}/income-statement?date_from=2026-01-01&date_to=2026-12-31"
    ).json()
    assert Decimal(income["operating_income"]) == Decimal("100")
    ranked = api.get("/api/v1/collective/ranking?year=2026").json()
    assert ranked[0]["village"] == "红门社区"
