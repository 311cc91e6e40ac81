"""CSV files saved by Chinese Excel (GBK) import as well as UTF-8 ones."""

import pytest

from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.people.models import Person

from .conftest import ledger_file, new_id, run_import


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_it_reads_csv_in_each_encoding(world, tmp_path, encoding):
    rows = [
        {
            "户编码": world.household_a.code,
            "姓名": "欧阳娜娜",
            "身份证号": new_id(),
            "关爱标签": "留守儿童",
            "与户主关系": "子女",
        }
    ]
    path = ledger_file(tmp_path, LedgerKind.RESIDENTS, rows, ".csv", encoding)
    job = run_import(path, LedgerKind.RESIDENTS, world.user("community_a"))
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, 1)
    person = Person.objects.get()
    assert (person.name, person.relation) == ("欧阳娜娜", "child")
    assert list(person.care_tags.values_list("name", flat=True)) == ["留守儿童"]
