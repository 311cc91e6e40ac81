"""Excel import of vouchers and contracts through the ledgers' pages (HTTP): a good file, an
unbalanced voucher, an unknown account code, a dry run, the templates, and an export that
neutralises a formula typed into a summary."""

import csv
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.core.models import AuditEvent
from apps.ledgers import tasks
from apps.ledgers.models import ImportJob

from ..choices import VoucherStatus
from ..imports import CONTRACTS, VOUCHERS
from ..models import Contract, Voucher, VoucherLine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_inline(monkeypatch):
    """Run queued jobs in the test's thread instead of the task pool."""
    monkeypatch.setattr(tasks, "_spawn", tasks.run_import_job)


def xlsx(tmp_path: Path, name: str, headers: list[str], rows: list[dict[str, Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    path = tmp_path / name
    book.save(path)
    return path


def vouchers_file(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    return xlsx(tmp_path, "凭证.xlsx", VOUCHERS.headers, rows)


def upload(client, capture, path: Path, kind: str, dry_run: bool = False) -> ImportJob:
    data = {"kind": kind, "file": SimpleUploadedFile(path.name, path.read_bytes())}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        response = client.post(reverse("ledgers:upload"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.order_by("-id").first()


RENT = [
    {
        "凭证号": "1",
        "凭证类型": "收款凭证",
        "记账日期": "2026-03-01",
        "摘要": "收村东水田流转租金",
        "科目编号": "102",
        "借方金额": 54000,
        "合同编号": "LZ-2026-01",
    },
    {"凭证号": "1", "科目编号": "501", "明细": "LZ-2026-01", "贷方金额": "54,000.00"},
    {
        "凭证号": "2",
        "凭证类型": "付款凭证",
        "记账日期": "2026-03-05",
        "摘要": "付村道保洁费",
        "科目编号": "551",
        "借方金额": 1200.5,
    },
    {"凭证号": "2", "科目编号": "102", "贷方金额": 1200.5},
]


def test_a_good_file_imports_drafts_that_go_through_the_chain(
    book,
    accountant,
    land_contract,
    approve,
    tmp_path,
    client,
    run_inline,
    django_capture_on_commit_callbacks,
):
    client.force_login(accountant)
    job = upload(
        client,
        django_capture_on_commit_callbacks,
        vouchers_file(tmp_path, RENT),
        "collective_vouchers",
    )
    assert (job.status, job.error_count, job.rows_imported) == (ImportJob.Status.DONE, 0, 4)
    page = client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "导入完成，共4行" in page
    drafts = list(Voucher.objects.order_by("date"))
    assert [v.status for v in drafts] == [VoucherStatus.DRAFT, VoucherStatus.DRAFT]
    assert drafts[0].contract == land_contract and drafts[0].created_by == accountant
    assert sorted(VoucherLine.objects.values_list("debit", "credit")) == [
        (0, 120050),
        (0, 5400000),
        (120050, 0),
        (5400000, 0),
    ]
    assert AuditEvent.objects.filter(verb="import", object_id=str(job.pk)).count() == 1

    # the accountant submits the draft: it goes along the receipts' chain, then is posted
    voucher_page = client.get(reverse("collective:voucher", args=[drafts[0].pk]))
    assert "提交审批" in voucher_page.content.decode()
    client.post(reverse("collective:submit", args=[drafts[0].pk]))
    drafts[0].refresh_from_db()
    assert drafts[0].status == VoucherStatus.PENDING
    assert approve(drafts[0]).status == VoucherStatus.POSTED


def test_an_unbalanced_voucher_is_refused_naming_its_rows(
    book, accountant, tmp_path, client, run_inline, django_capture_on_commit_callbacks
):
    rows = [dict(r) for r in RENT]
    rows[3]["贷方金额"] = 1200  # voucher 2 is 0.50 yuan short on the credit side
    client.force_login(accountant)
    job = upload(
        client,
        django_capture_on_commit_callbacks,
        vouchers_file(tmp_path, rows[2:]),
        "collective_vouchers",
    )
    assert job.status == ImportJob.Status.FAILED and Voucher.objects.count() == 0
    [error] = job.errors
    assert (error["row"], error["column"], error["header"]) == (2, "B", "凭证号")
    assert "凭证号2借贷不平衡（第2–3行）" in error["message"] and "相差 0.50 元" in error["message"]
    page = client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "第2行" in page and "借贷不平衡" in page and "未导入任何数据" in page


def test_an_unknown_account_code_is_named_by_row_and_column(
    book, accountant, tmp_path, client, run_inline, django_capture_on_commit_callbacks
):
    rows = [dict(r) for r in RENT]
    rows[2]["科目编号"] = "599"  # not in the 2023 chart
    rows[0]["合同编号"] = ""  # no contract in this book yet
    client.force_login(accountant)
    job = upload(
        client,
        django_capture_on_commit_callbacks,
        vouchers_file(tmp_path, rows),
        "collective_vouchers",
    )
    assert job.status == ImportJob.Status.FAILED and Voucher.objects.count() == 0
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (4, "F", "科目编号“599”不在会计科目表中")
    ]
    page = client.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "第4行" in page and "F（科目编号）" in page


def test_a_dry_run_saves_nothing_and_a_closed_month_is_refused(
    book, accountant, agency, tmp_path, client, run_inline, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    rows = [dict(r) for r in RENT[2:]]
    job = upload(
        client,
        django_capture_on_commit_callbacks,
        vouchers_file(tmp_path, rows),
        "collective_vouchers",
        dry_run=True,
    )
    assert (job.status, job.error_count, job.message) == (
        ImportJob.Status.CHECKED,
        0,
        "校验通过，共2行，可以导入",
    )
    assert Voucher.objects.count() == 0 and VoucherLine.objects.count() == 0
    assert "确认导入" in client.get(reverse("ledgers:job", args=[job.pk])).content.decode()

    from ..actions import do_close_period

    do_close_period(actor=agency, book=book, year=2026, month=3)
    job = upload(
        client,
        django_capture_on_commit_callbacks,
        vouchers_file(tmp_path, rows),
        "collective_vouchers",
        dry_run=True,
    )
    assert [(e["row"], e["header"], e["message"]) for e in job.errors] == [
        (2, "记账日期", "2026年03月已经结账，不能再记账")
    ]


def test_contracts_import_with_their_payment_schedule(
    book, accountant, tmp_path, client, run_inline, django_capture_on_commit_callbacks, world
):
    rows = [
        {
            "合同编号": "LZ-2026-09",
            "合同类型": "土地流转合同",
            "标的": "村西 20 亩旱地流转",
            "对方": "王大明",
            "对方是自然人": "是",
            "起始日期": "2026-01-01",
            "终止日期": "2029-01-01",
            "面积（亩）": 20,
            "每亩每年租金（元）": 400,
            "收款方式": "每半年",
        },
        {
            "村编码": world.community_a.code,
            "合同编号": "ZL-2026-02",
            "合同类型": "租赁合同",
            "标的": "仓库出租",
            "对方": "临川物流有限公司",
            "起始日期": "2026-01-01",
            "终止日期": "2026-12-31",
            "每年应收（元）": 120000,
            "收款方式": "每季度",
        },
        {
            "合同编号": "LZ-2026-09",
            "合同类型": "土地流转合同",
            "标的": "重复",
            "对方": "李",
            "起始日期": "2026-01-01",
            "终止日期": "2026-01-01",
        },
    ]
    client.force_login(accountant)
    path = xlsx(tmp_path, "合同.xlsx", CONTRACTS.headers, rows)
    job = upload(client, django_capture_on_commit_callbacks, path, "collective_contracts")
    assert job.status == ImportJob.Status.FAILED and Contract.objects.count() == 0
    assert {(e["row"], e["header"]) for e in job.errors} == {
        (4, "终止日期"),
        (4, "面积（亩）"),
        (4, "合同编号"),
    }
    path = xlsx(tmp_path, "合同.xlsx", CONTRACTS.headers, rows[:2])
    job = upload(client, django_capture_on_commit_callbacks, path, "collective_contracts")
    assert job.status == ImportJob.Status.DONE, job.errors
    land = Contract.objects.get(number="LZ-2026-09")
    assert (land.annual_amount, land.counterparty_is_person, land.book) == (800000, True, book)
    assert [(i.due.isoformat(), i.amount) for i in land.instalments.all()] == [
        ("2026-01-01", 400000),
        ("2026-07-01", 400000),
        ("2027-01-01", 400000),
        ("2027-07-01", 400000),
        ("2028-01-01", 400000),
        ("2028-07-01", 400000),
    ]
    lease = Contract.objects.get(number="ZL-2026-02")
    assert [i.amount for i in lease.instalments.all()] == [
        3000000,
        3000000,
        3000000,
        12000000 * 91 // 365,  # 10-01 → 12-31: 91 days' share
    ]


def test_templates_download_and_a_formula_is_neutralised_on_export(
    book, accountant, tmp_path, client, run_inline, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    for kind, spec in (("collective_vouchers", VOUCHERS), ("collective_contracts", CONTRACTS)):
        response = client.get(reverse("ledgers:template", args=[kind]))
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
        assert [c.value for c in sheet[1]] == spec.headers

    # a CSV keeps the text as typed (Excel would store a formula, read back as its value)
    rows = [dict(r) for r in RENT[2:]]
    rows[0]["摘要"] = '=HYPERLINK("http://evil.example","付保洁费")'
    path = tmp_path / "凭证.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(VOUCHERS.headers)
        writer.writerows([[r.get(h, "") for h in VOUCHERS.headers] for r in rows])
    job = upload(client, django_capture_on_commit_callbacks, path, "collective_vouchers")
    assert job.status == ImportJob.Status.DONE
    response = client.get(reverse("ledgers:export", args=["collective_vouchers", "xlsx"]))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == tuple(VOUCHERS.headers)
    assert lines[1][4] == "'" + rows[0]["摘要"]
    assert (lines[1][5], lines[1][7], lines[2][5], lines[2][8]) == ("551", 1200.5, "102", 1200.5)


def test_only_bookkeepers_may_import_vouchers(
    book, supervisor, tmp_path, client, run_inline, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    path = vouchers_file(tmp_path, RENT[2:])
    response = client.post(
        reverse("ledgers:upload"),
        {"kind": "collective_vouchers", "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 403 and ImportJob.objects.count() == 0
