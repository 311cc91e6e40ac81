from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.db import models

from apps.places.scope import ScopedQuerySet

from .choices import Role
from .permissions import Cap, has_role_for


class UserManager(AuthUserManager["User"]):
    """Django's user manager (create_user, natural keys) over the scoped queryset:
    `User.objects.visible_to(user)` is the accounts whose scope lies inside the user's
    (`User.scope_path`), the same rule as every other model's."""

    use_in_migrations = True

    def get_queryset(self) -> "ScopedQuerySet[User]":
        return ScopedQuerySet(self.model, using=self._db)

    def visible_to(self, user: Any) -> "ScopedQuerySet[User]":
        return self.get_queryset().visible_to(user)


class User(AbstractUser):
    """A staff account: one role, one scope (a node of the place tree) and, optionally, the
    person behind it. Everything the account sees and changes lies inside its scope."""

    scope_path = "scope"

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.GRID_WORKER)
    scope = models.ForeignKey(
        "places.Place",
        verbose_name="管辖范围",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="对应人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "账号"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(scope__isnull=False),
                name="user_scope_required",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def can_reveal_personal_data(self) -> bool:
        return has_role_for(self, Cap.PEOPLE_REVEAL)

    @property
    def can_manage_places(self) -> bool:
        return has_role_for(self, Cap.PLACES_EDIT)

    @property
    def is_governance_staff(self) -> bool:
        return has_role_for(self, Cap.GOVERNANCE_USE)

    @property
    def can_manage_ledgers(self) -> bool:
        return has_role_for(self, Cap.PEOPLE_EDIT)

    @property
    def can_export(self) -> bool:
        return has_role_for(self, Cap.LEDGERS_EXPORT)

    @property
    def uses_ecg(self) -> bool:
        return has_role_for(self, Cap.ECG_USE)

    @property
    def audit_scope_path(self) -> str:
        return self.scope.path if self.scope_id else ""


class ApiKey(models.Model):
    """A key for machine clients (the HTTP API and Open311). Only the SHA-256 of the key is
    stored; `prefix` (its first characters) names it in lists and on the command line. The
    key acts as `user`: that account's role and scope decide what a request may see and do,
    usually a service account made for the key with its own scope."""

    scope_path = "user__scope"

    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=16, unique=True)
    key_hash = models.CharField("摘要", max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        User, verbose_name="代表账号", on_delete=models.PROTECT, related_name="api_keys"
    )
    created_by = models.ForeignKey(
        User,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name="吊销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "接口密钥"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def audit_scope_path(self) -> str:
        return self.user.audit_scope_path


class TotpDevice(models.Model):
    """An account's authenticator (RFC 6238 TOTP, 6 digits, 30 s): the shared secret encrypted
    with the field key (apps.core.crypto), and the last time step accepted, so that a code is
    never accepted twice (replay)."""

    user = models.OneToOneField(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.TextField("密钥（密文）")
    confirmed_at = models.DateTimeField("绑定时间")
    last_step = models.BigIntegerField("最近使用的时间步", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令"

    def __str__(self) -> str:
        return f"{self.user} 的动态口令"


class RecoveryCode(models.Model):
    """A single-use recovery code: only its keyed hash is stored; `used_at` once spent."""

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField("摘要", max_length=80)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "恢复码"
        indexes = [models.Index(fields=["user", "code_hash"])]

    def __str__(self) -> str:
        return f"{self.user} 的恢复码"


class PasswordHistory(models.Model):
    """The hashes of an account's last passwords (PASSWORD_HISTORY of them): a new password may
    not be one of them, and the newest row's time is when the password was last changed
    (apps/accounts/passwords.py)."""

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} 的历史密码"
