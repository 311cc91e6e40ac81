from django.contrib.auth.models import AbstractUser
from django.db import models

from .choices import EXPORT_ROLES, LEDGER_ROLES, REVEAL_ROLES, Role


class User(AbstractUser):
    """A staff account: one role, one scope (a node of the place tree) and, optionally, the
    person behind it. Everything the account sees and changes lies inside its scope."""

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
        return self.is_superuser or self.role in REVEAL_ROLES

    @property
    def can_manage_places(self) -> bool:
        return self.is_superuser or self.role in LEDGER_ROLES

    @property
    def can_manage_ledgers(self) -> bool:
        return self.is_superuser or self.role in LEDGER_ROLES

    @property
    def can_export(self) -> bool:
        return self.is_superuser or self.role in EXPORT_ROLES

    @property
    def audit_scope_path(self) -> str:
        return self.scope.path if self.scope_id else ""
