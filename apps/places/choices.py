from django.db import models


class PlaceKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
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
    PlaceKind.PROVINCE: set(),
    PlaceKind.CITY: {PlaceKind.PROVINCE},
    PlaceKind.COUNTY: {PlaceKind.CITY},
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

# The kinds that may stand at the root of a tree: a province, a city without its province
# (a city bureau's own install) and a county without its city (every tree made before the city
# level existed stays valid as it is).
ROOT_KINDS = {PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.COUNTY}
# The levels above the town: a place's name below the county leaves them out.
ABOVE_TOWN = (PlaceKind.PROVINCE, PlaceKind.CITY, PlaceKind.COUNTY)

# Administrative levels carry the 12-digit statistical division code; levels below extend
# their parent's code by this many digits.
ADMIN_KINDS = {
    PlaceKind.PROVINCE,
    PlaceKind.CITY,
    PlaceKind.COUNTY,
    PlaceKind.TOWN,
    PlaceKind.COMMUNITY,
}
# How many leading digits of an administrative code a place shares with its parent.
PARENT_CODE_DIGITS: dict[str, int] = {
    PlaceKind.CITY: 2,
    PlaceKind.COUNTY: 4,
    PlaceKind.TOWN: 6,
    PlaceKind.COMMUNITY: 9,
}
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
