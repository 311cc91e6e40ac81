from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

from .models import Activity


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ["title", "kind", "place", "start_at", "capacity", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "project"]
    filter_horizontal = ["target_tags", "organisations", "organisers"]
