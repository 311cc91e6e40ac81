"""The audit trail in the Django admin, read-only and limited to the administrator's scope.

The scoped base of every other app's admin is `apps.accounts.admin_base.ScopedAdmin` (it needs
the account's scope rule, which stands above core).
"""

from typing import Any

from django.contrib import admin
from django.db import models

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only view of the audit trail, limited to events within the administrator's scope."""

    list_display = ("at", "actor_label", "verb", "object_type", "object_repr", "ip")
    list_filter = ("verb", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id")
    date_hierarchy = "at"

    def has_module_permission(self, request: Any) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or (user.is_staff and user.role == "admin"))

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
        user = request.user
        if user.is_superuser and user.scope_id is None:
            return qs
        return qs.filter(scope_path__startswith=user.scope.path) if user.scope_id else qs.none()
