"""The base of every app's Django admin, scoped like every other page.

`ScopedAdmin` limits every changelist, change form, foreign-key choice and delete to the
administrator's scope (objects outside it are simply not found), and writes an audit event for
each save and delete.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import Http404

from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.net import client_ip

from .choices import Role
from .scoping import scope_q


class AdminRoleOnly(admin.ModelAdmin):
    """Administrators only (the admin role or a superuser); not scoped by itself — for the
    managed lists shared by the whole installation, and the base of ScopedAdmin."""

    def has_module_permission(self, request: Any) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or (user.is_staff and user.role == Role.ADMIN))

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_view_permission  # type: ignore[assignment]
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission


class ScopedAdmin(AdminRoleOnly):
    #: path from the model to its Place ("" when the model is Place itself)
    place_field: str = "place"

    def get_queryset(self, request: Any) -> models.QuerySet:
        return super().get_queryset(request).filter(scope_q(request.user, self.place_field))

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: str) -> Any:
        # Django redirects to the index with "may have been deleted"; outside the scope that
        # would still confirm the id exists somewhere. Answer as for any unknown page.
        raise Http404("未找到，或不在您的管辖范围内")

    #: foreign keys whose choices are limited to the scope: target model → its path to a Place
    SCOPED_CHOICES = {"places.Place": "", "people.Person": "place", "orgs.Organisation": "place"}

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        related = db_field.related_model
        place_field = self.SCOPED_CHOICES.get(related._meta.label)
        if place_field is not None:
            kwargs["queryset"] = related.objects.filter(scope_q(request.user, place_field))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        audit.record(
            actor=request.user,
            verb=AuditVerb.UPDATE if change else AuditVerb.CREATE,
            obj=obj,
            changes=changes,
            ip=client_ip(request),
        )

    def delete_model(self, request: Any, obj: Any) -> None:
        audit.record(actor=request.user, verb=AuditVerb.DELETE, obj=obj, ip=client_ip(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
