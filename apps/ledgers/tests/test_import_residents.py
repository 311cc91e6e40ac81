from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.people.models import Person

from .conftest import ledger_file, new_id, run_import

KIND = LedgerKind.RESIDENTS


def test_it_imports_residents_with_care_tags(world, tmp_path):
    id_number = new_id(1940)
    path = ledger_file(
        tmp_path,
        KIND,
        [
            {
                "户编码": world.household_a.code,
                "姓名": "刘秀兰",
                "身份证号": id_number,
                "联系电话": "13912345678",
                "与户主关系": "户主",
                "关爱标签": "独居老人、高龄",
            },
        ],
    )
    job = run_import(path, KIND, world.user("community_a"))
    assert (job.status, job.error_count, job.rows_imported) == (ImportJob.Status.DONE, 0, 1)
    person = Person.objects.get(name="刘秀兰")
    assert person.place == world.household_a
    assert person.birth_date.year == 1940
    assert person.relation == "head"
    assert person.name_initials == "lxl"
    assert person.phone_masked == "139****5678"
    assert sorted(person.care_tags.values_list("name", flat=True)) == ["独居老人", "高龄"]


def test_it_imports_exports_and_checks_the_trade_column(world, tmp_path):
    from openpyxl import load_workbook

    from apps.ledgers.actions import do_export_ledger

    from .conftest import errors_of

    first, second = new_id(1985), new_id(1990)
    rows = [
        {"户编码": world.household_a.code, "姓名": "黄志强", "身份证号": first, "从业行业": "物流"},
        {
            "户编码": world.household_a.code,
            "姓名": "吴小梅",
            "身份证号": second,
            "从业行业": "种" * 31,
        },
    ]
    job = run_import(ledger_file(tmp_path, KIND, rows), KIND, world.user("community_a"))
    assert job.status == ImportJob.Status.FAILED and not Person.objects.exists()
    assert errors_of(job) == [(3, "I", "从业行业", "从业行业最多30个字")]
    rows[1]["从业行业"] = ""
    job = run_import(ledger_file(tmp_path, KIND, rows), KIND, world.user("community_a"))
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, 2)
    assert dict(Person.objects.values_list("name", "trade")) == {"黄志强": "物流", "吴小梅": ""}
    out = tmp_path / "residents.xlsx"
    do_export_ledger(KIND, out, actor=world.user("admin"))
    sheet = load_workbook(out).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in values if "从业行业" in r)
    column = header.index("从业行业")
    assert sorted(r[column] or "" for r in values[values.index(header) + 1 :] if r[1]) == [
        "",
        "物流",
    ]
