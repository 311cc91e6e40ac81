"""`gongzhi import KIND FILE [--dry-run] [--user USERNAME]`: check and import a ledger file,
with a progress line on the terminal; exits with 1 when any row has an error."""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ledgers.actions import do_create_import_job, do_run_import
from apps.ledgers.errors import RowError
from apps.ledgers.models import ImportJob
from apps.ledgers.registry import all_kinds


def find_user(username: str | None) -> Any:
    if not username:
        return None
    try:
        return get_user_model().objects.select_related("scope").get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"没有用户名为 {username} 的账号") from None


class Command(BaseCommand):
    help = "导入台账（.xlsx 或 .csv）：先校验全部行，无错误才在一个事务中写入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[k for k, _ in all_kinds()])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--user", help="以该账号的角色和管辖范围导入（默认：系统，不限范围）")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        actor = find_user(opts["user"])
        try:
            with open(path, "rb") as f:
                job = do_create_import_job(
                    actor=actor,
                    kind=opts["kind"],
                    upload=File(f, name=path.name),
                    dry_run=opts["dry_run"],
                )
        except (PermissionDenied, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        job = do_run_import(job, progress=self.progress_line(job))
        self.stderr.write("")
        self.report(job)

    def progress_line(self, job: ImportJob) -> Any:
        total = {"rows": 0}

        def show(phase: str, rows: int) -> None:
            if phase == "total":
                total["rows"] = rows
                return
            label = "校验" if phase == "check" else "写入"
            pct = min(100, 100 * rows // max(total["rows"], rows, 1))
            self.stderr.write(f"\r{label} {rows} 行 {pct}%", ending="")
            self.stderr.flush()

        return show

    def report(self, job: ImportJob) -> None:
        for e in job.errors:
            self.stdout.write(str(RowError(**e)))
        if job.error_count > len(job.errors):
            self.stdout.write(f"……另有{job.error_count - len(job.errors)}处错误未列出")
        self.stdout.write(job.message)
        if job.status == ImportJob.Status.FAILED or job.error_count:
            sys.exit(1)
