"""`gongzhi export KIND FILE [--user USERNAME]`: write a ledger as .xlsx or .csv."""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.ledgers.actions import do_export_ledger
from apps.ledgers.registry import all_kinds

from .ledger_import import find_user


class Command(BaseCommand):
    help = "导出台账（按文件扩展名写 .xlsx 或 .csv），与导入模板的列相同"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[k for k, _ in all_kinds()])
        parser.add_argument("file")
        parser.add_argument("--user", help="以该账号的角色和管辖范围导出（默认：系统，不限范围）")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if path.suffix.lower() not in {".xlsx", ".csv"}:
            raise CommandError("文件扩展名应为 .xlsx 或 .csv")
        try:
            count = do_export_ledger(opts["kind"], path, actor=find_user(opts["user"]))
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已导出{count}行到 {path}")
