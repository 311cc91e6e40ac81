"""`gongzhi stats verify` recomputes the case rollups from the raw cases and reports every
difference (exit status 1 when there is one); `gongzhi stats rebuild` recomputes them."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.stats import rollups


class Command(BaseCommand):
    help = "统计汇总：verify 核对汇总与原始记录，rebuild 由原始记录重建汇总"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="核对汇总表与原始事项，列出每一处差异")
        verify.add_argument("--limit", type=int, default=200, help="最多列出多少处差异")
        sub.add_parser("rebuild", help="由原始事项重新计算汇总表")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rebuild":
            rows = rollups.rebuild()
            self.stdout.write(f"rebuilt {rows} rollup rows")
            return
        diffs = rollups.verify()
        for diff in diffs[: options["limit"]]:
            self.stdout.write(str(diff))
        if diffs:
            more = len(diffs) - options["limit"]
            if more > 0:
                self.stdout.write(f"… and {more} more")
            raise CommandError(f"{len(diffs)} differences between rollups and cases")
        self.stdout.write("rollups match the cases")
