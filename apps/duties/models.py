from django.db import models
from django.utils import timezone

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import DutyKind


class DutyQuerySet(ScopedQuerySet):
    def current(self, on=None) -> "DutyQuerySet":
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on)
        )


class Duty(TimeStamped):
    """Who answers for what: a person holds a duty of some kind (包联, 网格员, 楼栋长 …) for a
    household or a place during a period. Coverage ("which households have nobody") is
    computed from these rows."""

    scope_path = "place"

    person = models.ForeignKey(
        "people.Person", verbose_name="责任人", on_delete=models.PROTECT, related_name="duties"
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name="负责的户/地点",
        on_delete=models.PROTECT,
        related_name="duties",
    )
    kind = models.CharField("责任类型", max_length=30, choices=DutyKind.choices)
    start_date = models.DateField("开始日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = DutyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "责任"
        indexes = [
            # Covers the "is this place held today" EXISTS of coverage without a table read.
            models.Index(
                fields=["place", "kind", "start_date", "end_date"], name="duty_place_kind_period"
            ),
            models.Index(fields=["person", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DutyKind.values), name="duty_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="duty_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.place}"

    @property
    def audit_scope_path(self) -> str:
        return self.place.path
