"""Households and compounds: numbering, parents, duplicates."""

from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.orgs.models import CompoundProfile, Organisation
from apps.places.models import Place

from .conftest import errors_of, ledger_file, run_import


def test_it_numbers_new_households_after_existing_and_given_codes(world, tmp_path):
    unit = world.unit_a  # already holds household_a (…001)
    rows = [
        {"上级编码": unit.code, "门牌户号": "102室"},
        {"上级编码": unit.code, "户编码": f"{unit.code}005", "门牌户号": "105室"},
        {"上级编码": unit.code, "门牌户号": "103室", "经度": 115.36, "纬度": 26.33},
    ]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.HOUSEHOLDS, rows),
        LedgerKind.HOUSEHOLDS,
        world.user("community_a"),
    )
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, 3)
    created = dict(Place.objects.filter(parent=unit).values_list("name", "code"))
    assert created == {
        "101室": f"{unit.code}001",
        "102室": f"{unit.code}006",
        "105室": f"{unit.code}005",
        "103室": f"{unit.code}007",
    }
    household = Place.objects.get(code=f"{unit.code}007")
    assert household.path.startswith(unit.path) and household.depth == unit.depth + 1
    assert (household.lng, household.lat) == (115.36, 26.33)


def test_it_reports_household_errors(world, tmp_path):
    unit = world.unit_a
    rows = [
        {"上级编码": world.compound_a.code, "门牌户号": "1号"},  # 2: wrong kind
        {"上级编码": unit.code, "门牌户号": "101室"},  # 3: taken
        {"上级编码": unit.code, "户编码": "999", "门牌户号": "108室"},  # 4: bad code
        {"上级编码": unit.code, "门牌户号": "109室", "经度": 26.3, "纬度": 115.3},  # 5
        {"上级编码": unit.code, "门牌户号": "109室"},  # 6: repeated
    ]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.HOUSEHOLDS, rows),
        LedgerKind.HOUSEHOLDS,
        world.user("community_a"),
        dry_run=True,
    )
    assert errors_of(job) == [
        (2, "A", "上级编码", f"编码{world.compound_a.code}是小区，这里应为楼栋、网格、单元"),
        (3, "C", "门牌户号", f"上级{unit.code}下已有门牌户号“101室”"),
        (4, "B", "户编码", f"编码应以上级编码 {unit.code} 开头"),
        (5, "E", "经度", "经纬度不在中国境内，请检查是否填反"),
        (6, "C", "门牌户号", "与第5行重复（同一上级下门牌户号相同）"),
    ]


def test_it_creates_a_compound_with_its_committees(world, tmp_path):
    rows = [
        {
            "所属网格编码": world.grid_a.code,
            "小区名称": "和谐家园",
            "物业模式": "共享物业",
            "物业服务企业": "红门物业",
            "小区党组织": "和谐家园党支部",
            "是否成立业委会": "是",
            "是否成立物管会": "否",
            "建成年份": 2012,
        }
    ]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.COMPOUNDS, rows),
        LedgerKind.COMPOUNDS,
        world.user("community_a"),
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    compound = Place.objects.get(name="和谐家园")
    assert (compound.parent, compound.code) == (world.grid_a, f"{world.grid_a.code}002")
    profile = CompoundProfile.objects.get(compound=compound)
    assert (profile.property_model, profile.property_company.name, profile.built_year) == (
        "shared",
        "红门物业",
        2012,
    )
    assert set(Organisation.objects.filter(place=compound).values_list("kind", "name")) == {
        ("party_branch", "和谐家园党支部"),
        ("owner_committee", "和谐家园业主委员会"),
        ("property_company", "红门物业"),
    }
