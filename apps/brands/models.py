"""Demand surveys (需求调研) and their door-to-door records, service brands (服务品牌/项目)
with partners, volunteers and the 帮扶资金 ledger, and the orders attributed to a brand."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import FundKind


class SurveyCampaign(TimeStamped):
    """A demand survey (需求调研): a team going door to door in an area (a community, or a town
    for several communities) during a period. Its records roll up into the service list."""

    scope_path = "area"

    name = models.CharField("名称", max_length=80)
    area = models.ForeignKey(
        "places.Place", verbose_name="调研范围", on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    organiser = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="组织单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.CharField("调研队", max_length=100, blank=True, help_text="如 泊阳街道需求调研队")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "需求调研"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="survey_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.area.path


class SurveyRecord(TimeStamped):
    """One household's answers in one survey: who asked, when, how many live there, notes.
    One record per household and survey; recording the household again replaces its needs."""

    scope_path = "household"

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name="需求调研", on_delete=models.PROTECT, related_name="records"
    )
    household = models.ForeignKey(
        "places.Place", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调研人", on_delete=models.PROTECT, related_name="+"
    )
    surveyed_on = models.DateField("调研日期")
    notes = models.CharField("备注", max_length=300, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "入户调研记录"
        ordering = ["-surveyed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="survey_record_one_per_household"
            )
        ]
        indexes = [models.Index(fields=["household", "surveyed_on"], name="survey_rec_hh_idx")]

    def __str__(self) -> str:
        return f"{self.household} {self.surveyed_on}"

    @property
    def audit_scope_path(self) -> str:
        return self.household.path


class SurveyNeed(models.Model):
    """A need found in a household, by category of the case catalogue, with the number of
    people who have it. It may become a service order (`case`)."""

    scope_path = "record__household"

    record = models.ForeignKey(
        SurveyRecord, verbose_name="调研记录", on_delete=models.CASCADE, related_name="needs"
    )
    category = models.ForeignKey(
        "cases.Category", verbose_name="需求类别", on_delete=models.PROTECT, related_name="+"
    )
    persons = models.PositiveSmallIntegerField("人数", default=1)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="生成的点单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_need",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "调研需求"
        ordering = ["record_id", "category_id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "category"], name="survey_need_unique"),
            models.CheckConstraint(condition=models.Q(persons__gte=1), name="survey_need_persons"),
        ]

    def __str__(self) -> str:
        return f"{self.category}（{self.persons}人）"

    @property
    def audit_scope_path(self) -> str:
        return self.record.household.path


class Brand(TimeStamped):
    """A service brand or project (暖巢行动, 童心港湾 …): who it serves (care tags), where
    (communities), which needs it answers (categories), with whom (partners, volunteers) and
    its 帮扶资金. `area` is the community or town that runs it: its staff manage the brand.

    The fund totals are kept on this row, which every ledger write locks; balance = received −
    spent. Only an advance (垫付) may take the balance below zero (checked by the actions), and
    the database refuses a balance below minus the recorded advances as a second guard."""

    scope_path = "area"

    name = models.CharField("名称", max_length=60)
    area = models.ForeignKey(
        "places.Place", verbose_name="主办单位", on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField("简介", max_length=300, blank=True)
    started_on = models.DateField("启动日期", null=True, blank=True)
    active = models.BooleanField("运行中", default=True)
    target_tags = models.ManyToManyField(
        "people.CareTag", verbose_name="服务对象", blank=True, related_name="+"
    )
    communities = models.ManyToManyField(
        "places.Place", verbose_name="服务社区", blank=True, related_name="brands"
    )
    categories = models.ManyToManyField(
        "cases.Category", verbose_name="承接的服务", blank=True, related_name="brands"
    )
    partners = models.ManyToManyField(
        "orgs.Organisation", verbose_name="共建单位", blank=True, related_name="brands"
    )
    volunteers = models.ManyToManyField(
        "volunteers.Volunteer", verbose_name="志愿者", blank=True, related_name="brands"
    )
    funds_received = models.DecimalField("资金收入", max_digits=14, decimal_places=2, default=0)
    funds_spent = models.DecimalField("资金支出", max_digits=14, decimal_places=2, default=0)
    funds_advanced = models.DecimalField("垫付", max_digits=14, decimal_places=2, default=0)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "服务品牌"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="brand_name_per_area"),
            models.CheckConstraint(
                condition=models.Q(
                    funds_received__gte=models.F("funds_spent") - models.F("funds_advanced")
                ),
                name="brand_funds_covered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.area.path

    @property
    def balance(self) -> Decimal:
        return Decimal(self.funds_received) - Decimal(self.funds_spent)


class FundEntry(models.Model):
    """One append-only line of a brand's 帮扶资金 ledger. `amount` is signed: receipts +,
    expenses and advances −, a reversal the opposite of the line it undoes (`reverses`, at
    most once). Lines are never edited or deleted: a mistake is corrected by its reversal."""

    scope_path = "brand__area"

    brand = models.ForeignKey(
        Brand, verbose_name="服务品牌", on_delete=models.PROTECT, related_name="fund_entries"
    )
    kind = models.CharField("类型", max_length=10, choices=FundKind.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    occurred_on = models.DateField("日期")
    purpose = models.CharField("来源/用途", max_length=200)
    voucher = models.CharField("凭证号", max_length=60, blank=True)
    source = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="出资单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶资金明细"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="received", amount__gt=0, reverses__isnull=True)
                    | models.Q(kind__in=["spent", "advance"], amount__lt=0, reverses__isnull=True)
                    | models.Q(kind="reversal", reverses__isnull=False)
                ),
                name="fund_entry_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("帮扶资金明细只能新增，更正请登记冲正")
        super().save(*args, **kwargs)

    @property
    def audit_scope_path(self) -> str:
        return self.brand.audit_scope_path


class BrandOrder(models.Model):
    """An order (a case) answered through a brand. A case belongs to at most one brand, so its
    person-times are counted once."""

    scope_path = "case__place"

    brand = models.ForeignKey(
        Brand, verbose_name="服务品牌", on_delete=models.PROTECT, related_name="orders"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name="工单", on_delete=models.PROTECT, related_name="brand_order"
    )
    attributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="归入人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attributed_at = models.DateTimeField("归入时间", auto_now_add=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "品牌工单"
        ordering = ["-attributed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.brand} · 工单 #{self.case_id}"

    @property
    def audit_scope_path(self) -> str:
        return self.case.place.path
