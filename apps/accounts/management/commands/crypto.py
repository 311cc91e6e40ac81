"""gongzhi crypto rotate --actor <安全保密管理员>: re-encrypt personal data under the current
field key and mode (apps.core.rotation), after GONGZHI_FIELD_KEY changed (the old one moved to
GONGZHI_FIELD_OLD_KEYS) or GONGZHI_CRYPTO switched. Security administrators only (三员分立)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.core import audit, crypto
from apps.core.choices import AuditVerb
from apps.core.rotation import rotate


class Command(BaseCommand):
    help = "密钥轮换：gongzhi crypto rotate --actor 用户名（安全保密管理员），分批重新加密个人信息"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate"])
        parser.add_argument("--actor", required=True, help="执行轮换的安全保密管理员用户名")
        parser.add_argument("--batch", type=int, default=500, help="每批行数（默认 500）")

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"没有启用的账号 {options['actor']}")
        try:
            require(actor, Cap.ACCOUNTS_ROTATE_KEYS)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        changed = rotate(batch=max(1, options["batch"]), say=self.stdout.write)
        total = sum(changed.values())
        mode = "国密 SM4-GCM/SM3" if crypto.sm_mode() else "Fernet/SHA-256"
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            object_type="core.fieldkey",
            object_repr=f"个人信息密钥轮换（{mode}）",
            changes={"rows": total, "mode": "sm" if crypto.sm_mode() else "standard"},
        )
        self.stdout.write(f"✓ 已用当前密钥（{mode}）重新加密 {total} 行")
