"""Admin for the key-project settings: the stage templates (the stages, their order, SLA in
working days, lamp thresholds, the one-time-notice materials, the owning role and whether a
stage runs alongside the one before). Installation-wide, every save audited (AuditedAdmin).
A new SLA applies to projects registered afterwards; new thresholds to every lamp at once."""

from django.contrib import admin

from apps.accounts.admin_base import AuditedAdmin

from .models import StageTemplate


@admin.register(StageTemplate)
class StageTemplateAdmin(AuditedAdmin):
    list_display = (
        "position",
        "name",
        "sla_workdays",
        "yellow_days",
        "orange_days",
        "parallel",
        "owner_role",
        "active",
    )
    list_display_links = ("name",)
    list_editable = ("sla_workdays", "yellow_days", "orange_days", "parallel", "active")
    ordering = ("position",)
