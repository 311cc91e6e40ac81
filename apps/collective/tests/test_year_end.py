"""Year-end carry-forward: closing December is refused while the year holds unposted
vouchers; then it closes the year's months, carries the balance-sheet accounts into the next
year's opening balances and the year's result through 本年收益 into 收益分配, audited; the
balance sheet of the next year opens with the year's closing figures."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import AuditEvent

from ..actions import Line, do_close_period, do_create_voucher
from ..choices import VoucherStatus
from ..models import OpeningBalance, Period
from ..selectors import balance_sheet, distribution, income_statement

pytestmark = pytest.mark.django_db


def book_it(accountant, approve, book, day, lines, kind="transfer", summary="记账"):
    return approve(
        do_create_voucher(
            actor=accountant, book=book, kind=kind, date=day, summary=summary, lines=lines
        )
    )


def rows(section):
    return [(r.code, r.name, r.amount) for r in section]


def test_closing_december_carries_the_year_into_the_next(
    book, accountant, agency, approve, frozen_now
):
    d = dt.date
    book_it(
        accountant,
        approve,
        book,
        d(2026, 1, 5),
        [Line("102", debit="100000"), Line("301", credit="100000")],
    )
    book_it(
        accountant,
        approve,
        book,
        d(2026, 3, 1),
        [Line("102", debit="54000"), Line("501", credit="54000")],
        "receipt",
    )
    book_it(
        accountant,
        approve,
        book,
        d(2026, 4, 1),
        [Line("102", debit="600000"), Line("521", credit="600000")],
        "receipt",
    )
    book_it(
        accountant,
        approve,
        book,
        d(2026, 5, 9),
        [Line("511", debit="10000"), Line("102", credit="10000")],
        "payment",
    )
    book_it(
        accountant,
        approve,
        book,
        d(2026, 6, 1),
        [Line("151", debit="80000"), Line("202", credit="80000")],
    )
    book_it(
        accountant,
        approve,
        book,
        d(2026, 12, 20),
        [Line("322", debit="64400", sub="提取公积公益金"), Line("311", credit="64400")],
    )
    waiting = do_create_voucher(
        actor=accountant,
        book=book,
        kind="payment",
        date=d(2026, 11, 3),
        summary="付保洁费",
        lines=[Line("551", debit="2000"), Line("102", credit="2000")],
    )
    assert waiting.status == VoucherStatus.PENDING

    frozen_now(dt.datetime(2027, 1, 6, 9, 0))
    with pytest.raises(ValidationError, match="2026年还有 1 张凭证未记账"):
        do_close_period(actor=agency, book=book, year=2026, month=12)
    with pytest.raises(Exception, match="只有乡镇三资代理中心可以结账"):
        do_close_period(actor=accountant, book=book, year=2026, month=12)
    approve(waiting)
    end = balance_sheet(book, d(2026, 12, 31))
    result = income_statement(book, d(2026, 1, 1), d(2026, 12, 31)).net_result
    assert result == 54000 + 600000 - 10000 - 2000
    undistributed = distribution(book, 2026).closing_undistributed
    assert undistributed == result - 64400

    do_close_period(actor=agency, book=book, year=2026, month=12)

    assert set(Period.objects.filter(book=book, year=2026).values_list("month", flat=True)) == (
        set(range(1, 13))
    )
    opened = balance_sheet(book, d(2027, 1, 1))
    assert opened.balances and end.balances
    assert rows(opened.assets) == rows(end.assets)
    assert rows(opened.liabilities) == rows(end.liabilities)
    assert opened.total_equity == end.total_equity
    equity = {r.name: r.amount for r in opened.equity}
    assert equity["收益分配"] == undistributed and equity["本年收益（未结转）"] == 0
    assert equity["本年收益"] == 0 and equity["资本"] == 100000 and equity["公积公益金"] == 64400
    assert not OpeningBalance.objects.filter(year=2027, account__code__startswith="5").exists()
    events = AuditEvent.objects.filter(object_type="collective.book", verb="update")
    [event] = [e for e in events if "carried_forward" in e.changes]
    assert event.changes["carried_forward"] == 2027
    assert event.changes["net_result"] == int(result * 100)

    # the closed year keeps its own income statement; it takes no more vouchers
    assert income_statement(book, d(2026, 1, 1), d(2026, 12, 31)).net_result == result
    with pytest.raises(ValidationError, match="已经结账"):
        do_create_voucher(
            actor=accountant,
            book=book,
            kind="receipt",
            date=d(2026, 8, 1),
            summary="补记",
            lines=[Line("101", debit="1"), Line("541", credit="1")],
        )
    # the next year goes on from the opening balances
    book_it(
        accountant,
        approve,
        book,
        d(2027, 1, 4),
        [Line("102", debit="27000"), Line("501", credit="27000")],
        "receipt",
    )
    later = balance_sheet(book, d(2027, 1, 31))
    assert later.balances and later.total_assets == end.total_assets + 27000
    assert {r.name: r.amount for r in later.equity}["本年收益（未结转）"] == 27000
    assert distribution(book, 2027).opening_undistributed == undistributed


def test_a_year_cannot_be_carried_while_an_earlier_month_is_open(
    book, accountant, agency, approve, frozen_now
):
    book_it(
        accountant,
        approve,
        book,
        dt.date(2025, 11, 2),
        [Line("102", debit="10"), Line("301", credit="10")],
    )
    frozen_now(dt.datetime(2027, 1, 6, 9, 0))
    with pytest.raises(ValidationError, match="请先结转2025年：2025年11月尚未结账"):
        do_close_period(actor=agency, book=book, year=2026, month=12)
    assert not OpeningBalance.objects.exists() and not Period.objects.exists()
    do_close_period(actor=agency, book=book, year=2025, month=12)
    do_close_period(actor=agency, book=book, year=2026, month=12)
    assert balance_sheet(book, dt.date(2027, 1, 1)).total_assets == 10
