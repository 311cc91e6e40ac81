"""Shared set-up for the collective-economy tests: the books of 红门社区 (community A) with a
village accountant, the village supervisory committee and the town's 三资 agency."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from apps.accounts.choices import Role
from apps.core.testing.factories import make_user

from ..actions import Line, do_create_contract, do_decide, do_open_book
from ..choices import ContractKind, Decision, VoucherStatus
from ..models import Book, Voucher

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def frozen_now():
    """Every test runs at 2026-06-15 10:00 (Asia/Shanghai), never the real date;
    `frozen_now(moment)` moves the clock."""
    traveller = time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI))
    traveller.start()
    moved: list = []

    def move(moment: dt.datetime) -> None:
        t = time_machine.travel(moment.replace(tzinfo=moment.tzinfo or SHANGHAI))
        t.start()
        moved.append(t)

    yield move
    for t in reversed(moved):
        t.stop()
    traveller.stop()


@pytest.fixture
def accountant(world):
    return make_user("kuaiji", Role.VILLAGE_ACCOUNTANT, world.community_a)


@pytest.fixture
def supervisor(world):
    return make_user("jiandu", Role.VILLAGE_SUPERVISOR, world.community_a)


@pytest.fixture
def agency(world):
    return make_user("daili", Role.AGENCY_ACCOUNTANT, world.town)


@pytest.fixture
def book(world, agency) -> Book:
    return do_open_book(
        actor=agency, village=world.community_a, organisation="红门村股份经济合作社", members=400
    )


@pytest.fixture
def approve(supervisor, agency):
    """Take a voucher through the rest of its chain."""

    def run(voucher: Voucher) -> Voucher:
        by_role = {supervisor.role: supervisor, agency.role: agency}
        while voucher.status == VoucherStatus.PENDING:
            role = voucher.book.steps_for(voucher.kind)[voucher.step]
            voucher = do_decide(actor=by_role[role], voucher=voucher, decision=Decision.APPROVED)
        return voucher

    return run


@pytest.fixture
def land_contract(book, accountant):
    return do_create_contract(
        actor=accountant,
        book=book,
        kind=ContractKind.LAND_TRANSFER,
        number="LZ-2026-01",
        title="村东 108 亩水田流转",
        counterparty="临川绿野农业有限公司",
        start=dt.date(2026, 1, 1),
        end=dt.date(2031, 1, 1),
        area_mu=Decimal("108"),
        rent_per_mu=Decimal("500"),
    )


def rent(amount: str) -> list[Line]:
    return [Line("102", debit=amount), Line("501", credit=amount)]
