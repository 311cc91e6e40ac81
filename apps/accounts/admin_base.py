"""The base of every app's Django admin, scoped like every other page.

`ScopedAdmin` limits every changelist, change form, foreign-key choice and delete to the
administrator's scope (objects outside it are simply not found) by the model's own
`visible_to` (the path its `scope_path` states), and writes an audit event for each save and
delete (`AuditedAdmin`, also the base of the installation-wide lists).
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import Http404

from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.net import client_ip

from .choices import Role


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


class AuditedAdmin(AdminRoleOnly):
    """Administrators only, every save and delete written to the audit trail: for the
    installation's shared settings (rule tables, reference lists); the base of ScopedAdmin."""

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


class ScopedAdmin(AuditedAdmin):
    """For a model with a `scope_path` and a ScopedQuerySet manager (tests/test_scope_structure
    checks both)."""

    def get_queryset(self, request: Any) -> models.QuerySet:
        qs: Any = super().get_queryset(request)
        return qs.visible_to(request.user)

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: str) -> Any:
        # Django redirects to the index with "may have been deleted"; outside the scope that
        # would still confirm the id exists somewhere. Answer as for any unknown page.
        raise Http404("未找到，或不在您的管辖范围内")

    #: foreign keys whose choices are limited to the scope (each model's own `visible_to`)
    SCOPED_CHOICES = frozenset({"places.Place", "people.Person", "orgs.Organisation"})

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        related = db_field.related_model
        if related._meta.label in self.SCOPED_CHOICES:
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
