from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["title", "kind", "area", "starts_at", "status"]
    list_filter = ["kind", "status"]
    readonly_fields = ["status", "held_at", "closed_at", "convened_by"]
