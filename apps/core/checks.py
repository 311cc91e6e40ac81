"""System checks of the security settings (`manage.py check`, `check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def audit_retention(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from .audit import MIN_RETENTION_DAYS

    days = settings.AUDIT_RETENTION_DAYS
    if days >= MIN_RETENTION_DAYS:
        return []
    return [
        Error(
            f"审计记录保存期限 GONGZHI_AUDIT_RETENTION_DAYS={days} 天少于法定的六个月",
            hint=f"网络安全法第二十一条要求网络日志留存不少于六个月：至少 {MIN_RETENTION_DAYS} 天",
            id="gongzhi.E001",
        )
    ]


@register()
def crypto_mode(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.GONGZHI_CRYPTO in {"standard", "sm"}:
        return []
    return [
        Error(
            f"GONGZHI_CRYPTO={settings.GONGZHI_CRYPTO!r} 无效",
            hint="可选 standard（AES/SHA-256）或 sm（国密 SM4/SM3）",
            id="gongzhi.E002",
        )
    ]
