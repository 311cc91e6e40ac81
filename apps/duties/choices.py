from django.db import models

from apps.places.choices import PlaceKind


class DutyKind(models.TextChoices):
    BAOLIAN = "baolian", "包联"
    GRID_WORKER = "grid_worker", "网格员"
    BUILDING_HEAD = "building_head", "楼栋长"
    UNIT_HEAD = "unit_head", "单元长"
    FOREST_CHIEF_COUNTY = "forest_chief_county", "县级林长"
    FOREST_CHIEF_TOWN = "forest_chief_town", "乡级林长"
    FOREST_CHIEF_VILLAGE = "forest_chief_village", "村级林长"
    RANGER = "ranger", "护林员"
    PAIRING = "pairing", "结对帮扶"
    ERRAND = "errand", "帮办员"


# Duties held for households (coverage counts households); the rest are held for a place.
HOUSEHOLD_DUTIES = {DutyKind.BAOLIAN, DutyKind.PAIRING, DutyKind.ERRAND}

# The kinds of place each duty lands on: household duties on households, the others on the
# place they answer for. Coverage counts these places in an area.
DUTY_TARGET_KINDS: dict[str, tuple[str, ...]] = {
    DutyKind.BAOLIAN: (PlaceKind.HOUSEHOLD,),
    DutyKind.PAIRING: (PlaceKind.HOUSEHOLD,),
    DutyKind.ERRAND: (PlaceKind.HOUSEHOLD,),
    DutyKind.GRID_WORKER: (PlaceKind.GRID,),
    DutyKind.BUILDING_HEAD: (PlaceKind.BUILDING,),
    DutyKind.UNIT_HEAD: (PlaceKind.UNIT,),
    DutyKind.FOREST_CHIEF_COUNTY: (PlaceKind.FOREST_ZONE,),
    DutyKind.FOREST_CHIEF_TOWN: (PlaceKind.FOREST_ZONE,),
    DutyKind.FOREST_CHIEF_VILLAGE: (PlaceKind.FOREST_ZONE,),
    DutyKind.RANGER: (PlaceKind.FOREST_ZONE,),
}

# Duties shown as "who answers for this household" when held on the household or above it.
HOUSEHOLD_HOLDER_KINDS = (
    DutyKind.BAOLIAN,
    DutyKind.PAIRING,
    DutyKind.ERRAND,
    DutyKind.GRID_WORKER,
    DutyKind.BUILDING_HEAD,
    DutyKind.UNIT_HEAD,
)
