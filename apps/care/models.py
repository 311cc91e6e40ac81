"""1+1 pairing and care groups (留守儿童 1+1, 幸福家访): a pairing names a carer and a cared-for
person (a left-behind child, or an elderly resident), backed by a `pairing` duty on the
person's household; contact records (家访, 家校联系, 电话) hang off the pairing."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import CarerKind, ContactKind


class PairingQuerySet(ScopedQuerySet["Pairing"]):
    def current(self, on=None) -> "PairingQuerySet":
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on)
        )


class Pairing(TimeStamped):
    """结对: `carer` (a teacher, volunteer, party member …) looks after `person` from
    `start_date` to `end_date` (open: still running). `duty` is the `pairing` duty on the
    person's household that makes the carer count in duty coverage; one duty may serve two
    pairings (one carer, two children of one household)."""

    scope_path = "person__place"

    person = models.ForeignKey(
        "people.Person", verbose_name="关爱对象", on_delete=models.PROTECT, related_name="pairings"
    )
    carer = models.ForeignKey(
        "people.Person",
        verbose_name="结对人",
        on_delete=models.PROTECT,
        related_name="cared_pairings",
    )
    carer_kind = models.CharField(
        "结对人身份", max_length=20, choices=CarerKind.choices, default=CarerKind.TEACHER
    )
    school = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="学校",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    duty = models.ForeignKey(
        "duties.Duty",
        verbose_name="结对责任",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    start_date = models.DateField("开始日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "结对关爱"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["person", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(carer_kind__in=CarerKind.values), name="pairing_carer_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="pairing_period_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("carer")), name="pairing_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carer} ↔ {self.person}"

    @property
    def audit_scope_path(self) -> str:
        return self.person.place.path

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class Contact(TimeStamped):
    """One contact of a pairing: a home visit (家访), a family–school contact (家校联系) or a
    phone call, with its date, the carer who made it, notes, and the cases registered for the
    needs found."""

    scope_path = "pairing__person__place"

    pairing = models.ForeignKey(
        Pairing, verbose_name="结对", on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField("联系方式", max_length=20, choices=ContactKind.choices)
    contacted_on = models.DateField("日期")
    carer = models.ForeignKey(
        "people.Person", verbose_name="联系人", on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField("情况记录", blank=True)
    needs = models.TextField("发现的需求", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name="登记的事项", blank=True, related_name="care_contacts"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "关爱联系记录"
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["pairing", "contacted_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ContactKind.values), name="contact_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.contacted_on:%Y-%m-%d} {self.pairing}"

    @property
    def audit_scope_path(self) -> str:
        return self.pairing.person.place.path
