"""`gongzhi categories import FILE [--dry-run]`: load the catalogue of matters from Excel."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cases.catalogue import COLUMNS, do_import_categories


class Command(BaseCommand):
    help = "事项目录：从 Excel 导入（列：" + "、".join(COLUMNS) + "）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["import"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        result = do_import_categories(path, actor=None, dry_run=options["dry_run"])
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"导入失败：{len(result.errors)} 处错误，未写入任何数据")
        verb = "检查通过" if options["dry_run"] else "已导入"
        self.stdout.write(f"{verb}：新增 {result.created} 类，更新 {result.updated} 类")
