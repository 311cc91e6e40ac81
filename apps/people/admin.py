"""Admin for people: scoped like every page, masks only, never a way to decrypt."""

from typing import Any

from django.contrib import admin

from apps.accounts.admin_base import AuditedAdmin, ScopedAdmin

from .models import CareTag, PartyMember, Person, Skill

SECRET_FIELDS = ("id_number_enc", "id_number_index", "phone_enc", "phone_index")


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = (
        "name",
        "sex",
        "birth_date",
        "place",
        "id_number_masked",
        "phone_masked",
        "active",
    )
    list_filter = ("sex", "active", "care_tags")
    search_fields = ("name", "name_initials", "phone_suffix")
    exclude = SECRET_FIELDS
    readonly_fields = ("name_initials", "id_number_masked", "phone_masked", "phone_suffix")
    raw_id_fields = ("place",)
    filter_horizontal = ("care_tags",)
    list_select_related = ("place",)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        # ID numbers are entered on the people pages, which validate and check duplicates.
        return False


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    list_display = ("person", "branch", "group_name", "is_central_household", "employment")
    list_filter = ("is_central_household", "employment")
    search_fields = ("person__name", "person__name_initials")
    raw_id_fields = ("person", "branch", "report_community")
    list_select_related = ("person", "branch")


@admin.register(CareTag)
class CareTagAdmin(AuditedAdmin):
    list_display = ("name", "code", "weight", "active")
    list_editable = ("weight", "active")


@admin.register(Skill)
class SkillAdmin(AuditedAdmin):
    list_display = ("name", "code")
