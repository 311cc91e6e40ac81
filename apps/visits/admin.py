from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

from .models import Rectification, VisitPlan


@admin.register(VisitPlan)
class VisitPlanAdmin(ScopedAdmin):
    list_display = ["name", "kind", "scope", "rule", "window_days", "active"]
    list_filter = ["kind", "active"]


@admin.register(Rectification)
class RectificationAdmin(ScopedAdmin):
    list_display = ["place", "case", "deadline", "status"]
    list_filter = ["status"]
    raw_id_fields = ["case", "found_on"]
