"""Admin for the forest-chief system's settings: the patrol rule table (how often each level
patrols, shared by the installation) and the state forest farms (scoped by their county).
Every save and delete is audited (AuditedAdmin / ScopedAdmin)."""

from django.contrib import admin

from apps.accounts.admin_base import AuditedAdmin, ScopedAdmin

from .models import PatrolRule, StateForestFarm


@admin.register(PatrolRule)
class PatrolRuleAdmin(AuditedAdmin):
    list_display = ("level", "period", "min_minutes", "active")
    list_editable = ("period", "min_minutes", "active")
    list_filter = ("active",)


@admin.register(StateForestFarm)
class StateForestFarmAdmin(ScopedAdmin):
    list_display = ("name", "place", "office_org")
    search_fields = ("name",)
    raw_id_fields = ("place", "office_org")
    list_select_related = ("place", "office_org")
