"""gongzhi apikey create NAME --scope PLACE_CODE [--role ROLE] | --user USERNAME
gongzhi apikey revoke PREFIX
gongzhi apikey list"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.apikeys import (
    DEFAULT_SERVICE_ROLE,
    SERVICE_ROLES,
    do_create_api_key,
    do_revoke_api_key,
)
from apps.accounts.models import ApiKey, User
from apps.places.models import Place


class Command(BaseCommand):
    help = "接口密钥：create 签发（密钥只显示一次）、revoke 吊销、list 列出"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="签发密钥")
        create.add_argument("name", help="密钥名称，如“12345热线对接”")
        target = create.add_mutually_exclusive_group(required=True)
        target.add_argument("--scope", help="管辖范围的地点编码（为密钥新建服务账号）")
        target.add_argument("--user", help="代表已有账号（用户名）")
        create.add_argument(
            "--role",
            default=DEFAULT_SERVICE_ROLE,
            choices=[value for value, _ in SERVICE_ROLES],
            help=f"服务账号的角色（默认 {DEFAULT_SERVICE_ROLE}）",
        )
        revoke = sub.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("prefix", help="密钥前缀（list 中显示）")
        sub.add_parser("list", help="列出密钥")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        scope = user = None
        if options["scope"]:
            scope = Place.objects.filter(code=options["scope"]).first()
            if scope is None:
                raise CommandError(f"地点编码 {options['scope']} 不存在")
        else:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"账号 {options['user']} 不存在或已停用")
        try:
            key, raw = do_create_api_key(
                name=options["name"], actor=None, scope=scope, role=options["role"], user=user
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        account = key.user
        self.stdout.write(
            f"已签发密钥“{key.name}”（前缀 {key.prefix}），代表账号 {account.username}"
            f"（{account.get_role_display()}，{account.scope.name if account.scope else '全部'}）"
        )
        self.stdout.write("密钥只显示这一次，请妥善保存：")
        self.stdout.write(raw)

    def _revoke(self, options: dict[str, Any]) -> None:
        key = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if key is None:
            raise CommandError(f"没有前缀为 {options['prefix']} 的密钥")
        was_active = key.active
        do_revoke_api_key(key, actor=None)
        self.stdout.write(
            f"已吊销密钥“{key.name}”（{key.prefix}）" if was_active else "该密钥此前已吊销"
        )

    def _list(self, options: dict[str, Any]) -> None:
        rows = ApiKey.objects.select_related("user", "user__scope").order_by("created_at")
        for key in rows:
            state = "有效" if key.active else f"已吊销 {key.revoked_at:%Y-%m-%d %H:%M}"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "未使用"
            scope = key.user.scope.code if key.user.scope else "-"
            self.stdout.write(
                f"{key.prefix}\t{key.name}\t{key.user.username}\t{key.user.role}\t{scope}"
                f"\t{state}\t最近使用 {used}"
            )
