"""Property: for any sequence of vouchers and reversals, the balance sheet balances and the
income statement equals the sum of its accounts."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from apps.accounts.choices import Role
from apps.core.testing.factories import make_place, make_user
from apps.places.choices import PlaceKind

from ..actions import Line, do_create_voucher, do_open_book, do_reverse_voucher
from ..choices import AccountClass, VoucherStatus
from ..models import Account, VoucherLine
from ..selectors import balance_sheet, income_statement

CODES = [
    "101",
    "102",
    "112",
    "121",
    "141",
    "151",
    "152",
    "202",
    "211",
    "301",
    "311",
    "322",
    "401",
    "501",
    "502",
    "503",
    "511",
    "521",
    "531",
    "541",
    "551",
    "552",
    "561",
]
amounts = st.integers(min_value=1, max_value=10_000_000)  # fen
entry = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), amounts), min_size=1, max_size=3
)
step = st.one_of(
    st.tuples(st.just("voucher"), entry, st.integers(min_value=1, max_value=28)),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50), st.integers(1, 28)),
)


class BooksProperty(TestCase):
    @settings(max_examples=25)
    @given(st.lists(step, min_size=1, max_size=12))
    def test_any_sequence_keeps_the_books_balanced(self, steps):
        county = make_place(PlaceKind.COUNTY, "县")
        town = make_place(PlaceKind.TOWN, "镇", county)
        village = make_place(PlaceKind.COMMUNITY, "村", town)
        agency = make_user("agency_p", Role.AGENCY_ACCOUNTANT, town)
        book = do_open_book(actor=agency, village=village, organisation="村集体", approvals={})
        posted = []
        for kind, payload, day in steps:
            date = dt.date(2026, 5, day)
            if kind == "voucher":
                lines = []
                for debit, credit, amount in payload:
                    value = Decimal(amount) / 100
                    lines += [Line(debit, debit=value), Line(credit, credit=value)]
                posted.append(
                    do_create_voucher(
                        actor=agency,
                        book=book,
                        kind="transfer",
                        date=date,
                        summary="业务",
                        lines=lines,
                    )
                )
            elif posted:
                target = posted[payload % len(posted)]
                if target.reverses_id is None and not hasattr(target, "reversed_by"):
                    posted.append(
                        do_reverse_voucher(actor=agency, voucher=target, date=date, reason="更正")
                    )
                    target.refresh_from_db()
        assert all(v.status == VoucherStatus.POSTED for v in posted)
        sheet = balance_sheet(book, dt.date(2026, 5, 31))
        assert sheet.balances, (sheet.total_assets, sheet.total_liabilities, sheet.total_equity)
        statement = income_statement(book, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
        pl = VoucherLine.objects.filter(
            voucher__book=book, account__account_class=AccountClass.PROFIT_LOSS
        )
        by_hand = sum(line.credit - line.debit for line in pl)
        assert statement.net_result == Decimal(by_hand) / 100
        income = sum(
            line.credit - line.debit
            for line in pl.filter(account__code__in=["501", "521", "531", "541"])
        )
        assert statement.total_income == Decimal(income) / 100
        assert Account.objects.count() == 42
