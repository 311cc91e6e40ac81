"""Contracts: the land-transfer schedule from 亩 × rent, receipts booked against an
instalment, overdue instalments red-flagged, rent-due and expiry reminders sent once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.tasks import capture_tasks

from ..actions import (
    do_book_receipt,
    do_create_contract,
    do_reverse_voucher,
    schedule,
    send_reminders,
)
from ..choices import ContractKind, Frequency
from ..selectors import (
    contracts_of,
    income_statement,
    land_transferred_mu,
    overdue_in,
    schedule_of,
)


def test_a_schedule_pays_in_advance_and_a_short_last_period_pays_its_share():
    rows = schedule(dt.date(2026, 1, 1), dt.date(2027, 7, 1), 120000, Frequency.YEARLY)
    assert rows == [(dt.date(2026, 1, 1), 120000), (dt.date(2027, 1, 1), 120000 * 181 // 365)]
    quarters = schedule(dt.date(2026, 1, 31), dt.date(2026, 12, 31), 40000, Frequency.QUARTERLY)
    assert [d for d, _ in quarters][:2] == [dt.date(2026, 1, 31), dt.date(2026, 4, 30)]


def test_a_land_transfer_bills_area_times_rent(land_contract):
    assert land_contract.annual_amount == 108 * 500 * 100
    assert land_contract.instalments.count() == 5
    assert land_contract.instalments.first().amount == 5_400_000


def test_a_land_transfer_needs_area_and_rent(book, accountant):
    with pytest.raises(ValidationError, match="面积"):
        do_create_contract(
            actor=accountant,
            book=book,
            kind=ContractKind.LAND_TRANSFER,
            number="X1",
            title="地",
            counterparty="某公司",
            start=dt.date(2026, 1, 1),
            end=dt.date(2027, 1, 1),
        )


def test_a_receipt_against_the_contract_clears_the_red_flag(
    world, book, accountant, approve, land_contract
):
    today = dt.date(2026, 6, 15)
    first = land_contract.instalments.first()
    assert [i.pk for i in overdue_in(world.county, today)] == [first.pk]
    assert contracts_of(book, today)[0].overdue_count == 1
    voucher = do_book_receipt(
        actor=accountant, instalment=first, amount="54000", date=dt.date(2026, 6, 15)
    )
    assert overdue_in(world.county, today)  # not yet approved: still outstanding
    approve(voucher)
    assert overdue_in(world.county, today) == []
    assert schedule_of(land_contract, today)[0].received == Decimal("54000.00")
    year = income_statement(book, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert year.operating_income == Decimal("54000.00")
    approve(do_reverse_voucher(actor=accountant, voucher=voucher, date=today, reason="错收"))
    assert [i.pk for i in overdue_in(world.county, today)] == [first.pk]
    assert land_transferred_mu(world.county, today) == Decimal("108")


def test_shares_pay_investment_income(book, accountant, approve):
    contract = do_create_contract(
        actor=accountant,
        book=book,
        kind=ContractKind.SHARES,
        number="GF-1",
        title="物流公司入股",
        counterparty="临川物流有限公司",
        start=dt.date(2026, 1, 1),
        end=dt.date(2036, 1, 1),
        annual_amount="600000",
    )
    approve(
        do_book_receipt(
            actor=accountant,
            instalment=contract.instalments.first(),
            amount="600000",
            date=dt.date(2026, 3, 1),
        )
    )
    year = income_statement(book, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert year.lines["investment_income"] == Decimal("600000.00")
    assert year.operating_income == Decimal("600000.00")


def test_reminders_go_once_to_the_bookkeepers(
    book, accountant, agency, land_contract, django_capture_on_commit_callbacks
):
    do_create_contract(
        actor=accountant,
        book=book,
        kind=ContractKind.LEASE,
        number="ZL-1",
        title="村部一楼门面",
        counterparty="张三",
        counterparty_is_person=True,
        start=dt.date(2024, 7, 1),
        end=dt.date(2026, 7, 1),
        annual_amount="12000",
    )
    with capture_tasks() as sent, django_capture_on_commit_callbacks(execute=True):
        n = send_reminders(dt.date(2026, 6, 15))
    # the lease ends in 16 days
    assert n == 3 + 1  # unpaid instalments: the land transfer's and the lease's two; one expiry
    assert all(name == "notifications.send" for name, _, _ in sent)
    users = {tuple(args[0]) for _, args, _ in sent}
    assert users == {tuple(sorted([accountant.pk, agency.pk]))}
    with capture_tasks() as again, django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(dt.date(2026, 6, 15)) == 0
    assert again == []


def test_the_indicators_read_the_books(world, book, accountant, approve, land_contract):
    from apps.stats.indicators import Scope
    from apps.stats.indicators import get as by_code

    approve(
        do_book_receipt(
            actor=accountant,
            instalment=land_contract.instalments.first(),
            amount="54000",
            date=dt.date(2026, 6, 1),
        )
    )
    s = Scope(world.user("county_leader"), world.county, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert by_code("collective_operating_income").compute(s) == 54000.0
    assert by_code("collective_income_per_capita").compute(s) == 135.0
    assert by_code("collective_villages_under_5w").compute(s) == 0
    assert by_code("collective_villages_under_10w").compute(s) == 1
    assert by_code("collective_land_transferred_mu").compute(s) == 108.0
    assert by_code("collective_receipts_overdue").compute(s) == 0


def test_the_figures_reach_the_overview_its_ranking_and_its_map(
    world, book, accountant, approve, land_contract, client
):
    """The leader's overview (stats.dashboard) shows 村集体经营性收入 among the programme
    figures, ranks the town's villages by it and draws it (or the land transferred) on the
    map, with the collective resources as a point layer."""
    from apps.core.testing import client_as
    from apps.places.models import Place
    from apps.stats.dashboard import overview

    from ..actions import do_register_resource

    approve(
        do_book_receipt(
            actor=accountant,
            instalment=land_contract.instalments.first(),
            amount="54000",
            date=dt.date(2026, 6, 1),
        )
    )
    do_register_resource(
        actor=accountant,
        book=book,
        kind="land",
        name="村东水田",
        area_mu=Decimal("108"),
        use="contracted",
        location="村东",
        lng=116.35,
        lat=27.95,
    )
    square = [[116.3, 27.9], [116.4, 27.9], [116.4, 28.0], [116.3, 28.0], [116.3, 27.9]]
    Place.objects.filter(pk=world.community_a.pk).update(
        geometry={"type": "Polygon", "coordinates": [square]}
    )
    leader = world.user("county_leader")
    seen = overview(
        leader,
        world.town,
        dt.date(2026, 6, 1),
        rank="collective_operating_income",
        map_code="collective_land_transferred_mu",
        layer_code="collective_resources",
    )
    section = dict(seen.sections)["村集体经济"]
    assert [(f.indicator.code, f.value) for f in section][:1] == [
        ("collective_operating_income", 54000.0)
    ]
    assert [(r["name"], r["value"]) for r in seen.ranking if r["value"]] == [("红门社区", 54000.0)]
    drawn = seen.chart["map"]
    assert drawn["indicator"] == "土地流转面积"
    assert {r["name"]: r["value"] for r in drawn["rows"]}["红门社区"] == 108.0
    assert [f["properties"]["name"] for f in drawn["geojson"]["features"]] == ["红门社区"]
    points = seen.chart["layer"]["points"]
    assert [p["name"] for p in points] == ["红门社区 村东水田（耕地 108.00亩）"]
    page = client_as(leader).get(
        f"/stats/?place={world.town.pk}&period=2026-06&rank=collective_operating_income"
    )
    assert page.status_code == 200 and "村集体经营性收入" in page.content.decode()
