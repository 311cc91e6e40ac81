from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models

from apps.core.compiled import CompiledPerLength, str_markers
from apps.core.models import TimeStamped

from .choices import (
    ABOVE_TOWN,
    ADMIN_KINDS,
    ALLOWED_PARENTS,
    CODE_SUFFIX_DIGITS,
    PARENT_CODE_DIGITS,
    ROOT_KINDS,
    SPECIAL_CODE_LETTER,
    PlaceKind,
)
from .paths import SEGMENT as SEGMENT  # re-exported: callers import the path helpers from here
from .paths import ancestor_paths, path_upper
from .paths import path_segment as path_segment
from .scope import ScopedQuerySet


class PlaceQuerySet(ScopedQuerySet):
    def subtree(self, node: "Place", include_self: bool = True) -> "PlaceQuerySet":
        qs = self.filter(path__gte=node.path, path__lt=path_upper(node.path))
        return qs if include_self else qs.exclude(pk=node.pk)

    def of_kind(self, *kinds: str) -> "PlaceQuerySet":
        return self.filter(kind__in=kinds)


def subtree_q(node: "Place", prefix: str = "place") -> models.Q:
    """Q for rows whose `prefix` place lies in the subtree of `node` (e.g. prefix='household';
    "" for Place itself)."""
    field = f"{prefix}__path" if prefix else "path"
    return models.Q(**{f"{field}__gte": node.path, f"{field}__lt": path_upper(node.path)})


def subtrees_q(paths: "Iterable[str]", prefix: str = "place") -> models.Q:
    """Q for rows whose `prefix` place lies in the subtree of any of `paths` (none: no row)."""
    field = f"{prefix}__path" if prefix else "path"
    q = models.Q(pk__in=[])
    for path in paths:
        q |= models.Q(**{f"{field}__gte": path, f"{field}__lt": path_upper(path)})
    return q


class Place(TimeStamped):
    """A node of the one place tree: county, town, community, grid, compound, building, unit,
    household, and the special places (stations, contact points, clinics, hospitals, forest
    zones).

    `code` is stable and meaningful (12-digit statistical division code for administrative
    levels, extended below); `path` is the materialised path of ids that makes subtree queries
    one indexed range scan.
    """

    kind = models.CharField("类型", max_length=20, choices=PlaceKind.choices, db_index=True)
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=200, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", editable=False)
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    geometry = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    attributes = models.JSONField("其他属性", default=dict, blank=True)

    scope_path = ""  # a place is scoped by its own path
    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "地点"
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "kind"]), models.Index(fields=["kind", "path"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PlaceKind.values), name="place_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.path

    def is_within(self, node: "Place") -> bool:
        return self.path.startswith(node.path)

    def ancestor_paths(self, include_self: bool = False) -> list[str]:
        """The paths of the places above this one, from the root down (and its own)."""
        return ancestor_paths(self.path, include_self)

    def ancestors(self) -> PlaceQuerySet:
        return Place.objects.filter(path__in=self.ancestor_paths()).order_by("depth")

    def ancestor_of_kind(self, kind: str) -> "Place | None":
        """The place of `kind` on the way up from this one (itself included), the highest if
        there were several: `ancestors().filter(kind=kind).first()`, its SQL compiled once
        per process and depth (the handling unit of every registration is found this way)."""
        if self.kind == kind:
            return self
        paths = self.ancestor_paths()
        if not paths:
            return None
        found = _ANCESTOR_OF_KIND.all(*paths, kind)
        return found[0] if found else None

    def full_name(self) -> str:
        """The path below the county, one space between the names ("潋江镇 红门社区 红门第一网格
        康乐雅苑"): names written together ran into each other. The province, city and county
        above are left out (a county's own name stays)."""
        above = self.ancestors().exclude(kind__in=ABOVE_TOWN)
        return " ".join([*(p.name for p in above), self.name])

    def clean(self) -> None:
        allowed = ALLOWED_PARENTS.get(self.kind, set())
        if self.parent is None and self.kind not in ROOT_KINDS:
            raise ValidationError({"parent": f"{self.get_kind_display()}必须有上级"})
        if self.parent is not None and self.parent.kind not in allowed:
            raise ValidationError(
                {"parent": f"{self.get_kind_display()}不能放在{self.parent.get_kind_display()}之下"}
            )
        code_error = place_code_error(self.kind, self.code, self.parent)
        if code_error:
            raise ValidationError({"code": code_error})


def place_code_error(kind: str, code: str, parent: Place | None) -> str | None:
    """Codes: 12 digits for administrative levels (a province ends in ten zeros, a city in
    eight); each level shares its parent's leading digits; below, the parent's code extended."""
    if kind in ADMIN_KINDS:
        if len(code) != 12 or not code.isdigit():
            return "行政区划编码应为12位数字（统计用区划代码）"
        if kind == PlaceKind.PROVINCE and (code[2:] != "0" * 10 or code[:2] == "00"):
            return "省级编码应为前2位加10个0（如 360000000000）"
        if kind == PlaceKind.CITY and (code[4:] != "0" * 8 or code[2:4] == "00"):
            return "市级编码应为前4位加8个0（如 360700000000）"
        shared = PARENT_CODE_DIGITS.get(kind, 0)
        if parent is not None and shared and code[:shared] != parent.code[:shared]:
            return (
                f"{PlaceKind(kind).label}编码的前{shared}位应与所属"
                f"{PlaceKind(parent.kind).label}一致"
            )
        return None
    if parent is None:
        return None
    digits = CODE_SUFFIX_DIGITS[kind]
    letter = SPECIAL_CODE_LETTER.get(kind, "")
    if not code.startswith(parent.code):
        return f"编码应以上级编码 {parent.code} 开头"
    suffix = code[len(parent.code) :]
    if (
        len(suffix) != len(letter) + digits
        or not suffix.startswith(letter)
        or not suffix[len(letter) :].isdigit()
    ):
        return f"编码应为上级编码加{letter}{digits}位数字"
    return None


def child_code(kind: str, parent: Place, number: int) -> str:
    return f"{parent.code}{SPECIAL_CODE_LETTER.get(kind, '')}{number:0{CODE_SUFFIX_DIGITS[kind]}d}"


# `Place.ancestor_of_kind`'s compiled query per number of ancestors.
_ANCESTOR_OF_KIND: CompiledPerLength[Place] = CompiledPerLength(
    lambda *m: Place.objects.filter(path__in=m[:-1], kind=m[-1]).order_by("depth")[:1],
    str_markers,  # the paths, then the kind
)
