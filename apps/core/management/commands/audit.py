from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.audit import archive, seal, verify_archive, verify_chain
from apps.core.models import AuditHead


class Command(BaseCommand):
    help = (
        "审计日志：gongzhi audit verify 先封存已提交的记录，再校验哈希链，"
        "发现被修改、删除或截断的记录；archive 把超过保存期限（GONGZHI_AUDIT_RETENTION_DAYS，"
        "至少六个月）的记录移入归档文件；verify-archive 校验归档文件及其与数据库中审计链的衔接"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal", "archive", "verify-archive"])
        parser.add_argument(
            "--dir",
            default="",
            help="归档目录（默认 GONGZHI_AUDIT_ARCHIVE_DIR）",
        )

    def handle(self, *args, **options):
        folder = Path(options["dir"] or settings.AUDIT_ARCHIVE_DIR)
        action = options["action"]
        if action == "archive":
            try:
                done = archive(folder)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if done is None:
                self.stdout.write("✓ 没有超过保存期限的审计记录")
            else:
                self.stdout.write(
                    f"✓ 已归档 {done.count} 条审计记录（第 {done.first_seq}–{done.last_seq} 条）"
                    f"到 {done.path}"
                )
            return
        if action == "verify-archive":
            files = sorted(folder.glob("audit-*.jsonl.gz"))
            problems = list(verify_archive(files))
            for problem in problems:
                self.stderr.write(f"✗ {problem.message}")
            if problems:
                raise CommandError(f"归档校验失败：发现 {len(problems)} 处问题")
            self.stdout.write(f"✓ {len(files)} 个归档文件完整，与数据库中的审计链衔接")
            return
        sealed = seal()
        if action == "seal":
            self.stdout.write(f"✓ 本次封存 {sealed} 条审计记录")
            return
        problems = list(verify_chain(seal_first=False))
        for problem in problems:
            self.stderr.write(f"✗ {problem.message}")
        if problems:
            raise CommandError(f"审计链校验失败：发现 {len(problems)} 处问题")
        head = AuditHead.objects.filter(pk=1).first()
        note = f"（其中本次封存 {sealed} 条）" if sealed else ""
        archived = f"，其中 {head.archived_count} 条已归档" if head and head.archived_count else ""
        self.stdout.write(f"✓ 审计链完整：共 {head.count if head else 0} 条记录{archived}{note}")
