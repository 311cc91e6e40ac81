"""The materialised path: invariants, subtree queries and code validation."""

import random

import pytest
from django.core.exceptions import ValidationError

from apps.core.testing.factories import make_place
from apps.places.choices import PlaceKind
from apps.places.models import SEGMENT, Place, path_upper
from apps.places.selectors import ancestor_ids, child_counts, subtree_totals

from .trees import brute_households, grow_community

pytestmark = pytest.mark.django_db


class TestPath:
    def test_it_extends_the_parent_path_by_one_segment(self, world):
        for place in Place.objects.exclude(parent=None).select_related("parent"):
            assert place.path == place.parent.path + f"{place.pk:0{SEGMENT}d}"
            assert place.depth == place.parent.depth + 1

    def test_it_bounds_a_subtree_with_path_upper(self):
        assert path_upper("0000000001") == "0000000002"
        assert path_upper("00000000010000000009") == "00000000010000000010"

    def test_it_reads_ancestor_ids_off_the_path(self, world):
        assert ancestor_ids(world.household_a) == [
            world.county.pk,
            world.town.pk,
            world.community_a.pk,
            world.grid_a.pk,
            world.compound_a.pk,
            world.building_a.pk,
            world.unit_a.pk,
            world.household_a.pk,
        ]

    def test_it_lists_ancestors_top_down(self, world):
        assert list(world.unit_a.ancestors()) == [
            world.county,
            world.town,
            world.community_a,
            world.grid_a,
            world.compound_a,
            world.building_a,
        ]


class TestSubtree:
    def test_it_finds_the_subtree_in_one_query(self, world, django_assert_num_queries):
        with django_assert_num_queries(1):
            names = {p.name for p in Place.objects.subtree(world.community_a)}
        assert names == {"红门社区", "红门第一网格", "幸福小区", "1栋", "1单元", "101室"}

    def test_it_leaves_out_a_sibling_whose_id_shares_a_prefix(self, world):
        assert world.household_b not in Place.objects.subtree(world.community_a)
        assert world.community_a not in Place.objects.subtree(world.community_a, include_self=False)

    def test_it_counts_households_and_residents_per_child(self, world, django_assert_num_queries):
        rng = random.Random(7)
        communities = [grow_community(world.town, f"测试{i}社区", rng) for i in range(3)]
        with django_assert_num_queries(1):
            rows = child_counts(world.town)
        by_id = {row.place.pk: row for row in rows}
        for community in [*communities, world.community_a, world.community_b]:
            assert by_id[community.pk].households == brute_households(community)
            residents = sum(
                h.people.filter(active=True).count()
                for h in Place.objects.subtree(community).filter(kind=PlaceKind.HOUSEHOLD)
            )
            assert by_id[community.pk].residents == residents

    def test_it_counts_the_whole_subtree(self, world, resident_a, resident_b):
        assert subtree_totals(world.county) == (2, 2)
        assert subtree_totals(world.community_a) == (1, 1)


class TestCodes:
    def test_it_requires_twelve_digits_for_a_town(self, world):
        town = Place(kind=PlaceKind.TOWN, code="36073210", name="错镇", parent=world.county)
        with pytest.raises(ValidationError) as exc:
            town.full_clean(exclude=["path", "depth"])
        assert exc.value.message_dict["code"] == ["行政区划编码应为12位数字（统计用区划代码）"]

    def test_it_requires_a_town_code_inside_its_county(self, world):
        town = Place(kind=PlaceKind.TOWN, code="360733101000", name="错镇", parent=world.county)
        with pytest.raises(ValidationError) as exc:
            town.full_clean(exclude=["path", "depth"])
        assert exc.value.message_dict["code"] == ["乡镇街道编码的前6位应与所属县区一致"]

    def test_it_requires_a_household_code_to_extend_its_parent(self, world):
        household = Place(kind=PlaceKind.HOUSEHOLD, code="1", name="错户", parent=world.unit_a)
        with pytest.raises(ValidationError) as exc:
            household.full_clean(exclude=["path", "depth"])
        assert exc.value.message_dict["code"] == [f"编码应以上级编码 {world.unit_a.code} 开头"]

    def test_it_refuses_a_household_under_a_town(self, world):
        household = Place(
            kind=PlaceKind.HOUSEHOLD, code=world.town.code + "001", name="错户", parent=world.town
        )
        with pytest.raises(ValidationError) as exc:
            household.full_clean(exclude=["path", "depth"])
        assert exc.value.message_dict["parent"] == ["户不能放在乡镇街道之下"]

    def test_it_accepts_a_station_code_with_its_letter(self, world):
        station = make_place(PlaceKind.STATION, "红门睦邻中心", world.community_a)
        assert station.code.startswith(world.community_a.code + "S")
        station.full_clean()
