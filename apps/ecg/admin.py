"""Admin for the ECG network: the county centre's settings, the term catalogue, and a
read-only, scoped view of exams (masks only)."""

from typing import Any

from django.contrib import admin
from django.db import models

from apps.accounts.admin_base import ScopedAdmin

from .models import DiagnosisTerm, EcgCentre, Exam


@admin.register(EcgCentre)
class EcgCentreAdmin(ScopedAdmin):
    list_display = ("name", "county", "hospital", "head", "ack_minutes", "phone_minutes")
    filter_horizontal = ("emergency_team",)


@admin.register(DiagnosisTerm)
class DiagnosisTermAdmin(ScopedAdmin):
    list_display = ("code", "name", "category", "critical", "order", "active")
    list_filter = ("category", "critical", "active")
    search_fields = ("code", "name")

    def get_queryset(self, request: Any) -> models.QuerySet:
        return DiagnosisTerm.objects.all()  # one catalogue for the whole installation


@admin.register(Exam)
class ExamAdmin(ScopedAdmin):
    list_display = ("__str__", "clinic", "status", "priority", "uploaded_at")
    list_filter = ("status", "suspected_critical")
    exclude = ("id_number_enc", "id_number_index")
    readonly_fields = [
        f.name for f in Exam._meta.fields if f.name not in ("id_number_enc", "id_number_index")
    ]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
