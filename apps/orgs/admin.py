"""Admin for organisations, memberships and compounds, scoped like every page."""

from django.contrib import admin

from apps.accounts.admin_base import ScopedAdmin

from .models import CompoundProfile, Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = (
        "name",
        "kind",
        "place",
        "parent",
        "contact_name",
        "contact_phone_masked",
        "active",
    )
    list_filter = ("kind", "active")
    search_fields = ("name", "credit_code")
    readonly_fields = ("contact_phone_masked",)
    raw_id_fields = ("place", "parent")
    list_select_related = ("place", "parent")


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("organisation", "person", "role", "start_date", "end_date")
    list_filter = ("role",)
    search_fields = ("organisation__name", "person__name", "person__name_initials")
    raw_id_fields = ("organisation", "person")
    list_select_related = ("organisation", "person")


@admin.register(CompoundProfile)
class CompoundProfileAdmin(ScopedAdmin):
    list_display = ("compound", "property_model", "property_company", "built_year")
    list_filter = ("property_model",)
    search_fields = ("compound__name",)
    raw_id_fields = ("compound", "property_company")
    list_select_related = ("compound", "property_company")
