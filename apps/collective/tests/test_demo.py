"""The demo contribution: every village gets books that balance, the model village reaches
the article's figures (over 800k yuan of collective income, 108 亩 transferred, 200+ jobs)."""

import datetime as dt
from decimal import Decimal

from apps.core.testing.factories import make_place
from apps.places.choices import PlaceKind

from ..demo import populate_demo
from ..models import Book, Job
from ..selectors import balance_sheet, income_statement, land_transferred_mu, ranking


def test_the_demo_county(db):
    county = make_place(PlaceKind.COUNTY, "临川区")
    for t in range(3):
        town = make_place(PlaceKind.TOWN, f"镇{t}", county)
        for v in range(10):
            make_place(PlaceKind.COMMUNITY, f"村{t}-{v}", town)
    counts = populate_demo(county, "small", 7, lambda text: None)
    assert counts["books"] == 30 and counts["lines"] > 500
    model = Book.objects.order_by("village__path").first()
    year = dt.date(2026, 6, 15).year
    statement = income_statement(model, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    assert statement.total_income > Decimal("800000")
    assert land_transferred_mu(county, dt.date(2026, 6, 15)) == Decimal("108")
    assert sum(Job.objects.values_list("count", flat=True)) >= 200
    for book in Book.objects.all():
        assert balance_sheet(book, dt.date(2026, 6, 15)).balances
    rows = ranking(county, year - 1)
    assert rows[0].book == model
    under_50k = sum(1 for r in rows if r.operating_income < 50_000)
    assert 5 <= under_50k <= 25


def test_the_model_villages_registers_page(db, client):
    from apps.accounts.choices import Role
    from apps.core.testing import client_as
    from apps.core.testing.factories import make_user

    county = make_place(PlaceKind.COUNTY, "临川区")
    town = make_place(PlaceKind.TOWN, "镇", county)
    village = make_place(PlaceKind.COMMUNITY, "石塘村", town)
    populate_demo(county, "tiny", 7, lambda text: None)
    book = Book.objects.get(village=village)
    page = client_as(make_user("kj", Role.VILLAGE_ACCOUNTANT, village)).get(
        f"/collective/books/{book.pk}/registers/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "临川物流有限公司" in text and "物流" in text and "80%" in text
    assert "青年村民1" in text and "30000" in text


def test_the_model_village_at_the_articles_figures_and_its_labour_from_both_sources(db):
    from apps.core.testing.factories import PersonFactory

    from ..models import Mentoring, VisitorCount
    from ..selectors import REGISTRY, SURVEY, labour_force

    county = make_place(PlaceKind.COUNTY, "临川区")
    town = make_place(PlaceKind.TOWN, "镇", county)
    village = make_place(PlaceKind.COMMUNITY, "石塘村", town)
    household = make_place(PlaceKind.HOUSEHOLD, "1号", village)
    for n in range(36):  # born 1970–2005: of working age (18–60) on 2026-06-15
        PersonFactory(place=household, birth_date=dt.date(1970 + n, 1, 1))
    PersonFactory(place=household, birth_date=dt.date(1950, 1, 1))  # retired: no trade
    PersonFactory(place=household, birth_date=dt.date(2015, 1, 1))  # a child: no trade
    counts = populate_demo(county, "tiny", 7, lambda text: None)
    book = Book.objects.get(village=village)
    assert counts["traded"] == 36 and counts["jobs"] >= 200
    year = 2025
    assert (
        sum(
            VisitorCount.objects.filter(book=book, month__year=year).values_list("count", flat=True)
        )
        == 360_000
    )
    assert Mentoring.objects.filter(talent__book=book).count() == 8
    force = labour_force(book)
    by_trade = {f.trade: f for f in force.trades}
    assert force.registered == 36 and force.survey_year == 2026
    assert by_trade["物流"].source == SURVEY and by_trade["物流"].count == 960
    assert by_trade["物流"].share == 80  # 960 of the 1,200 surveyed and a few 养殖
    assert by_trade["养殖"].source == REGISTRY and by_trade["养殖"].surveyed is None
    assert by_trade["养殖"].count == by_trade["养殖"].registered > 0
