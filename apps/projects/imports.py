"""项目台账 import through the ledgers machinery: the same readers (xlsx/csv, header found and
matched), the same cell parsers and the same row/column error log; a dry run checks only;
the write is all or nothing (one transaction, nothing written when any row is wrong)."""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.ledgers import cells
from apps.ledgers.errors import RowError
from apps.ledgers.kinds.base import (
    Context,
    Row,
    is_blank,
    parse_rows,
    places_by_code,
    resolve_place,
)
from apps.ledgers.readers import LedgerFileError, find_layout, raw_rows
from apps.ledgers.specs import Column, LedgerSpec
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.models import Place
from apps.places.scope import reach

from .actions import PROJECT_PLACE_KINDS, do_register_project
from .choices import ProjectLevel, ProjectType
from .models import Project, valid_polygon


def _labels(choices: Any) -> dict[str, str]:
    return {label: value for value, label in choices.choices}


def mu(value: Any) -> Decimal:
    try:
        result = Decimal(cells.as_text(value))
    except InvalidOperation:
        raise cells.CellError(f"“{cells.as_text(value)}”不是数字") from None
    if result < 0:
        raise cells.CellError("不能为负数")
    return result.quantize(Decimal("0.01"))


def land_outline(value: Any) -> dict[str, Any]:
    """A cell holding the land's outline as GeoJSON text (a Polygon, MultiPolygon or a
    Feature of one), as exported by a GIS."""
    text = cells.as_text(value)
    try:
        geometry = json.loads(text)
    except ValueError:
        raise cells.CellError("不是有效的 GeoJSON 文本") from None
    if not valid_polygon(geometry):
        raise cells.CellError("须为 GeoJSON 面（Polygon 或 MultiPolygon），且至少三个不同的点")
    return geometry


PROJECTS = LedgerSpec(
    "projects",
    "重点项目台账",
    (
        Column("项目编号", "code", True, cells.text, "JJ2026-001", "唯一，不可重复"),
        Column("项目名称", "name", True, cells.text, "G105国道改建工程"),
        Column(
            "项目级别", "level", True, cells.choice(_labels(ProjectLevel), "项目级别"), "省重点"
        ),
        Column("项目类型", "type", True, cells.choice(_labels(ProjectType), "项目类型"), "交通"),
        Column("总投资（万元）", "investment_wan", True, mu, "125000"),
        Column("项目单位", "owner_unit", True, cells.text, "江西省交通投资集团"),
        Column("牵头单位", "bureau", False, cells.text, "九江市自然资源局"),
        Column("所在区域编码", "place", True, cells.code, "360700000000", "省、市、县区或乡镇"),
        Column("责任部门", "departments", False, cells.names, "县自然资源局、县交通运输局"),
        Column("经度", "lng", False, cells.number, "115.35"),
        Column("纬度", "lat", False, cells.number, "26.33"),
        Column("农用地（亩）", "land_agricultural_mu", False, mu, "320"),
        Column("其中耕地（亩）", "land_farmland_mu", False, mu, "150"),
        Column("建设用地（亩）", "land_construction_mu", False, mu, "80"),
        Column("未利用地（亩）", "land_unused_mu", False, mu, "12"),
        Column("计划开工日期", "start_date", True, cells.a_date, "2026-03-01"),
        Column("计划竣工日期", "finish_date", False, cells.a_date, "2028-12-31"),
        Column(
            "用地范围（GeoJSON）",
            "geometry",
            False,
            land_outline,
            '{"type": "Polygon", "coordinates": [[[115.3, 26.3], [115.4, 26.3], '
            "[115.4, 26.4], [115.3, 26.3]]]}",
            "可选，项目用地的面，地图上按范围画出",
        ),
    ),
)


@dataclass
class ImportResult:
    rows: int
    created: int
    errors: list[RowError]
    committed: bool


def _check(rows: list[Row], ctx: Context, known_codes: set[str]) -> list[dict[str, Any]]:
    places = places_by_code([r.data.get("place", "") for r in rows])
    department_names = {n for r in rows for n in r.data.get("departments", [])}
    departments: dict[str, int] = {}
    for pk, name in Organisation.objects.filter(
        kind=OrgKind.DEPARTMENT, name__in=department_names
    ).values_list("pk", "name"):
        departments.setdefault(name, pk)
    records = []
    for row in rows:
        d = row.data
        place = resolve_place(ctx, row, "place", places, PROJECT_PLACE_KINDS)
        code = d.get("code", "")
        if code in known_codes:
            ctx.error(row, "code", f"项目编号{code}已登记")
        elif code and (earlier := ctx.first_seen(("code", code), row)) is not None:
            ctx.error(row, "code", f"与第{earlier}行的项目编号重复")
        missing = [n for n in d.get("departments", []) if n not in departments]
        if missing:
            ctx.error(row, "departments", f"未找到职能部门：{'、'.join(missing)}")
        if (d.get("lng") is None) != (d.get("lat") is None):
            ctx.error(row, "lat" if d.get("lat") is None else "lng", "经度和纬度须同时填写")
        if d.get("land_farmland_mu", 0) > d.get("land_agricultural_mu", 0):
            ctx.error(row, "land_farmland_mu", "耕地面积不能大于农用地面积")
        if d.get("finish_date") and d.get("start_date") and d["finish_date"] < d["start_date"]:
            ctx.error(row, "finish_date", "计划竣工日期不能早于开工日期")
        if row.ok and place is not None:
            fields = {k: v for k, v in d.items() if k not in ("place", "departments")}
            records.append(
                {
                    "place": place.id,
                    "departments": [departments[n] for n in d.get("departments", [])],
                    "fields": fields,
                }
            )
    return records


def import_projects(
    *, actor: User, path: str | Path, name: str = "", commit: bool = False
) -> ImportResult:
    """Check the file (every row, every column); with `commit` and no error, register every
    project in one transaction. A refused row anywhere means nothing is written."""
    require(actor, Cap.PROJECTS_MANAGE, what="导入重点项目")
    scope = reach(actor)
    if not scope.everything and not scope.low:
        raise PermissionDenied("您的账号没有管辖范围，不能导入")
    known = set(Project.objects.values_list("code", flat=True))
    records: list[dict[str, Any]] = []
    total = 0
    try:
        with raw_rows(path, name) as sheet:
            rows_iter = sheet.rows
            layout = find_layout(PROJECTS, rows_iter)
            ctx = Context(PROJECTS, layout, "" if scope.everything else scope.low, prepare=True)
            numbered = (
                (n, v)
                for n, v in enumerate(rows_iter, start=layout.header_row + 1)
                if not is_blank(v)
            )
            rows = list(parse_rows(PROJECTS, layout, numbered, ctx))
            total = len(rows)
            records = _check(rows, ctx, known)
    except LedgerFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    errors = ctx.errors.in_order()
    if ctx.errors or not commit or not records:
        return ImportResult(total, 0, errors, False)
    with transaction.atomic():
        places = Place.objects.in_bulk([r["place"] for r in records])
        for record in records:
            do_register_project(
                actor=actor,
                place=places[record["place"]],
                departments=record["departments"],
                **record["fields"],
            )
        audit.record(
            actor=actor,
            verb=AuditVerb.IMPORT,
            object_type="projects.project",
            object_repr=f"重点项目台账 {name or Path(path).name}",
            scope_path=scope.low,
            changes={"rows": total, "created": len(records)},
        )
    return ImportResult(total, len(records), [], True)


def template_rows() -> list[list[str]]:
    """The header row and one example row of the blank template."""
    return [PROJECTS.headers, [c.example for c in PROJECTS.columns]]
