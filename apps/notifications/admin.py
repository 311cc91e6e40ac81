"""Read-only admin views of the inbox and delivery log; channels are edited on their own page,
which keeps secrets encrypted and writes the audit trail."""

from typing import Any

from django.contrib import admin

from .models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("recipient")
        return qs if request.user.is_superuser else qs.filter(recipient=request.user)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "status", "attempts", "response_code", "created_at")
    list_filter = ("status", "channel__kind")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).select_related("notification", "channel")
        return qs if request.user.is_superuser else qs.none()
