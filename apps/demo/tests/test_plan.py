"""The plan: the published figures (渝水区 compounds, 泗洲镇 包联) at the county size, valid
codes, determinism."""

import pytest

from apps.demo.plan import SIZES, build_plan
from apps.places.choices import PlaceKind
from apps.places.models import Place, place_code_error

SPEC_P7 = {
    "compounds": 590,
    "buildings": 4759,  # one 楼栋长 per building
    "units": 10351,  # one 单元长 per unit
    "owner_committees": 386,
    "pmcs": 204,
    "oc_party_members": 707,
}


@pytest.mark.parametrize("seed", [2026, 1, 99])
def test_it_plans_the_spec_figures_for_the_county_size(seed):
    totals = build_plan("county", seed).totals()
    assert {k: totals[k] for k in SPEC_P7} == SPEC_P7
    assert 15 <= totals["towns"] <= 25


def test_it_plans_the_same_county_for_the_same_seed():
    assert build_plan("county", 7) == build_plan("county", 7)
    assert build_plan("county", 7) != build_plan("county", 8)


@pytest.mark.parametrize("size", list(SIZES))
def test_it_plans_valid_unique_codes(size):
    plan = build_plan(size, 2026)
    county = Place(kind=PlaceKind.COUNTY, code="360732000000")
    codes = set()
    for town in plan.towns:
        town_place = Place(kind=PlaceKind.TOWN, code=town.code)
        assert place_code_error(PlaceKind.TOWN, town.code, county) is None
        for community in town.communities:
            assert place_code_error(PlaceKind.COMMUNITY, community.code, town_place) is None
            codes.add(community.code)
        codes.add(town.code)
    assert len(codes) == sum(1 + len(t.communities) for t in plan.towns)


def test_it_marks_one_town_for_the_p2_figures():
    plan = build_plan("county", 2026)
    assert sum(t.p2 for t in plan.towns) == 1


def test_it_refuses_an_unknown_size():
    with pytest.raises(ValueError, match="未知的规模 huge"):
        build_plan("huge", 1)
