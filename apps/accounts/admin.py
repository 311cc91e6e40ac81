from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .admin_base import ScopedAdmin
from .models import User


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    place_field = "scope"
    list_display = ("username", "display_name", "role", "scope", "is_active", "locked_until")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name")
    raw_id_fields = ("scope", "person")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "共治",
            {
                "fields": (
                    "display_name",
                    "role",
                    "scope",
                    "person",
                    "failed_logins",
                    "locked_until",
                )
            },
        ),
    )
