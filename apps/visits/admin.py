from django.contrib import admin

from apps.core.admin import ScopedAdmin

from .models import VisitPlan


@admin.register(VisitPlan)
class VisitPlanAdmin(ScopedAdmin):
    place_field = "scope"
    list_display = ["name", "kind", "scope", "rule", "window_days", "active"]
    list_filter = ["kind", "active"]
