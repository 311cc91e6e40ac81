"""Issue 20, item 14: the demo's patrol hazards are told in their own words, so two different
hazards of one grid on one day (燃气管道老化, 窨井盖破损) are not offered as 可能重复 — they
shared one boilerplate sentence, which made their texts 64 % alike."""

import pytest

from apps.cases.duplicates import possible_duplicates
from apps.cases.models import Case
from apps.cases.tests.helpers import make_case, make_category
from apps.visits.demo import HAZARDS

pytestmark = pytest.mark.django_db


def test_two_demo_hazards_of_one_place_and_day_are_not_duplicates(world):
    category = make_category("v-hazard")
    cases = [
        make_case(world, category=category, place=world.grid_a, title=t, description=HAZARDS[t])
        for t in ("燃气管道老化", "窨井盖破损")
    ]
    gas = Case.objects.select_related("place").get(pk=cases[0].pk)
    assert possible_duplicates(gas, Case.objects.all()) == []
    # the same hazard reported twice still is one
    again = make_case(
        world,
        category=category,
        place=world.grid_a,
        title="燃气管道老化",
        description=HAZARDS["燃气管道老化"],
    )
    found = possible_duplicates(gas, Case.objects.all())
    assert [d.case.pk for d in found] == [again.pk]
