"""The province and city levels above the county (issue 16): shape, codes, scope, names."""

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.choices import Role
from apps.core.testing.factories import make_place, make_user
from apps.places import geometry
from apps.places.actions import do_create_place
from apps.places.choices import PlaceKind
from apps.places.models import Place, place_code_error

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[115.0, 26.0], [115.5, 26.0], [115.5, 26.5], [115.0, 26.5], [115.0, 26.0]]],
}
OTHER = {
    "type": "Polygon",
    "coordinates": [[[116.0, 27.0], [116.5, 27.0], [116.5, 27.5], [116.0, 27.5], [116.0, 27.0]]],
}


@pytest.fixture
def city_tree():
    province = make_place(PlaceKind.PROVINCE, "江西省", code="360000000000")
    city = make_place(PlaceKind.CITY, "赣州市", province, code="360700000000")
    xingguo = make_place(PlaceKind.COUNTY, "兴国县", city, code="360732000000", geometry=SQUARE)
    yudu = make_place(PlaceKind.COUNTY, "于都县", city, code="360731000000", geometry=OTHER)
    town = make_place(PlaceKind.TOWN, "潋江镇", xingguo, geometry=SQUARE)
    other_town = make_place(PlaceKind.TOWN, "贡江镇", yudu, geometry=OTHER)
    return province, city, xingguo, yudu, town, other_town


def test_codes_follow_the_division_code_rules(city_tree):
    province, city, *_ = city_tree
    assert place_code_error(PlaceKind.PROVINCE, "360000000000", None) is None
    assert "省级编码" in place_code_error(PlaceKind.PROVINCE, "360700000000", None)
    assert "市级编码" in place_code_error(PlaceKind.CITY, "360732000000", province)
    assert place_code_error(PlaceKind.CITY, "361000000000", province) is None
    assert place_code_error(PlaceKind.CITY, "350700000000", province) == (
        "市编码的前2位应与所属省一致"
    )
    assert place_code_error(PlaceKind.COUNTY, "360821000000", city) == (
        "县区编码的前4位应与所属市一致"
    )
    assert place_code_error(PlaceKind.COUNTY, "360732000000", None) is None


def test_the_tree_shape_allows_the_new_levels_and_keeps_county_roots():
    province = Place(kind=PlaceKind.PROVINCE, code="360000000000", name="江西省")
    province.full_clean(exclude=["path", "depth"])
    county_root = Place(kind=PlaceKind.COUNTY, code="360732000000", name="兴国县")
    county_root.full_clean(exclude=["path", "depth"])  # trees made before stay valid roots
    saved = make_place(PlaceKind.PROVINCE, "江西省", code="360000000000")
    misplaced = Place(kind=PlaceKind.COUNTY, code="360732000000", name="兴国县", parent=saved)
    with pytest.raises(ValidationError) as exc:
        misplaced.full_clean(exclude=["path", "depth"])
    assert exc.value.message_dict["parent"] == ["县区不能放在省之下"]
    orphan_town = Place(kind=PlaceKind.TOWN, code="360732100000", name="镇")
    with pytest.raises(ValidationError) as exc:
        orphan_town.full_clean(exclude=["path", "depth"])
    assert exc.value.message_dict["parent"] == ["乡镇街道必须有上级"]


def test_a_superuser_builds_a_city_through_the_action():
    admin = make_user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    province = do_create_place(
        actor=admin, kind=PlaceKind.PROVINCE, code="360000000000", name="江西省", parent=None
    )
    city = do_create_place(
        actor=admin, kind=PlaceKind.CITY, code="360400000000", name="九江市", parent=province
    )
    county = do_create_place(
        actor=admin, kind=PlaceKind.COUNTY, code="360423000000", name="武宁县", parent=city
    )
    assert (province.depth, city.depth, county.depth) == (0, 1, 2)
    assert county.path == province.path + city.path[10:] + county.path[20:]
    assert [p.name for p in county.ancestors()] == ["江西省", "九江市"]


def test_a_city_account_reaches_every_county_and_a_county_only_its_own(city_tree):
    _province, city, xingguo, _yudu, _town, _other_town = city_tree
    city_user = make_user("city", Role.COUNTY_LEADER, city)
    county_user = make_user("county", Role.COUNTY_LEADER, xingguo)
    city_sees = set(Place.objects.visible_to(city_user).values_list("name", flat=True))
    assert {"赣州市", "兴国县", "于都县", "潋江镇", "贡江镇"} == city_sees
    county_sees = set(Place.objects.visible_to(county_user).values_list("name", flat=True))
    assert county_sees == {"兴国县", "潋江镇"}


def test_names_below_the_county_leave_the_levels_above_out(city_tree):
    *_, town, _other = city_tree
    community = make_place(PlaceKind.COMMUNITY, "红门社区", town)
    assert community.full_name() == "潋江镇 红门社区"


def test_a_point_is_found_through_the_province_and_city(city_tree):
    province, _city, _xingguo, _yudu, town, other_town = city_tree
    assert geometry.areas_containing(province, 26.2, 115.2) == [town]
    assert geometry.areas_containing(province, 27.2, 116.2) == [other_town]
    assert geometry.areas_containing(province, 30.0, 120.0) == []
