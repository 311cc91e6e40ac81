"""The default catalogue of matters (事项目录 / 服务清单) and its Excel import.

Every county edits its own catalogue; this one is a realistic start, seeded by a data
migration. Time limits follow common practice of 12345 hotlines and 为民服务 lists in Jiangxi:
safety hazards answered within hours, consultations and errands within a few working days.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.core import audit
from apps.core.choices import AuditVerb

from .choices import Level, LimitUnit

H, W = LimitUnit.HOURS, LimitUnit.WORKDAYS
G, C, T, X = Level.GRID, Level.COMMUNITY, Level.TOWN, Level.COUNTY

# code, name, parent, (respond amount, unit), (resolve amount, unit), level, materials
DEFAULT_CATEGORIES: list[tuple[str, str, str, tuple[int, str], tuple[int, str], str, str]] = [
    ("service", "便民服务", "", (1, W), (5, W), C, ""),
    ("policy", "政策咨询", "service", (1, W), (3, W), C, "居民身份证"),
    (
        "elderly-care",
        "养老服务",
        "service",
        (1, W),
        (5, W),
        C,
        "老人身份证\n户口簿\n子女或监护人联系方式",
    ),
    (
        "medical-errand",
        "医疗帮办",
        "service",
        (4, H),
        (3, W),
        C,
        "居民身份证\n医保卡（社保卡）\n既往病历或检查报告",
    ),
    (
        "insurance-payment",
        "社保医保缴费",
        "service",
        (1, W),
        (3, W),
        C,
        "居民身份证\n社保卡\n缴费年度及档次",
    ),
    (
        "certificates",
        "证照办理",
        "service",
        (1, W),
        (10, W),
        T,
        "居民身份证\n户口簿\n近期免冠照片\n原证件（补换领时）",
    ),
    ("repairs", "水电维修", "service", (4, H), (2, W), G, "报修位置\n故障照片"),
    (
        "employment",
        "就业帮扶",
        "service",
        (2, W),
        (15, W),
        T,
        "居民身份证\n学历或技能证书\n求职意向",
    ),
    (
        "student-aid",
        "助学帮扶",
        "service",
        (2, W),
        (15, W),
        T,
        "学生身份证或户口簿\n学籍证明\n家庭经济困难证明",
    ),
    (
        "legal-aid",
        "法律援助",
        "service",
        (1, W),
        (10, W),
        T,
        "居民身份证\n与案件有关的材料\n经济困难说明",
    ),
    ("counselling", "心理疏导", "service", (1, W), (5, W), C, ""),
    ("environment", "环境卫生", "", (1, W), (3, W), G, "位置\n现场照片"),
    ("road-facilities", "道路设施", "", (1, W), (10, W), T, "位置\n现场照片"),
    ("dispute", "矛盾纠纷", "", (1, W), (10, W), C, ""),
    ("neighbour-dispute", "邻里纠纷", "dispute", (1, W), (7, W), C, "双方姓名及联系方式\n纠纷经过"),
    ("family-dispute", "婚姻家庭纠纷", "dispute", (1, W), (10, W), C, "双方姓名及联系方式"),
    ("hazard", "安全隐患", "", (2, H), (3, W), C, "位置\n现场照片"),
    ("fire-hazard", "消防隐患", "hazard", (2, H), (2, W), T, "位置\n现场照片\n涉及单位或住户"),
    ("building-hazard", "房屋安全隐患", "hazard", (2, H), (5, W), T, "位置\n现场照片"),
    ("forest-hazard", "林区隐患", "hazard", (2, H), (3, W), T, "林区或公示牌编号\n位置\n现场照片"),
    (
        "left-behind-children",
        "留守儿童关爱",
        "service",
        (1, W),
        (5, W),
        C,
        "儿童户口簿\n监护人联系方式",
    ),
    ("property", "物业管理", "", (1, W), (7, W), C, "小区及楼栋\n现场照片"),
]


# Volunteer skills (people.choices.DEFAULT_SKILLS codes) that fit each default category: what
# the dispatch suggestions match volunteers on. Categories absent here match no volunteer.
DEFAULT_CATEGORY_SKILLS: dict[str, list[str]] = {
    "policy": ["social_work"],
    "elderly-care": ["medical", "companionship", "cleaning"],
    "medical-errand": ["medical", "driving", "errand"],
    "insurance-payment": ["errand", "computer"],
    "certificates": ["errand"],
    "repairs": ["plumbing", "repair"],
    "employment": ["computer", "social_work"],
    "student-aid": ["tutoring", "social_work"],
    "legal-aid": ["legal"],
    "counselling": ["psych", "social_work"],
    "environment": ["cleaning"],
    "dispute": ["legal", "psych", "social_work"],
    "neighbour-dispute": ["legal", "psych", "social_work"],
    "family-dispute": ["legal", "psych", "social_work"],
    "building-hazard": ["repair"],
    "left-behind-children": ["tutoring", "companionship", "psych"],
    "property": ["repair", "plumbing"],
}


def seed_category_skills(category_model: Any) -> int:
    """Give the default categories without skills their default skill codes; return how many."""
    made = 0
    for category in category_model.objects.filter(code__in=list(DEFAULT_CATEGORY_SKILLS)):
        if not category.skill_codes:
            category.skill_codes = DEFAULT_CATEGORY_SKILLS[category.code]
            category.save(update_fields=["skill_codes"])
            made += 1
    return made


def seed_default_catalogue(category_model: Any) -> int:
    """Create the default categories that are missing (by code); return how many."""
    made = 0
    by_code: dict[str, Any] = {}
    for sort, (code, name, parent, respond, resolve, level, materials) in enumerate(
        DEFAULT_CATEGORIES, start=1
    ):
        obj, created = category_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": by_code.get(parent),
                "response_amount": respond[0],
                "response_unit": respond[1],
                "resolve_amount": resolve[0],
                "resolve_unit": resolve[1],
                "default_level": level,
                "materials": materials,
                "sort": sort * 10,
            },
        )
        by_code[code] = obj
        made += created
    return made


# --- Excel import -------------------------------------------------------------------------

COLUMNS = {
    "代码": "code",
    "名称": "name",
    "上级代码": "parent",
    "响应时限": "response_amount",
    "响应单位": "response_unit",
    "办结时限": "resolve_amount",
    "办结单位": "resolve_unit",
    "默认层级": "default_level",
    "默认部门": "default_department",
    "一次性告知材料": "materials",
    "附加字段": "form_fields",
    "所需技能": "skill_codes",
    "启用": "active",
    "排序": "sort",
}
REQUIRED = ("code", "name", "response_amount", "resolve_amount")
UNIT_NAMES = {label: value for value, label in LimitUnit.choices} | {v: v for v in LimitUnit.values}
LEVEL_NAMES = {label: value for value, label in Level.choices} | {v: v for v in Level.values}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] | None = None


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _row_values(header: list[str], row: tuple[Any, ...]) -> dict[str, str]:
    return {COLUMNS[h]: _cell(v) for h, v in zip(header, row, strict=False) if h in COLUMNS}


def _clean_row(values: dict[str, str], line: int) -> tuple[dict[str, Any], list[str]]:
    import json

    from apps.orgs.choices import OrgKind
    from apps.orgs.models import Organisation

    errors = [
        f"第{line}行：缺少“{k}”" for k, f in COLUMNS.items() if f in REQUIRED and not values.get(f)
    ]
    data: dict[str, Any] = {"name": values.get("name", "")}
    for f in ("response_amount", "resolve_amount", "sort"):
        if values.get(f):
            try:
                data[f] = int(float(values[f]))
            except ValueError:
                errors.append(f"第{line}行：“{values[f]}”不是整数")
    for f in ("response_unit", "resolve_unit"):
        unit = UNIT_NAMES.get(values.get(f) or "工作日")
        if unit is None:
            errors.append(f"第{line}行：时限单位只能是“小时”或“工作日”")
        data[f] = unit
    level = LEVEL_NAMES.get(values.get("default_level") or "社区村")
    if level is None:
        errors.append(f"第{line}行：默认层级只能是网格、社区村、乡镇街道或县级部门")
    data["default_level"] = level
    data["materials"] = "\n".join(
        p.strip()
        for p in values.get("materials", "").replace("；", "\n").replace(";", "\n").splitlines()
        if p.strip()
    )
    if values.get("form_fields"):
        try:
            data["form_fields"] = json.loads(values["form_fields"])
        except ValueError:
            errors.append(f"第{line}行：附加字段不是有效的JSON")
    if values.get("skill_codes"):
        data["skill_codes"] = [
            c.strip() for c in values["skill_codes"].replace("、", ",").split(",") if c.strip()
        ]
    if values.get("active"):
        data["active"] = values["active"] not in ("否", "0", "false", "False", "停用")
    if values.get("default_department"):
        dept = Organisation.objects.filter(
            kind=OrgKind.DEPARTMENT, name=values["default_department"]
        ).first()
        if dept is None:
            errors.append(f"第{line}行：找不到职能部门“{values['default_department']}”")
        data["default_department"] = dept
    return data, errors


def read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(h) for h in next(rows, ())]
    missing = [k for k, f in COLUMNS.items() if f in REQUIRED and k not in header]
    if missing:
        return [], [f"表头缺少：{'、'.join(missing)}"]
    return [
        (i, _row_values(header, r))
        for i, r in enumerate(rows, start=2)
        if any(c is not None for c in r)
    ], []


@transaction.atomic
def do_import_categories(path: Path, *, actor: User | None, dry_run: bool = False) -> ImportResult:
    """Create or update categories by code from an Excel sheet (columns: COLUMNS). All rows
    are checked first; any error and nothing is written."""
    from .models import Category

    rows, errors = read_rows(path)
    cleaned = []
    for line, values in rows:
        data, row_errors = _clean_row(values, line)
        errors += row_errors
        cleaned.append((values, data))
    codes = {v["code"] for v, _ in cleaned} | set(Category.objects.values_list("code", flat=True))
    errors += [
        f"上级代码“{v['parent']}”不存在"
        for v, _ in cleaned
        if v.get("parent") and v["parent"] not in codes
    ]
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult(errors=[])
    for values, data in cleaned:
        obj, created = Category.objects.update_or_create(code=values["code"], defaults=data)
        result.created += created
        result.updated += not created
    for values, _ in cleaned:  # parents once every code exists
        parent = Category.objects.filter(code=values.get("parent")).first()
        Category.objects.filter(code=values["code"]).update(parent=parent)
    for values, _ in cleaned:
        obj = Category.objects.get(code=values["code"])
        try:
            obj.full_clean()
        except ValidationError as exc:
            errors.append(f"{values['code']}：{'；'.join(exc.messages)}")
    if errors or dry_run:
        transaction.set_rollback(True)
        return ImportResult(errors=errors) if errors else result
    audit.record(
        actor=actor or "命令行",
        verb=AuditVerb.IMPORT,
        object_type="cases.category",
        object_repr=f"事项目录 {path.name}",
        changes={"created": result.created, "updated": result.updated},
    )
    return result
