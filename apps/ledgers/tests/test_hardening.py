"""Issue 14 items 5 and 10 for imports: a workbook's declared size is not believed, reading is
bounded in rows, jobs go through the task system, jobs whose worker died are failed and can be
retried, and messages never show a server path or a kind outside the scope."""

import base64
import os
import re
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from django.core.cache import cache
from django.utils import timezone

from apps.core.tasks import capture_tasks
from apps.core.testing.factories import make_place
from apps.ledgers import tasks
from apps.ledgers.actions import do_fail_stale_import_jobs
from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.places.choices import PlaceKind

from .conftest import errors_of, ledger_file, new_id, run_import


def declare_huge(path: Path) -> Path:
    """Rewrite the sheet's <dimension> to A1:XFD1048576, as the probe's 8 KB file did."""
    out = path.with_name("bomb.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', data
                )
                assert n == 1
            dst.writestr(item, data)
    return out


def test_a_declared_dimension_bomb_reads_only_the_real_rows(world, tmp_path):
    rows = [{"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}]
    bomb = declare_huge(ledger_file(tmp_path, LedgerKind.RESIDENTS, rows))
    assert bomb.stat().st_size < 10_000
    started = time.monotonic()
    job = run_import(bomb, LedgerKind.RESIDENTS, world.user("community_a"), dry_run=True)
    assert time.monotonic() - started < 20  # was over 5 minutes at a full core
    assert job.status == ImportJob.Status.CHECKED, job.message
    assert job.message == "校验通过，共1行，可以导入"


def test_it_stops_at_the_row_limit_with_a_clear_error(world, tmp_path, settings):
    settings.LEDGER_MAX_ROWS = 5
    rows = [
        {"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()} for _ in range(8)
    ]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.RESIDENTS, rows),
        LedgerKind.RESIDENTS,
        world.user("community_a"),
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "文件超过5行（含空行），请删除多余的空行或拆分成几个文件分批导入"
    assert not world.household_a.people.exists()


def test_imports_go_through_the_task_system(world):
    with capture_tasks() as calls:
        tasks._spawn(42)
    assert calls == [("ledgers.run_import", (42,), {})]


def _stuck_job(world, tmp_path, minutes: int) -> ImportJob:
    rows = [{"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.RESIDENTS, rows),
        LedgerKind.RESIDENTS,
        world.user("community_a"),
        dry_run=True,
    )
    # As after kill -9 of the worker mid-check: 'checking', untouched for `minutes`.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.CHECKING, updated_at=timezone.now() - timedelta(minutes=minutes)
    )
    return job


def test_a_job_whose_worker_died_is_failed_and_can_be_retried(
    world, tmp_path, client, django_capture_on_commit_callbacks
):
    job = _stuck_job(world, tmp_path, minutes=11)
    assert do_fail_stale_import_jobs() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.message.startswith("处理中断：后台进程10分钟没有进展")

    client.force_login(world.user("community_a"))
    page = client.get(f"/ledgers/jobs/{job.pk}/").content.decode()
    assert "重试" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ledgers/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.message == "校验通过，共1行，可以导入"


def test_a_live_job_is_left_alone(world, tmp_path):
    fresh = _stuck_job(world, tmp_path, minutes=2)
    writing = _stuck_job(world, tmp_path, minutes=30)
    cache.set(f"ledgers:import-heartbeat:{writing.pk}", 1, 600)  # writes inside its transaction
    assert do_fail_stale_import_jobs() == 0
    assert set(ImportJob.objects.values_list("status", flat=True)) == {"checking"}
    del fresh


def test_only_a_failed_job_can_be_retried(world, tmp_path, client):
    job = _stuck_job(world, tmp_path, minutes=1)
    client.force_login(world.user("community_a"))
    response = client.post(f"/ledgers/jobs/{job.pk}/retry/")
    assert response.status_code == 409
    assert "只有失败的导入任务可以重试" in response.content.decode()


def test_a_damaged_file_says_so_without_the_server_path(world, tmp_path, settings):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    job = run_import(path, LedgerKind.RESIDENTS, world.user("community_a"), dry_run=True)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "无法读取Excel文件：文件已损坏，或不是 .xlsx 格式"
    assert str(settings.MEDIA_ROOT) not in str(job.message) + str(job.errors)


def test_a_place_outside_the_scope_is_out_of_scope_before_its_kind(world, tmp_path):
    other = make_place(PlaceKind.COMPOUND, "将军小区", world.grid_b)
    rows = [{"户编码": other.code, "姓名": "王芳", "身份证号": new_id()}]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.RESIDENTS, rows),
        LedgerKind.RESIDENTS,
        world.user("community_a"),
        dry_run=True,
    )
    assert [m for *_, m in errors_of(job)] == ["地点不在您的管辖范围内"]


def add_shared_strings(path: Path, megabytes: int, members: int = 0, fill: bytes = b"") -> Path:
    """The workbook with a shared-strings part of `megabytes` MB (one repeated string, a few KB
    once compressed, unless `fill` gives the strings), and `members` extra empty parts: a zip
    bomb that openpyxl would unpack into memory before the first row."""
    out = path.with_name("zipbomb.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/sharedStrings.xml":
                dst.writestr(item, src.read(item.filename))
        with dst.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for n in range(megabytes * 1024):
                text = fill[n * 1009 : (n + 1) * 1009] or b"A" * 1009
                part.write(b"<si><t>" + text + b"</t></si>")
            part.write(b"</sst>")
        for n in range(members):
            dst.writestr(f"xl/media/empty{n}.bin", b"")
    return out


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world, tmp_path):
    rows = [{"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}]
    bomb = add_shared_strings(ledger_file(tmp_path, LedgerKind.RESIDENTS, rows), 40)
    assert bomb.stat().st_size < 200_000
    started = time.monotonic()
    job = run_import(bomb, LedgerKind.RESIDENTS, world.user("community_a"), dry_run=True)
    assert time.monotonic() - started < 10
    assert job.status == ImportJob.Status.FAILED
    limit = re.fullmatch(
        r"Excel文件解压后过大（40 MB，本文件最多(\d+) MB），可能是异常文件；"
        r"请另存为CSV，或拆分成几个文件分批导入",
        job.message,
    )
    assert limit and int(limit.group(1)) == max(10, round(bomb.stat().st_size * 100 / 2**20))


def test_the_unpacked_total_and_the_number_of_parts_are_capped(world, tmp_path, settings):
    rows = [{"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}]
    plain = ledger_file(tmp_path, LedgerKind.RESIDENTS, rows)
    community = world.user("community_a")
    parts = len(zipfile.ZipFile(plain).infolist())
    many = add_shared_strings(plain, 0, members=1000)
    job = run_import(many, LedgerKind.RESIDENTS, community, dry_run=True)
    assert job.message == (
        f"Excel文件内部结构异常（含{parts + 1001}个部件，最多1000个），"
        "请在Excel中另存为新的 .xlsx 文件后再导入"
    )
    # strings that hardly compress: within the ratio, over the installation's total
    fill = base64.b64encode(os.urandom(12 * 1024 * 1024))
    dense = add_shared_strings(plain, 12, fill=fill)
    settings.LEDGER_MAX_UNZIPPED_BYTES = 11 * 1024 * 1024
    job = run_import(dense, LedgerKind.RESIDENTS, community, dry_run=True)
    assert job.message.startswith("Excel文件解压后过大（12 MB，本文件最多11 MB）"), job.message
    settings.LEDGER_MAX_UNZIPPED_BYTES = 13 * 1024 * 1024
    job = run_import(dense, LedgerKind.RESIDENTS, community, dry_run=True)
    assert job.status == ImportJob.Status.CHECKED, job.message


def test_an_upload_is_stored_under_a_random_name(world, tmp_path):
    rows = [{"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}]
    path = ledger_file(tmp_path, LedgerKind.RESIDENTS, rows)
    first = run_import(path, LedgerKind.RESIDENTS, world.user("community_a"), dry_run=True)
    second = run_import(path, LedgerKind.RESIDENTS, world.user("community_a"), dry_run=True)
    assert first.original_name == "residents.xlsx"
    for job in (first, second):
        assert re.fullmatch(r"imports/\d{4}/\d{2}/[0-9a-f]{32}\.xlsx", job.file.name), job.file.name
    assert first.file.name != second.file.name
