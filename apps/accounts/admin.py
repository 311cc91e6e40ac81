"""Accounts and the audit trail in the admin, split by 三员分立 (MLPS 2.0 level 3):

* the system administrator (`accounts.manage`) creates accounts, resets passwords, unlocks and
  deactivates them — but assigns no role or scope, and cannot open the audit trail;
* the security administrator (`accounts.assign_roles`, `accounts.reset_2fa`) assigns roles,
  scopes and admin access, and resets second factors — nothing else of an account;
* the auditor (`audit.read`) reads the audit trail (read-only, within the scope) and changes
  nothing.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models

from apps.core.models import AuditEvent
from apps.core.net import client_ip

from .actions import do_reset_two_factor
from .admin_base import ScopedAdmin
from .models import User
from .permissions import Cap, has_role_for

ROLE_FIELDS = ("role", "scope", "is_staff", "is_superuser", "groups", "user_permissions")


def _manages(request: Any) -> bool:
    return has_role_for(request.user, Cap.ACCOUNTS_MANAGE)


def _assigns(request: Any) -> bool:
    return has_role_for(request.user, Cap.ACCOUNTS_ASSIGN_ROLES)


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "scope", "is_active", "locked_until")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    raw_id_fields = ("scope", "person")
    actions = ["reset_two_factor"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "共治",
            {
                "fields": (
                    "display_name",
                    "role",
                    "scope",
                    "person",
                    "failed_logins",
                    "locked_until",
                )
            },
        ),
    )

    def has_module_permission(self, request: Any) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (_manages(request) or _assigns(request))

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:  # type: ignore[override]
        return self.has_module_permission(request) and _manages(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request) and _manages(request)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is None:
            return ()
        names: set[str] = {
            str(f) for _, opts in self.get_fieldsets(request, obj) for f in opts["fields"]
        }
        readonly: set[str] = set()
        if not _assigns(request):
            readonly |= set(ROLE_FIELDS)
        if not _manages(request):
            readonly |= names - set(ROLE_FIELDS)
        return tuple(sorted(readonly & names))

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        if not _manages(request):
            raise PermissionDenied("只有系统管理员可以重置密码")
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if not change and obj.scope_id is None and not obj.is_superuser:
            # A new account starts with the least: the default role, the creator's scope;
            # the security administrator assigns its real role and scope.
            obj.scope_id = request.user.scope_id
        super().save_model(request, obj, form, change)

    def get_actions(self, request: Any) -> Any:
        actions = super().get_actions(request)
        if not has_role_for(request.user, Cap.ACCOUNTS_RESET_2FA):
            actions.pop("reset_two_factor", None)
        if not _manages(request):
            actions.pop("delete_selected", None)
        return actions

    @admin.action(description="重置双因素认证（下次登录重新绑定）")
    def reset_two_factor(self, request: Any, queryset: models.QuerySet) -> None:
        done = 0
        for user in queryset:
            try:
                do_reset_two_factor(user=user, actor=request.user, ip=client_ip(request))
                done += 1
            except PermissionDenied as exc:
                self.message_user(request, f"{user}：{exc}", messages.ERROR)
        if done:
            self.message_user(request, f"已重置 {done} 个账号的双因素认证")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only, for the auditor only, limited to the auditor's scope."""

    list_display = ("at", "actor_label", "verb", "object_type", "object_repr", "ip")
    list_filter = ("verb", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id")
    date_hierarchy = "at"

    def has_module_permission(self, request: Any) -> bool:
        user = request.user
        return user.is_active and user.is_staff and has_role_for(user, Cap.AUDIT_READ)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: Any) -> models.QuerySet:
        qs = super().get_queryset(request)
        from .views_audit import events_visible_to

        return qs & events_visible_to(request.user)
