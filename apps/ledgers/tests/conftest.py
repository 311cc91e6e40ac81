"""Helpers for the ledger tests: write a small file, run an import job synchronously."""

import csv
import itertools
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from openpyxl import Workbook

from apps.core.validators import id_check_char
from apps.ledgers.actions import do_create_import_job, do_run_import
from apps.ledgers.models import ImportJob
from apps.ledgers.specs import spec_for


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(
    path: Path, headers: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig"
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def ledger_file(
    tmp_path: Path,
    kind: str,
    rows: list[dict[str, Any]],
    suffix: str = ".xlsx",
    encoding: str = "utf-8-sig",
) -> Path:
    """A file with every header of the ledger and `rows` given as {header: value}."""
    headers = spec_for(kind).headers
    values = [[row.get(h) for h in headers] for row in rows]
    path = tmp_path / f"{kind}{suffix}"
    if suffix == ".csv":
        return write_csv(
            path, headers, [[v if v is not None else "" for v in r] for r in values], encoding
        )
    return write_xlsx(path, headers, values)


def run_import(path: Path, kind: str, actor: Any, dry_run: bool = False) -> ImportJob:
    with open(path, "rb") as f:
        job = do_create_import_job(
            actor=actor, kind=kind, upload=File(f, name=path.name), dry_run=dry_run
        )
    return do_run_import(job)


def errors_of(job: ImportJob) -> list[tuple[int, str, str, str]]:
    return [(e["row"], e["column"], e["header"], e["message"]) for e in job.errors]


_serial = itertools.count(1)


def new_id(year: int = 1980) -> str:
    """A valid ID number, unique across a test run (the birth day varies with the serial)."""
    n = next(_serial)
    first17 = f"360732{date(year, 1, 1) + timedelta(days=n % 360):%Y%m%d}{n // 360 % 1000:03d}"
    return first17 + id_check_char(first17)
