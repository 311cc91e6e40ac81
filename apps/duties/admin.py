"""Admin for duties: scoped by the duty's place; saves go through the duty actions."""

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from apps.accounts.admin_base import ScopedAdmin
from apps.accounts.models import User

from .actions import EDITABLE_FIELDS, do_assign_duty, do_update_duty
from .models import Duty


@admin.register(Duty)
class DutyAdmin(ScopedAdmin):
    list_display = ("person", "kind", "place", "start_date", "end_date")
    list_filter = ("kind", "start_date", "end_date")
    search_fields = ("person__name", "place__name", "place__code")
    raw_id_fields = ("person", "place")
    list_select_related = ("person", "place")
    date_hierarchy = "start_date"
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("person", "place", "kind") if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a duty is ended, never deleted, so its history stays

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "person":
            from apps.people.models import Person

            kwargs["queryset"] = Person.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Duty, form: Any, change: bool) -> None:
        actor = cast(User, request.user)  # the admin site admits signed-in staff only
        if change:
            data = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in EDITABLE_FIELDS
            }
            do_update_duty(actor=actor, duty=obj, **data)
            return
        duty = do_assign_duty(
            actor=actor,
            person=obj.person,
            place=obj.place,
            kind=obj.kind,
            start_date=obj.start_date,
            end_date=obj.end_date,
            note=obj.note,
        )
        obj.pk = duty.pk
