"""One bad row and nothing is written; data saved before stays as it was."""

from apps.core.models import AuditEvent
from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.people.models import Person

from .conftest import ledger_file, new_id, run_import


def test_it_writes_nothing_when_one_row_is_bad(world, tmp_path, resident_a):
    rows = [
        {"户编码": world.household_a.code, "姓名": f"居民{i}", "身份证号": new_id()}
        for i in range(4500)
    ]
    rows[4321]["身份证号"] = "360732194501011234"  # already registered: resident_a
    before = list(Person.objects.values_list("id", "name", "id_number_index", "updated_at"))
    job = run_import(
        ledger_file(tmp_path, LedgerKind.RESIDENTS, rows, ".csv"),
        LedgerKind.RESIDENTS,
        world.user("community_a"),
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "发现1处错误，未导入任何数据"
    assert job.errors[0]["row"] == 4323
    assert list(Person.objects.values_list("id", "name", "id_number_index", "updated_at")) == before
    assert not AuditEvent.objects.filter(verb="import").exists()


def test_it_audits_one_event_per_committed_import(world, tmp_path):
    rows = [{"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}]
    path = ledger_file(tmp_path, LedgerKind.RESIDENTS, rows)
    job = run_import(path, LedgerKind.RESIDENTS, world.user("community_a"))
    event = AuditEvent.objects.get(verb="import")
    assert (event.object_type, event.object_id, event.actor) == (
        "ledgers.importjob",
        str(job.pk),
        world.user("community_a"),
    )
    assert event.changes == {
        "kind": "residents",
        "file": "residents.xlsx",
        "sha256": job.sha256,
        "rows_total": 1,
        "rows_imported": 1,
    }
