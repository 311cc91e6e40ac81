"""The books: vouchers balance by every path (the database refuses otherwise), the approval
chain, reversals instead of edits, period closing, the statements and their Excel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from apps.core.testing.factories import make_user

from ..actions import (
    Line,
    do_close_period,
    do_create_voucher,
    do_decide,
    do_reverse_voucher,
    do_set_approvals,
)
from ..choices import Decision, VoucherKind, VoucherStatus
from ..models import Account, Voucher, VoucherLine
from ..selectors import balance_sheet, distribution, income_statement
from .conftest import rent

D = dt.date(2026, 3, 10)


def test_the_2023_chart_has_its_42_accounts(db):
    assert Account.objects.count() == 42
    codes = dict(Account.objects.values_list("code", "name"))
    assert codes["501"] == "经营收入" and codes["521"] == "投资收益"
    assert codes["101"] == "库存现金" and codes["322"] == "收益分配"


def test_an_unbalanced_voucher_is_refused_with_the_difference(book, accountant):
    with pytest.raises(ValidationError) as refused:
        do_create_voucher(
            actor=accountant,
            book=book,
            kind=VoucherKind.RECEIPT,
            date=D,
            summary="收租金",
            lines=[Line("102", debit="100"), Line("501", credit="90")],
        )
    assert "借贷不平衡" in str(refused.value) and "相差 10.00 元" in str(refused.value)
    assert not Voucher.objects.exists()


def test_a_line_with_an_unknown_account_names_the_line(book, accountant):
    with pytest.raises(ValidationError) as refused:
        do_create_voucher(
            actor=accountant,
            book=book,
            kind=VoucherKind.RECEIPT,
            date=D,
            summary="收租金",
            lines=[Line("102", debit="100"), Line("599", credit="100")],
        )
    assert "第2行" in str(refused.value) and "599" in str(refused.value)


def _draft(book, lines):
    voucher = Voucher.objects.create(book=book, kind="transfer", date=D, summary="直接写库")
    VoucherLine.objects.bulk_create(
        VoucherLine(voucher=voucher, account=Account.objects.get(code=c), debit=d, credit=k)
        for c, d, k in lines
    )
    return voucher


def test_the_database_refuses_to_post_an_unbalanced_voucher_by_a_raw_orm_save(book):
    voucher = _draft(book, [("102", 10000, 0), ("501", 0, 9000)])
    voucher.status = VoucherStatus.POSTED
    with pytest.raises(IntegrityError), transaction.atomic():
        voucher.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(status=VoucherStatus.POSTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(book=book, kind="transfer", date=D, summary="x", status="posted")
    one_line = _draft(book, [("102", 10000, 0)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=one_line.pk).update(status=VoucherStatus.POSTED)


def test_the_database_refuses_raw_sql_too(book):
    voucher = _draft(book, [("102", 10000, 0), ("501", 0, 9000)])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collective_voucher SET status = 'posted' WHERE id = %s", [voucher.pk]
        )


def test_a_posted_voucher_and_its_lines_never_change(book, accountant, approve):
    voucher = approve(
        do_create_voucher(
            actor=accountant, book=book, kind="receipt", date=D, summary="收租金", lines=rent("100")
        )
    )
    assert voucher.status == VoucherStatus.POSTED and voucher.number == "收2026-0001"
    line = voucher.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherLine.objects.filter(pk=line.pk).update(debit=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherLine.objects.create(
            voucher=voucher, account=Account.objects.get(code="101"), debit=5
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        line.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(status=VoucherStatus.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(date=dt.date(2026, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        voucher.delete()


def test_the_approval_chain_runs_in_its_order_and_only_the_right_role_decides(
    book, accountant, supervisor, agency
):
    voucher = do_create_voucher(
        actor=accountant,
        book=book,
        kind=VoucherKind.PAYMENT,
        date=D,
        summary="付村道修缮款",
        lines=[Line("551", debit="3000"), Line("102", credit="3000")],
    )
    assert voucher.status == VoucherStatus.PENDING
    with pytest.raises(PermissionDenied, match="村务监督委员会"):
        do_decide(actor=agency, voucher=voucher, decision=Decision.APPROVED)
    with pytest.raises(PermissionDenied):
        do_decide(actor=accountant, voucher=voucher, decision=Decision.APPROVED)
    voucher = do_decide(actor=supervisor, voucher=voucher, decision=Decision.APPROVED)
    assert voucher.status == VoucherStatus.PENDING and voucher.step == 1
    voucher = do_decide(actor=agency, voucher=voucher, decision=Decision.APPROVED)
    assert voucher.status == VoucherStatus.POSTED and voucher.number == "付2026-0001"
    assert [a.role for a in voucher.approvals.all()] == ["village_supervisor", "agency_accountant"]


def test_a_rejection_needs_a_reason_and_stops_the_voucher(book, accountant, supervisor):
    voucher = do_create_voucher(
        actor=accountant,
        book=book,
        kind="payment",
        date=D,
        summary="付款",
        lines=[Line("511", debit="50"), Line("101", credit="50")],
    )
    with pytest.raises(ValidationError, match="理由"):
        do_decide(actor=supervisor, voucher=voucher, decision=Decision.REJECTED)
    voucher = do_decide(actor=supervisor, voucher=voucher, decision="rejected", note="无发票")
    assert voucher.status == VoucherStatus.REJECTED
    assert balance_sheet(book, D).total_assets == 0


def test_the_sequence_is_configurable_and_an_empty_one_posts_at_once(book, agency, accountant):
    do_set_approvals(actor=agency, book=book, approvals={"transfer": []})
    voucher = do_create_voucher(
        actor=accountant,
        book=book,
        kind="transfer",
        date=D,
        summary="结转",
        lines=[Line("401", debit="10"), Line("121", credit="10")],
    )
    assert voucher.status == VoucherStatus.POSTED
    with pytest.raises(ValidationError, match="不能审批凭证"):
        do_set_approvals(actor=agency, book=book, approvals={"payment": ["grid_worker"]})
    with pytest.raises(PermissionDenied):
        do_set_approvals(actor=accountant, book=book, approvals={})


def test_a_reversal_undoes_a_posted_voucher_and_only_once(book, accountant, approve):
    voucher = approve(
        do_create_voucher(
            actor=accountant, book=book, kind="receipt", date=D, summary="收租金", lines=rent("800")
        )
    )
    assert income_statement(book, D, D).operating_income == Decimal("800.00")
    reversal = approve(
        do_reverse_voucher(actor=accountant, voucher=voucher, date=D, reason="重复记账")
    )
    assert reversal.status == VoucherStatus.POSTED and reversal.reverses == voucher
    assert income_statement(book, D, D).operating_income == 0
    assert balance_sheet(book, D).total_assets == 0
    with pytest.raises(ValidationError, match="已经冲销过"):
        do_reverse_voucher(actor=accountant, voucher=voucher, date=D, reason="再冲")


def test_a_closed_month_takes_no_more_vouchers(book, accountant, agency, approve, frozen_now):
    frozen_now(dt.datetime(2026, 4, 2, 9, 0))
    pending = do_create_voucher(
        actor=accountant, book=book, kind="receipt", date=D, summary="收租金", lines=rent("10")
    )
    with pytest.raises(ValidationError, match="审批中"):
        do_close_period(actor=agency, book=book, year=2026, month=3)
    approve(pending)
    with pytest.raises(PermissionDenied):
        do_close_period(actor=accountant, book=book, year=2026, month=3)
    do_close_period(actor=agency, book=book, year=2026, month=3)
    with pytest.raises(ValidationError, match="已经结账"):
        do_create_voucher(
            actor=accountant, book=book, kind="receipt", date=D, summary="补记", lines=rent("10")
        )
    with pytest.raises(ValidationError, match="尚未开始"):
        do_close_period(actor=agency, book=book, year=2026, month=5)


def test_an_outsider_cannot_keep_another_villages_books(world, book):
    from apps.accounts.choices import Role

    other = make_user("kuaiji_b", Role.VILLAGE_ACCOUNTANT, world.community_b)
    with pytest.raises(PermissionDenied, match="管辖范围"):
        do_create_voucher(
            actor=other, book=book, kind="receipt", date=D, summary="收", lines=rent("1")
        )


def test_the_statements(book, accountant, agency, approve):
    do_set_approvals(actor=agency, book=book, approvals={})
    entries = [
        ("transfer", [Line("102", debit="1000000"), Line("301", credit="1000000")]),
        ("receipt", rent("120000")),
        ("receipt", [Line("102", debit="80000"), Line("521", credit="80000")]),
        ("receipt", [Line("102", debit="30000"), Line("531", credit="30000")]),
        ("payment", [Line("502", debit="20000"), Line("102", credit="20000")]),
        ("payment", [Line("511", debit="15000"), Line("102", credit="15000")]),
        ("payment", [Line("551", debit="5000"), Line("102", credit="5000")]),
        ("transfer", [Line("151", debit="200000"), Line("202", credit="200000")]),
        (
            "transfer",
            [Line("322", debit="10000", sub="提取公积公益金"), Line("311", credit="10000")],
        ),
    ]
    for kind, lines in entries:
        do_create_voucher(
            actor=accountant, book=book, kind=kind, date=D, summary="业务", lines=lines
        )
    statement = income_statement(book, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert statement.operating_income == Decimal("200000.00")
    assert statement.total_income == Decimal("230000.00")
    assert statement.operating_result == Decimal("165000.00")
    assert statement.net_result == Decimal("190000.00")
    sheet = balance_sheet(book, dt.date(2026, 12, 31))
    assert sheet.total_assets == Decimal("1390000.00")
    assert sheet.total_liabilities == Decimal("200000.00")
    assert sheet.balances
    dist = distribution(book, 2026)
    assert dist.net_result == Decimal("190000.00")
    assert dist.items == [("提取公积公益金", Decimal("10000.00"))]
    assert dist.closing_undistributed == Decimal("180000.00")


def test_a_posted_vouchers_contract_link_never_changes_even_by_raw_sql(
    book, accountant, approve, land_contract
):
    from ..actions import do_book_receipt, do_create_contract

    other = do_create_contract(
        actor=accountant,
        book=book,
        kind="lease",
        number="ZL-2026-09",
        title="仓库出租",
        counterparty="临川物流有限公司",
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 1, 1),
        annual_amount="1200",
    )
    first = land_contract.instalments.first()
    draft = do_book_receipt(actor=accountant, instalment=first, amount="100", date=D)
    # while it waits for approval the link may still be corrected (by SQL, here)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collective_voucher SET contract_id = %s, instalment_id = %s WHERE id = %s",
            [other.pk, other.instalments.first().pk, draft.pk],
        )
        cursor.execute(
            "UPDATE collective_voucher SET contract_id = %s, instalment_id = %s WHERE id = %s",
            [land_contract.pk, first.pk, draft.pk],
        )
    posted = approve(draft)
    assert posted.status == VoucherStatus.POSTED
    for sql, params in (
        ("UPDATE collective_voucher SET contract_id = %s WHERE id = %s", [other.pk, posted.pk]),
        (
            "UPDATE collective_voucher SET contract_id = NULL, instalment_id = NULL WHERE id = %s",
            [posted.pk],
        ),
        (
            "UPDATE collective_voucher SET instalment_id = %s WHERE id = %s",
            [land_contract.instalments.last().pk, posted.pk],
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=posted.pk).update(contract=None)
    posted.refresh_from_db()
    assert (posted.contract_id, posted.instalment_id) == (land_contract.pk, first.pk)
