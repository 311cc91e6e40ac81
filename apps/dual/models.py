"""双报到双报告: organisations and their in-service party members register with a community
(双报到), pick its needs and activities, and each unit gets a monthly report of the service
done (双报告). Moved here from apps.services in issue 13; the tables (`db_table`) and audit
object types (`audit_object_type`) are unchanged, so existing databases carry on."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet
from apps.volunteers.models import account_field

from .choices import DualKind, DualServiceStatus, RegistrationStatus


class DualRegistration(TimeStamped):
    """双报到: an organisation (机关企事业单位) or one of its in-service party members registers
    with a community. `organisation` is the unit the service is reported back to (报告) —
    for a member, their own employer. Community staff approve it."""

    scope_path = "community"

    kind = models.CharField("类型", max_length=10, choices=DualKind.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="报到单位",
        on_delete=models.PROTECT,
        related_name="dual_registrations",
    )
    party_member = models.ForeignKey(
        "people.PartyMember",
        verbose_name="在职党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dual_registrations",
    )
    community = models.ForeignKey(
        "places.Place", verbose_name="报到社区", on_delete=models.PROTECT, related_name="+"
    )
    registered_on = models.DateField("报到日期")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="单位联系人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="月度服务报告发给此账号",
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    decided_by = account_field("审核人", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.dualregistration"

    class Meta:
        db_table = "services_dualregistration"
        verbose_name = verbose_name_plural = "双报到"
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=DualKind.UNIT, party_member__isnull=True)
                    | models.Q(kind=DualKind.MEMBER, party_member__isnull=False)
                ),
                name="dual_kind_matches_member",
            ),
            models.UniqueConstraint(
                fields=["organisation", "community"],
                condition=models.Q(kind=DualKind.UNIT),
                name="dual_unit_once_per_community",
            ),
            models.UniqueConstraint(
                fields=["party_member", "community"],
                condition=models.Q(kind=DualKind.MEMBER),
                name="dual_member_once_per_community",
            ),
        ]

    def __str__(self) -> str:
        who = self.party_member.person.name if self.party_member_id else self.organisation.name
        return f"{who} → {self.community.name}"

    @property
    def audit_scope_path(self) -> str:
        return self.community.path


class DualService(TimeStamped):
    """A need (an open order) or an activity a registered unit or member picked (认领), and, once
    staff confirm it, the hours served. Only `done` rows are reported."""

    scope_path = "registration__community"

    registration = models.ForeignKey(
        DualRegistration,
        verbose_name="双报到",
        on_delete=models.PROTECT,
        related_name="services",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="认领的需求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Activities belong to apps.activities: linked by id only, so this app does not depend
    # on it; the title is kept for the report.
    activity_id = models.PositiveIntegerField("活动编号", null=True, blank=True)
    title = models.CharField("服务内容", max_length=100)
    status = models.CharField(
        "状态", max_length=10, choices=DualServiceStatus.choices, default=DualServiceStatus.PICKED
    )
    served_on = models.DateField("服务日期", null=True, blank=True)
    hours = models.DecimalField("时长(小时)", max_digits=6, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.dualservice"

    class Meta:
        db_table = "services_dualservice"
        verbose_name = verbose_name_plural = "双报到服务"
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DualServiceStatus.values),
                name="dual_service_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | models.Q(served_on__isnull=False, hours__gt=Decimal("0")),
                name="dual_service_done_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_scope_path(self) -> str:
        return self.registration.community.path


class DualReport(models.Model):
    """双报告: one unit's service in one community in one month — members who served, hours
    and services done — generated at month end from the DualService rows and sent to the
    unit's contact."""

    scope_path = "community"

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "places.Place", verbose_name="报到社区", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份", help_text="该月第一天")
    members = models.PositiveIntegerField("服务党员数")
    services = models.PositiveIntegerField("服务次数")
    hours = models.DecimalField("服务时长(小时)", max_digits=8, decimal_places=1)
    generated_at = models.DateTimeField("生成时间")
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.dualreport"

    class Meta:
        db_table = "services_dualreport"
        verbose_name = verbose_name_plural = "双报告月报"
        ordering = ["-month", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "community", "month"], name="dual_report_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.month:%Y-%m}"

    @property
    def audit_scope_path(self) -> str:
        return self.community.path
