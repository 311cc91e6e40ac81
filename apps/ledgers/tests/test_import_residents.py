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
