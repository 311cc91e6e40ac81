"""No shared or default accounts in production (MLPS 2.0 level 3): with GONGZHI_HTTPS=1,
`manage.py check --deploy` fails, and `gongzhi serve` refuses to start, while any account still
has the demo password (apps/demo/accounts.py)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, register
from django.db import DatabaseError
from django.db.models import Count

from apps.accounts.models import User

from .accounts import DEMO_PASSWORD

TAG = "gongzhi_demo"
KNOWN = ("admin", "leader", "community01", "grid01", "party01", "volunteer01")


def demo_accounts() -> list[str]:
    """Usernames whose password is the demo password. Demo accounts share one hash (made once
    for all of them), so only the hashes shared by several accounts, and those of the demo's
    best-known names, are checked: a few slow hash checks, not one per account."""
    shared = (
        User.objects.values("password")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("password", flat=True)
    )
    hashes = set(shared) | set(
        User.objects.filter(username__in=KNOWN).values_list("password", flat=True)
    )
    demo = [h for h in hashes if h and check_password(DEMO_PASSWORD, h)]
    if not demo:
        return []
    return list(
        User.objects.filter(password__in=demo)
        .order_by("username")
        .values_list("username", flat=True)
    )


@register(TAG, deploy=True)
def no_demo_accounts_over_https(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not settings.GONGZHI_HTTPS:
        return []
    try:
        names = demo_accounts()
    except DatabaseError:  # no tables yet (before the first migrate): nothing to find
        return []
    if not names:
        return []
    shown = "、".join(names[:5]) + (f" 等 {len(names)} 个" if len(names) > 5 else "")
    return [
        Error(
            f"正式环境（GONGZHI_HTTPS=1）不能有演示账号：{shown}仍使用演示密码",
            hint="删除演示数据，或为这些账号设置新密码后再启动（等保：不得存在默认口令账号）",
            id="gongzhi.E010",
        )
    ]
