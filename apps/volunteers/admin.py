"""Admin for volunteers: scoped like every page."""

from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

from .models import Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(ScopedAdmin):
    list_display = ("person", "status", "registered_on", "organisation")
    list_filter = ("status", "skills")
    search_fields = ("person__name", "person__name_initials")
    raw_id_fields = ("person", "organisation")
    filter_horizontal = ("skills",)
    list_select_related = ("person", "organisation")
