from django.core.management.base import BaseCommand, CommandError

from apps.core.audit import seal, verify_chain
from apps.core.models import AuditHead


class Command(BaseCommand):
    help = (
        "审计日志：gongzhi audit verify 先封存已提交的记录，再校验哈希链，"
        "发现被修改、删除或截断的记录"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args, **options):
        sealed = seal()
        if options["action"] == "seal":
            self.stdout.write(f"✓ 本次封存 {sealed} 条审计记录")
            return
        problems = list(verify_chain(seal_first=False))
        for problem in problems:
            self.stderr.write(f"✗ {problem.message}")
        if problems:
            raise CommandError(f"审计链校验失败：发现 {len(problems)} 处问题")
        head = AuditHead.objects.filter(pk=1).first()
        note = f"（其中本次封存 {sealed} 条）" if sealed else ""
        self.stdout.write(f"✓ 审计链完整：共 {head.count if head else 0} 条记录{note}")
