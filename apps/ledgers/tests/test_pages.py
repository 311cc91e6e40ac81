"""The page flow through HTTP: upload → preview with errors → fixed upload → commit → done."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.ledgers import tasks
from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.people.models import Person

from .conftest import ledger_file, new_id


@pytest.fixture
def run_inline(monkeypatch):
    """Run queued jobs in the test's thread (and its transaction) instead of a new thread."""
    monkeypatch.setattr(tasks, "_spawn", tasks.run_import_job)


def upload(client, path, dry_run=True):
    data = {"kind": LedgerKind.RESIDENTS, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("ledgers:upload"), data)


def test_it_runs_the_page_flow(
    world, tmp_path, client, run_inline, django_capture_on_commit_callbacks
):
    client.force_login(world.user("community_a"))
    rows = [
        {"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()},
        {"户编码": world.household_a.code, "姓名": "刘洋", "身份证号": "360732198005170012"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ledger_file(tmp_path, LedgerKind.RESIDENTS, rows))
    job = ImportJob.objects.get()
    assert response.url == reverse("ledgers:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "第3行" in page and "D（身份证号）" in page and "身份证号校验位错误" in page
    assert "确认导入" not in page
    report = client.get(reverse("ledgers:error_report", args=[job.pk]))
    sheet = load_workbook(BytesIO(b"".join(report.streaming_content))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][-1] == "错误信息" and lines[1][-1] is None
    assert lines[2][-1].startswith("D列（身份证号）：身份证号校验位错误")

    rows[1]["身份证号"] = new_id()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ledger_file(tmp_path, LedgerKind.RESIDENTS, rows))
    job = ImportJob.objects.order_by("-id").first()
    assert "确认导入" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ledgers:commit", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, 2)
    assert Person.objects.count() == 2
    partial = client.get(reverse("ledgers:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "导入完成，共2行" in partial.content.decode()
    assert "hx-trigger" not in partial.content.decode()


def test_it_polls_while_the_job_runs(world, tmp_path, client):
    client.force_login(world.user("community_a"))
    path = ledger_file(tmp_path, LedgerKind.RESIDENTS, [])
    upload(client, path)  # the callback never runs: the job stays queued
    job = ImportJob.objects.get()
    page = client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page


def test_it_hides_other_accounts_jobs_and_downloads(world, tmp_path, client):
    client.force_login(world.user("community_a"))
    upload(client, ledger_file(tmp_path, LedgerKind.RESIDENTS, []))
    job = ImportJob.objects.get()
    client.force_login(world.user("outsider_b"))
    assert client.get(reverse("ledgers:job", args=[job.pk])).status_code == 404
    template = client.get(reverse("ledgers:template", args=["duties"]))
    assert template.status_code == 200
    client.force_login(world.user("volunteer_a"))
    assert client.get(reverse("ledgers:export", args=["residents", "csv"])).status_code == 403


def test_it_streams_a_csv_export_and_audits_it(world, client, resident_a):
    from apps.core.models import AuditEvent

    client.force_login(world.user("community_a"))
    response = client.get(reverse("ledgers:export", args=["residents", "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[1].startswith(f"{world.household_a.code},张桂英,男,360732194501011234")
    assert AuditEvent.objects.filter(verb="export").count() == 1
    assert AuditEvent.objects.get(verb="reveal").changes == {"kind": "residents", "persons": 1}
