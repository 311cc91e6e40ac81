"""The demo's surveys and brands: loaded with the tiny county, consistent with the actions'
invariants (ledger totals = entries, attributed orders in the brand's communities and
categories), and the indicators read them."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from apps.demo.generator import generate
from apps.places.models import Place
from apps.stats.indicators import REGISTRY, Scope

from ..models import Brand, BrandOrder, FundEntry, SurveyRecord
from ..selectors import brand_figures, service_list


@pytest.fixture
def tiny(db):
    return generate("tiny", 2026)


def test_the_demo_county_has_surveys_and_brands(tiny):
    counts = tiny["counts"]
    assert counts["brands_campaigns"] > 0 and counts["brands_survey_records"] > 0
    assert counts["brands_brands"] == Brand.objects.count() > 0
    for brand in Brand.objects.all():
        total = FundEntry.objects.filter(brand=brand).aggregate(s=Sum("amount"))["s"] or 0
        assert brand.balance == total >= 0
        assert brand.name in {"暖巢行动", "童心港湾", "妈妈课堂", "邻里帮帮站"}
    for link in BrandOrder.objects.select_related("case__place", "case__category", "brand"):
        assert link.brand.categories.filter(pk=link.case.category_id).exists()
        assert any(link.case.place.path.startswith(c.path) for c in link.brand.communities.all())
    county = Place.objects.get(kind="county")
    user = get_user_model().objects.get(username="admin")
    rows = service_list(user, county)
    assert sum(r.households for r in rows) > 0
    figures = brand_figures(list(Brand.objects.all()))
    today = timezone.localdate()
    scope = Scope(user=user, place=county, date_from=today - dt.timedelta(days=1000), date_to=today)
    assert REGISTRY["survey_households"].compute(scope) == SurveyRecord.objects.count()
    assert REGISTRY["brands"].compute(scope) == Brand.objects.count()
    assert REGISTRY["brand_funds_received"].compute(scope) == float(
        sum(b.funds_received for b in Brand.objects.all())
    )
    resolved = sum(f.order_person_times for f in figures.values())
    assert REGISTRY["brand_person_times"].compute(scope) <= resolved + sum(
        f.activity_person_times for f in figures.values()
    )
    assert REGISTRY["survey_needs"].link(scope).startswith("/brands/services/")
