from django.db import models


class PlaceKind(models.TextChoices):
    COUNTY = "county", "县区"
    TOWN = "town", "乡镇街道"
    COMMUNITY = "community", "社区村"
    GRID = "grid", "网格"
    COMPOUND = "compound", "小区"
    BUILDING = "building", "楼栋"
    UNIT = "unit", "单元"
    HOUSEHOLD = "household", "户"
    STATION = "station", "服务站"
    CONTACT_POINT = "contact_point", "联系点"
    CLINIC = "clinic", "卫生院所"
    HOSPITAL = "hospital", "医院"
    FOREST_ZONE = "forest_zone", "林区"


# Which kinds may hang under which: the tree's shape, checked on every write.
SPECIAL = {
    PlaceKind.STATION,
    PlaceKind.CONTACT_POINT,
    PlaceKind.CLINIC,
    PlaceKind.HOSPITAL,
    PlaceKind.FOREST_ZONE,
}
ALLOWED_PARENTS: dict[str, set[PlaceKind]] = {
    PlaceKind.COUNTY: set(),
    PlaceKind.TOWN: {PlaceKind.COUNTY},
    PlaceKind.COMMUNITY: {PlaceKind.TOWN},
    PlaceKind.GRID: {PlaceKind.COMMUNITY},
    PlaceKind.COMPOUND: {PlaceKind.GRID},
    PlaceKind.BUILDING: {PlaceKind.COMPOUND, PlaceKind.GRID},
    PlaceKind.UNIT: {PlaceKind.BUILDING},
    PlaceKind.HOUSEHOLD: {PlaceKind.UNIT, PlaceKind.BUILDING, PlaceKind.GRID},
    PlaceKind.STATION: {PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID},
    PlaceKind.CONTACT_POINT: {PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID},
    PlaceKind.CLINIC: {PlaceKind.TOWN, PlaceKind.COMMUNITY},
    PlaceKind.HOSPITAL: {PlaceKind.COUNTY, PlaceKind.TOWN},
    PlaceKind.FOREST_ZONE: {PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY},
}

# Administrative levels carry the 12-digit statistical division code; levels below extend
# their parent's code by this many digits.
ADMIN_KINDS = {PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY}
CODE_SUFFIX_DIGITS: dict[str, int] = {  # keyed by PlaceKind values
    PlaceKind.GRID: 3,
    PlaceKind.COMPOUND: 3,
    PlaceKind.BUILDING: 3,
    PlaceKind.UNIT: 2,
    PlaceKind.HOUSEHOLD: 3,
    PlaceKind.STATION: 3,
    PlaceKind.CONTACT_POINT: 3,
    PlaceKind.CLINIC: 3,
    PlaceKind.HOSPITAL: 3,
    PlaceKind.FOREST_ZONE: 3,
}
SPECIAL_CODE_LETTER: dict[str, str] = {
    PlaceKind.STATION: "S",
    PlaceKind.CONTACT_POINT: "C",
    PlaceKind.CLINIC: "M",
    PlaceKind.HOSPITAL: "H",
    PlaceKind.FOREST_ZONE: "F",
}
