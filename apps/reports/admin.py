from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

from .models import Report


@admin.register(Report)
class ReportAdmin(ScopedAdmin):
    list_display = ["place", "kind", "period_start", "status", "generated_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["generated_at", "requested_at"]
