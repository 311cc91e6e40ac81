"""Admin for the place tree: scoped, and every save goes through the place actions."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.accounts.admin_base import ScopedAdmin

from .actions import EDITABLE_FIELDS, do_create_place, do_update_place
from .models import Place


@admin.register(Place)
class PlaceAdmin(ScopedAdmin):
    list_display = ("name", "kind", "code", "parent", "depth")
    list_filter = ("kind", "depth")
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)
    readonly_fields = ("path", "depth")
    fields = (
        "kind",
        "code",
        "name",
        "parent",
        "address",
        "lng",
        "lat",
        "geometry",
        "attributes",
        "path",
        "depth",
    )
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Kind, code and parent fix a place's position in the tree; they are set once.
        return (*self.readonly_fields, "kind", "code", "parent") if obj else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Place, form: Any, change: bool) -> None:
        if change:
            data = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in EDITABLE_FIELDS
            }
            updated = do_update_place(actor=request.user, place=obj, **data)
        else:
            extra = {name: getattr(obj, name) for name in EDITABLE_FIELDS if name != "name"}
            updated = do_create_place(
                actor=request.user,
                kind=obj.kind,
                code=obj.code,
                name=obj.name,
                parent=obj.parent,
                **extra,
            )
        obj.pk, obj.path, obj.depth = updated.pk, updated.path, updated.depth
