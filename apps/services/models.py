"""Volunteers' service hours, points ledgers and the redemption catalogue."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped

from .choices import HoursStatus, PointsKind


class ServiceHours(TimeStamped):
    """Hours a volunteer served on one order (a case) or one activity. Never deleted: a refusal
    is the state `declined`, kept with who decided and when. Only `approved` hours count toward
    the star level and earn points."""

    volunteer = models.ForeignKey(
        "people.Volunteer",
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
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
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

    volunteer = models.OneToOneField(
        "people.Volunteer",
        verbose_name="志愿者",
        on_delete=models.PROTECT,
        related_name="points_account",
    )
    balance = models.IntegerField("积分余额", default=0)

    class Meta:
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

    community = models.ForeignKey(
        "places.Place", verbose_name="所属社区", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=60)
    cost = models.PositiveIntegerField("所需积分")
    stock = models.IntegerField("库存", default=0)
    active = models.BooleanField("上架", default=True)

    class Meta:
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

    class Meta:
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
