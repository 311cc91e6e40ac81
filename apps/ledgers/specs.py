"""What each ledger's columns are: Chinese header, model field, required or not, the cell
parser, an example and a note. The import, the export and the blank template all read these,
so an exported file imports again unchanged."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.duties.choices import DutyKind
from apps.orgs.choices import PropertyModel
from apps.people.choices import PartyEmployment, Relation, Sex
from apps.volunteers.choices import VolunteerStatus

from . import cells
from .choices import LedgerKind


def _labels(choices: Any) -> dict[str, str]:
    return {label: value for value, label in choices.choices}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    parse: Callable[[Any], Any] = cells.text
    example: str = ""
    note: str = ""


@dataclass(frozen=True)
class LedgerSpec:
    kind: str
    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


# Columns shared by the ledgers that name a person who may be new to Gongzhi.
PERSON_COLUMNS = (
    Column(
        "身份证号",
        "id_number",
        True,
        cells.id_number,
        "360732198005170015",
        "18位；已登记的人员只需填身份证号",
    ),
    Column("姓名", "name", False, cells.text, "王芳", "新人员必填"),
    Column(
        "户编码",
        "household",
        False,
        cells.code,
        "36073210120100100100101001",
        "新人员必填：所在户（或地点）的编码",
    ),
    Column("联系电话", "phone", False, cells.phone, "13812345678", "手机11位或座机"),
)

HOUSEHOLDS = LedgerSpec(
    LedgerKind.HOUSEHOLDS,
    "户台账",
    (
        Column(
            "上级编码",
            "parent",
            True,
            cells.code,
            "36073210120100100100101",
            "户所在单元、楼栋或网格的编码",
        ),
        Column(
            "户编码",
            "code",
            False,
            cells.code,
            "36073210120100100100101001",
            "留空则按上级编码自动编号",
        ),
        Column("门牌户号", "name", True, cells.text, "101室"),
        Column("地址", "address", False, cells.text, "潋江镇红门社区幸福小区1栋1单元101室"),
        Column("经度", "lng", False, cells.number, "115.3631"),
        Column("纬度", "lat", False, cells.number, "26.3372"),
    ),
)

RESIDENTS = LedgerSpec(
    LedgerKind.RESIDENTS,
    "居民台账",
    (
        Column("户编码", "household", True, cells.code, "36073210120100100100101001"),
        Column("姓名", "name", True, cells.text, "张桂英"),
        Column(
            "性别", "sex", False, cells.choice(_labels(Sex), "性别"), "女", "留空则按身份证号推算"
        ),
        Column(
            "身份证号",
            "id_number",
            True,
            cells.id_number,
            "360732194501011234",
            "18位，末位可为X；请把该列设为文本格式",
        ),
        Column("出生日期", "birth_date", False, cells.a_date, "1945-01-01", "留空则按身份证号推算"),
        Column("联系电话", "phone", False, cells.phone, "13812345678"),
        Column(
            "与户主关系",
            "relation",
            False,
            cells.choice(_labels(Relation), "与户主关系"),
            "户主",
            "、".join(Relation.labels),
        ),
        Column(
            "关爱标签",
            "care_tags",
            False,
            cells.names,
            "独居老人、高龄",
            "多个用顿号分隔，取自关爱标签目录",
        ),
        Column(
            "从业行业",
            "trade",
            False,
            cells.text,
            "种植",
            "在业者填写，如种植、养殖、物流、旅游服务、外出务工；最多30字",
        ),
        Column("备注", "note", False, cells.text, ""),
    ),
)

PARTY_MEMBERS = LedgerSpec(
    LedgerKind.PARTY_MEMBERS,
    "党员台账",
    (
        *PERSON_COLUMNS,
        Column(
            "所在支部",
            "branch",
            False,
            cells.text,
            "红门社区第一党支部",
            "管辖范围内已登记的党组织名称",
        ),
        Column("党小组", "group_name", False, cells.text, "第一党小组"),
        Column("党员中心户", "is_central_household", False, cells.yes_no, "否", "是/否"),
        Column(
            "在职状态",
            "employment",
            False,
            cells.choice(_labels(PartyEmployment), "在职状态"),
            "在职",
            "、".join(PartyEmployment.labels),
        ),
        Column("工作单位", "workplace", False, cells.text, "兴国县人民医院"),
        Column("入党日期", "joined_on", False, cells.a_date, "2001-07-01"),
        Column(
            "双报到社区编码",
            "report_community",
            False,
            cells.code,
            "360732101201",
            "在职党员报到的社区（村）的12位编码",
        ),
    ),
)

VOLUNTEERS = LedgerSpec(
    LedgerKind.VOLUNTEERS,
    "志愿者台账",
    (
        *PERSON_COLUMNS,
        Column("技能", "skills", False, cells.names, "医疗护理、理发", "多个用顿号分隔"),
        Column(
            "证书",
            "certificates",
            False,
            cells.certificates,
            "持证社工（S2024001）",
            "名称（编号），多个用顿号分隔",
        ),
        Column(
            "可服务时间", "availability", False, cells.availability, "周一08:00-12:00、周六全天"
        ),
        Column(
            "状态",
            "status",
            False,
            cells.choice(_labels(VolunteerStatus), "志愿者状态"),
            "在册",
            "、".join(VolunteerStatus.labels),
        ),
        Column("注册日期", "registered_on", False, cells.a_date, "2024-03-05"),
    ),
)

COMPOUNDS = LedgerSpec(
    LedgerKind.COMPOUNDS,
    "小区台账",
    (
        Column(
            "小区编码",
            "code",
            False,
            cells.code,
            "360732101201001001",
            "已登记的小区填编码；新小区留空或填新编码",
        ),
        Column("所属网格编码", "grid", False, cells.code, "360732101201001", "新小区必填"),
        Column("小区名称", "name", True, cells.text, "幸福小区"),
        Column(
            "物业模式",
            "property_model",
            True,
            cells.choice(_labels(PropertyModel), "物业模式"),
            "物业公司",
            "、".join(PropertyModel.labels),
        ),
        Column("物业服务企业", "property_company", False, cells.text, "兴国县安居物业有限公司"),
        Column("小区党组织", "party_org", False, cells.text, "幸福小区党支部"),
        Column("是否成立业委会", "has_owner_committee", False, cells.yes_no, "是", "是/否"),
        Column("业委会名称", "owner_committee", False, cells.text, "幸福小区业主委员会"),
        Column("是否成立物管会", "has_pmc", False, cells.yes_no, "否", "是/否"),
        Column("物管会名称", "pmc", False, cells.text, ""),
        Column("建成年份", "built_year", False, cells.whole_number, "2008"),
        Column("规划户数", "households_planned", False, cells.whole_number, "320"),
    ),
)

DUTIES = LedgerSpec(
    LedgerKind.DUTIES,
    "责任台账",
    (
        Column(
            "身份证号", "id_number", True, cells.id_number, "360732198005170015", "责任人须已登记"
        ),
        Column("姓名", "name", False, cells.text, "王芳", "填写时须与身份证号相符"),
        Column(
            "地点编码",
            "place",
            True,
            cells.code,
            "360732101201001001001",
            "负责的户或地点（楼栋、网格……）",
        ),
        Column(
            "责任类型",
            "kind",
            True,
            cells.choice(_labels(DutyKind), "责任类型"),
            "楼栋长",
            "、".join(DutyKind.labels),
        ),
        Column("开始日期", "start_date", True, cells.a_date, "2024-01-01"),
        Column("结束日期", "end_date", False, cells.a_date, ""),
        Column("备注", "note", False, cells.text, ""),
    ),
)

SPECS: dict[str, LedgerSpec] = {
    s.kind: s for s in (HOUSEHOLDS, RESIDENTS, PARTY_MEMBERS, VOLUNTEERS, COMPOUNDS, DUTIES)
}


def spec_for(kind: str) -> LedgerSpec:
    """The columns of a built-in ledger or of a kind an upper app registered."""
    if kind in SPECS:
        return SPECS[kind]
    from .kinds import ledger_for

    return ledger_for(kind).spec
