from django.db import models


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
