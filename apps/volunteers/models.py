"""Volunteers (志愿者): the registry of people who volunteer (skills, certificates, weekly
availability), their self-registration, service hours (approved, never deleted), points
ledgers and the redemption catalogue, training, availability exceptions and no-shows.

The models moved here from apps.people (Volunteer) and apps.services (the rest) in issue 13;
each keeps its table (`db_table`) and its audit object type (`audit_object_type`), so existing
databases and audit trails carry on unchanged (migrations 0001 here are state-only)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import (
    ApplicationStatus,
    ExceptionKind,
    HoursStatus,
    PointsKind,
    TrainingKind,
    VolunteerStatus,
)


def account_field(verbose_name: str, *, blank: bool = False) -> "models.ForeignKey[Any, Any]":
    """An account that entered or decided a row (登记人, 审核人): optional, kept when the
    account is closed (PROTECT), no reverse accessor. One definition for the volunteer and
    双报到 rows."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.PROTECT,
        related_name="+",
    )


class Volunteer(TimeStamped):
    """A person registered as a volunteer: skills, certificates and weekly availability."""

    scope_path = "person__place"

    person = models.OneToOneField(
        "people.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="volunteer"
    )
    status = models.CharField(
        "状态", max_length=20, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    skills = models.ManyToManyField(
        "people.Skill", verbose_name="技能", blank=True, related_name="volunteers"
    )
    certificates = models.JSONField(
        "证书", default=list, blank=True, help_text='如 [{"name": "持证社工", "number": "…"}]'
    )
    # {"mon": ["08:00-12:00"], ...}: the weekly pattern; exceptions live with activities.
    availability = models.JSONField("可服务时间", default=dict, blank=True)
    registered_on = models.DateField("注册日期", null=True, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所属队伍/单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
    )
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "people.volunteer"

    class Meta:
        db_table = "people_volunteer"
        verbose_name = verbose_name_plural = "志愿者"

    def __str__(self) -> str:
        return self.person.name

    @property
    def audit_scope_path(self) -> str:
        return self.person.place.path


class ServiceHours(TimeStamped):
    """Hours a volunteer served on one order (a case) or one activity. Never deleted: a refusal
    is the state `declined`, kept with who decided and when. Only `approved` hours count toward
    the star level and earn points."""

    scope_path = "volunteer__person__place"

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name="志愿者",
        on_delete=models.PROTECT,
        related_name="service_hours",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="服务工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_hours",
    )
    activity = models.CharField("服务活动", max_length=100, blank=True)
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("时长(小时)", max_digits=6, decimal_places=1)
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING
    )
    recorded_by = account_field("登记人")
    decided_by = account_field("审核人", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.servicehours"

    class Meta:
        db_table = "services_servicehours"
        verbose_name = verbose_name_plural = "服务时长"
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=HoursStatus.values), name="hours_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=Decimal("0")) & models.Q(hours__lte=Decimal("24")),
                name="hours_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | ~models.Q(activity=""),
                name="hours_for_case_or_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.served_on} {self.hours}小时"

    @property
    def audit_scope_path(self) -> str:
        return self.volunteer.person.place.path

    @property
    def served_for(self) -> str:
        return f"工单 #{self.case_id}" if self.case_id else self.activity


class PointsAccount(models.Model):
    """A volunteer's points balance: the sum of their ledger entries, kept on one row that every
    write locks. The database refuses a negative balance, so concurrent redemptions can never
    overdraw it."""

    scope_path = "volunteer__person__place"

    volunteer = models.OneToOneField(
        Volunteer,
        verbose_name="志愿者",
        on_delete=models.PROTECT,
        related_name="points_account",
    )
    balance = models.IntegerField("积分余额", default=0)
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.pointsaccount"

    class Meta:
        db_table = "services_pointsaccount"
        verbose_name = verbose_name_plural = "积分账户"
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_nonnegative")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer}：{self.balance}分"

    @property
    def audit_scope_path(self) -> str:
        return self.volunteer.person.place.path


class RewardItem(TimeStamped):
    """An item of a community's redemption catalogue (积分兑换): its cost in points and stock."""

    scope_path = "community"

    community = models.ForeignKey(
        "places.Place", verbose_name="所属社区", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=60)
    cost = models.PositiveIntegerField("所需积分")
    stock = models.IntegerField("库存", default=0)
    active = models.BooleanField("上架", default=True)
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.rewarditem"

    class Meta:
        db_table = "services_rewarditem"
        verbose_name = verbose_name_plural = "兑换物品"
        ordering = ["cost", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="reward_stock_nonneg"),
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="reward_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.cost}分）"

    @property
    def audit_scope_path(self) -> str:
        return self.community.path


class PointsEntry(models.Model):
    """One append-only line of a points ledger. `amount` is signed: earned and granted add,
    redeemed and donated subtract; the account balance always equals the sum."""

    scope_path = "account__volunteer__person__place"

    account = models.ForeignKey(
        PointsAccount, verbose_name="积分账户", on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField("类型", max_length=10, choices=PointsKind.choices)
    amount = models.IntegerField("积分")
    hours = models.OneToOneField(
        ServiceHours,
        verbose_name="对应时长",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entry",
    )
    item = models.ForeignKey(
        RewardItem,
        verbose_name="兑换物品",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.pointsentry"

    class Meta:
        db_table = "services_pointsentry"
        verbose_name = verbose_name_plural = "积分明细"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["earned", "granted"], amount__gt=0)
                    | models.Q(kind__in=["redeemed", "donated"], amount__lt=0)
                ),
                name="points_entry_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d}"

    @property
    def audit_scope_path(self) -> str:
        return self.account.audit_scope_path


class VolunteerApplication(TimeStamped):
    """A resident's self-registration as a volunteer (志愿者注册申请), sent from a phone without
    an account. Community staff approve it (which registers the Volunteer and opens a
    volunteer account) or decline it with a reason. The phone is stored encrypted."""

    scope_path = "community"

    community = models.ForeignKey(
        "places.Place", verbose_name="所在社区/村", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    phone_enc = models.TextField("电话(密文)", editable=False)
    phone_index = models.CharField(max_length=64, editable=False, db_index=True)
    phone_masked = models.CharField("电话", max_length=20, editable=False)
    address = models.CharField("住址", max_length=100)
    skills = models.ManyToManyField("people.Skill", verbose_name="技能", blank=True)
    availability = models.JSONField("可服务时间", default=dict, blank=True)
    certificates = models.JSONField("证书", default=list, blank=True)
    motivation = models.CharField("自我介绍", max_length=300, blank=True)
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        "状态", max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decided_by = account_field("审核人", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name="注册的志愿者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.volunteerapplication"

    class Meta:
        db_table = "services_volunteerapplication"
        verbose_name = verbose_name_plural = "志愿者注册申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values),
                name="application_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"

    @property
    def audit_scope_path(self) -> str:
        return self.community.path


class Training(TimeStamped):
    """A training a volunteer attended (志愿者培训): theory or practice, with its hours. Training
    hours are a record of their own; they are not service hours and earn no points."""

    scope_path = "volunteer__person__place"

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name="志愿者",
        on_delete=models.PROTECT,
        related_name="trainings",
    )
    title = models.CharField("培训内容", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=TrainingKind.choices)
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    organiser = models.CharField("组织单位", max_length=100, blank=True)
    recorded_by = account_field("登记人")
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.training"

    class Meta:
        db_table = "services_training"
        verbose_name = verbose_name_plural = "培训记录"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TrainingKind.values), name="training_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=Decimal("0")) & models.Q(hours__lte=Decimal("200")),
                name="training_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_kind_display()} {self.hours}学时）"

    @property
    def audit_scope_path(self) -> str:
        return self.volunteer.person.place.path


class AvailabilityException(TimeStamped):
    """A date on which the weekly pattern does not hold: unavailable (whole day, or the given
    hours) or extra availability. Batch dispatch applies it on top of the weekly pattern."""

    scope_path = "volunteer__person__place"

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name="志愿者",
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
    )
    on = models.DateField("日期")
    kind = models.CharField("类型", max_length=12, choices=ExceptionKind.choices)
    start = models.TimeField("开始", null=True, blank=True)
    end = models.TimeField("结束", null=True, blank=True)
    note = models.CharField("说明", max_length=100, blank=True)
    recorded_by = account_field("登记人")
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.availabilityexception"

    class Meta:
        db_table = "services_availabilityexception"
        verbose_name = verbose_name_plural = "可服务时间例外"
        ordering = ["on", "start", "id"]
        indexes = [models.Index(fields=["volunteer", "on"], name="avail_exc_vol_on")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ExceptionKind.values), name="avail_exc_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(start__isnull=True, end__isnull=True)
                    | models.Q(start__isnull=False, end__isnull=False, start__lt=models.F("end"))
                ),
                name="avail_exc_hours_valid",
            ),
        ]

    def __str__(self) -> str:
        span = f"{self.start:%H:%M}-{self.end:%H:%M}" if self.start and self.end else "全天"
        return f"{self.on} {span} {self.get_kind_display()}"

    def covers(self, moment: dt.datetime) -> bool:
        if moment.date() != self.on:
            return False
        if self.start is None or self.end is None:
            return True
        return self.start <= moment.time() < self.end

    @property
    def audit_scope_path(self) -> str:
        return self.volunteer.person.place.path


class NoShow(TimeStamped):
    """A volunteer who claimed an order or signed up for an activity and did not come (爽约),
    recorded by staff. Counted on the volunteer's page and in the volunteer list."""

    scope_path = "volunteer__person__place"

    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="no_shows"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activity = models.CharField("活动", max_length=100, blank=True)
    happened_on = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = account_field("登记人")
    objects = ScopedQuerySet.as_manager()

    audit_object_type = "services.noshow"

    class Meta:
        db_table = "services_noshow"
        verbose_name = verbose_name_plural = "爽约记录"
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | ~models.Q(activity=""),
                name="no_show_for_case_or_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.happened_on} 爽约"

    @property
    def audit_scope_path(self) -> str:
        return self.volunteer.person.place.path
