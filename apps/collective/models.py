"""The village's 三资 books: one chart of accounts (2023), one book per village, vouchers with
lines, approvals, closed periods; contracts with their payment schedule; assets and resources;
the people-and-economy registers.

Money is stored in fen (分) as integers, so a voucher balances exactly on both engines (SQLite
has no exact decimal sum). The database itself refuses an unbalanced posted voucher, lines of a
posted voucher, and a posted voucher changed or deleted: triggers in migration 0003 (ADR 0027).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from apps.core.media import random_name
from apps.core.models import TimeStamped
from apps.places.scope import AuditAreaFromScope, ScopedQuerySet

from .choices import (
    AccountClass,
    AssetKind,
    ContractKind,
    ContractStatus,
    Decision,
    Frequency,
    IncomeLine,
    ResourceKind,
    ResourceUse,
    TalentKind,
    VoucherKind,
    VoucherStatus,
)


def yuan(fen: int | None) -> Decimal:
    """Fen as yuan with two decimals."""
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


class InVillage(AuditAreaFromScope):
    """A row of a village's books: its audit area is the village's path, followed from its
    `scope_path` (a relation path ending on the village) by places.scope.area_path."""

    scope_path: str


class Account(models.Model):
    """One account of the chart (会计科目), shared by every village's book."""

    code = models.CharField("科目编号", max_length=10, unique=True)
    name = models.CharField("科目名称", max_length=30)
    account_class = models.CharField("类别", max_length=12, choices=AccountClass.choices)
    debit_normal = models.BooleanField("借方余额", default=True)
    income_line = models.CharField(
        "收益表项目", max_length=20, choices=IncomeLine.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = verbose_name_plural = "会计科目"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def default_approvals() -> dict[str, list[str]]:
    """Who approves which kind of voucher before it is booked, in order (configurable per book)."""
    return {
        VoucherKind.PAYMENT: ["village_supervisor", "agency_accountant"],
        VoucherKind.RECEIPT: ["village_supervisor"],
        VoucherKind.TRANSFER: ["agency_accountant"],
    }


class Book(TimeStamped):
    """The books (账套) of one village's collective economic organisation."""

    scope_path = "village"

    village = models.OneToOneField(
        "places.Place", verbose_name="村", on_delete=models.PROTECT, related_name="collective_book"
    )
    organisation = models.CharField("集体经济组织名称", max_length=80)
    members = models.PositiveIntegerField("集体经济组织成员数", default=0)
    approvals = models.JSONField("审批顺序", default=default_approvals)
    public = models.BooleanField("村务公开", default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "村集体账套"

    def __str__(self) -> str:
        return self.organisation

    @property
    def audit_scope_path(self) -> str:
        return self.village.path

    def steps_for(self, kind: str) -> list[str]:
        return list((self.approvals or {}).get(kind, []))


class Period(InVillage, models.Model):
    """A month of a book, once closed (结账): no voucher is booked into it any more."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    closed_at = models.DateTimeField("结账时间")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="结账人", on_delete=models.PROTECT, related_name="+"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "已结账期间"
        constraints = [
            models.UniqueConstraint(fields=["book", "year", "month"], name="collective_period_once")
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.year}年{self.month}月"


class OpeningBalance(InVillage, models.Model):
    """A book's balance of one account on 1 January of a year (年初余额, debit minus credit in
    fen), written when the year before is closed (do_close_period of December): balance-sheet
    accounts carried as they stood, the year's result moved through 本年收益 into 收益分配
    (未分配收益), profit-and-loss accounts starting again at nothing."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField("年度")
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT)
    amount = models.BigIntegerField("年初余额（借方为正，分）")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "年初余额"
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "account"], name="collective_opening_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.book_id} {self.year} {self.account_id} {self.amount}"


def attachment_path(instance: Any, filename: str) -> str:
    """A random, unguessable name (apps.core.media); the file is sent only by the voucher's
    own page (`/collective/vouchers/<id>/attachment/`), to those who can see the voucher."""
    return random_name("collective", filename)


class Voucher(TimeStamped):
    """A 记账凭证. Lines are written while it is a draft; it is booked (posted) by a status
    change the database refuses unless its lines balance; a posted voucher never changes —
    an error is undone by a reversing voucher (红字冲销)."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    number = models.CharField("凭证号", max_length=20, blank=True)
    kind = models.CharField("凭证类型", max_length=10, choices=VoucherKind.choices)
    date = models.DateField("记账日期")
    summary = models.CharField("摘要", max_length=120)
    status = models.CharField(
        "状态", max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.DRAFT
    )
    step = models.PositiveSmallIntegerField("审批进度", default=0)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲销的凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    contract = models.ForeignKey(
        "Contract",
        verbose_name="合同",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    instalment = models.ForeignKey(
        "Instalment",
        verbose_name="应收期次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    attachment = models.FileField("附件（原始单据）", upload_to=attachment_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制单人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_at = models.DateTimeField("记账时间", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "记账凭证"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["book", "status", "date"], name="collective_voucher_books")]

    def __str__(self) -> str:
        return f"{self.number or '草稿'} {self.summary}"

    @property
    def audit_scope_path(self) -> str:
        return self.book.village.path

    @property
    def total(self) -> Decimal:
        return yuan(sum(line.debit for line in self.lines.all()))


class VoucherLine(models.Model):
    """One line (分录): an amount in fen on the debit or the credit side of one account."""

    voucher = models.ForeignKey(
        Voucher, verbose_name="凭证", on_delete=models.CASCADE, related_name="lines"
    )
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT)
    sub = models.CharField("明细", max_length=40, blank=True)
    debit = models.BigIntegerField("借方金额（分）", default=0)
    credit = models.BigIntegerField("贷方金额（分）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "凭证分录"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(debit__gt=0, credit=0) | models.Q(debit=0, credit__gt=0)),
                name="collective_line_one_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} 借{self.debit} 贷{self.credit}"


class Approval(models.Model):
    """One decision of the approval chain (村务监督委员会 → 乡镇三资代理中心 …)."""

    voucher = models.ForeignKey(
        Voucher, verbose_name="凭证", on_delete=models.CASCADE, related_name="approvals"
    )
    step = models.PositiveSmallIntegerField("第几步")
    role = models.CharField("审批角色", max_length=30)
    decision = models.CharField("意见", max_length=10, choices=Decision.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间")

    class Meta:
        verbose_name = verbose_name_plural = "凭证审批"
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.decision}"


class Holding(InVillage, TimeStamped):
    """What an asset and a resource share: the book, where it lies (坐落), the place it is
    tied to on the place map and its point."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    location = models.CharField("坐落", max_length=100, blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name="所在地点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Resource(Holding):
    """A resource of the collective (资源): a parcel of land, forest or water, in 亩."""

    kind = models.CharField("类别", max_length=15, choices=ResourceKind.choices)
    name = models.CharField("名称/地块编号", max_length=60)
    area_mu = models.DecimalField("面积（亩）", max_digits=10, decimal_places=2)
    use = models.CharField("利用状况", max_length=12, choices=ResourceUse.choices)

    class Meta:
        verbose_name = verbose_name_plural = "资源"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.area_mu}亩）"


class Asset(Holding):
    """An asset of the collective (资产): a building, equipment, shares in an enterprise."""

    kind = models.CharField("类别", max_length=12, choices=AssetKind.choices)
    name = models.CharField("名称", max_length=80)
    value = models.BigIntegerField("原值（分）", default=0)
    acquired = models.DateField("取得日期", null=True, blank=True)
    share_percent = models.DecimalField(
        "持股比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "资产"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def value_yuan(self) -> Decimal:
        return yuan(self.value)


class Contract(TimeStamped):
    """A contract of the collective: a lease, a land transfer (流转) or enterprise shares."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    kind = models.CharField("合同类型", max_length=15, choices=ContractKind.choices)
    number = models.CharField("合同编号", max_length=40)
    title = models.CharField("标的", max_length=100)
    counterparty = models.CharField("对方", max_length=80)
    counterparty_is_person = models.BooleanField(
        "对方是自然人", default=False, help_text="自然人的姓名在村务公开中只显示姓氏"
    )
    start = models.DateField("起始日期")
    end = models.DateField("终止日期")
    area_mu = models.DecimalField("面积（亩）", max_digits=10, decimal_places=2, default=0)
    rent_per_mu = models.BigIntegerField("每亩每年租金（分）", default=0)
    annual_amount = models.BigIntegerField("每年应收（分）", default=0)
    frequency = models.CharField(
        "收款方式", max_length=2, choices=Frequency.choices, default=Frequency.YEARLY
    )
    jobs = models.PositiveIntegerField("带动就业（人）", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    parcels = models.ManyToManyField(Resource, verbose_name="地块", blank=True)
    expiry_reminded_at = models.DateTimeField("已提醒到期", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "合同"
        ordering = ["end", "number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="collective_contract_number"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="collective_contract_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def audit_scope_path(self) -> str:
        return self.book.village.path

    @property
    def public_counterparty(self) -> str:
        """The name the 村务公开 page shows: an enterprise in full, a person by surname only."""
        if not self.counterparty_is_person:
            return self.counterparty
        return f"{self.counterparty[:1]}某某" if self.counterparty else ""


class Instalment(models.Model):
    """One due payment of a contract's schedule (应收期次)."""

    contract = models.ForeignKey(
        Contract, verbose_name="合同", on_delete=models.CASCADE, related_name="instalments"
    )
    due = models.DateField("应收日期")
    amount = models.BigIntegerField("应收金额（分）")
    reminded_at = models.DateTimeField("已提醒", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "合同应收期次"
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due}"


class Job(InVillage, TimeStamped):
    """Jobs created (带动就业): by which enterprise or project (who), where the work is, how
    many, from when."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    employer = models.CharField("用工单位/项目", max_length=80)
    trade = models.CharField("行业", max_length=30)
    count = models.PositiveIntegerField("人数")
    since = models.DateField("起始日期")
    location = models.CharField("用工地点", max_length=80, blank=True)
    contract = models.ForeignKey(
        Contract, verbose_name="合同", null=True, blank=True, on_delete=models.SET_NULL
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "带动就业"
        ordering = ["-since"]


class LabourSurvey(InVillage, models.Model):
    """Labour force by trade (劳动力调查): one row per village, year and trade."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    trade = models.CharField("行业", max_length=30)
    count = models.PositiveIntegerField("人数")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "劳动力调查"
        constraints = [
            models.UniqueConstraint(fields=["book", "year", "trade"], name="collective_labour_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.trade} {self.count}"


class Talent(InVillage, TimeStamped):
    """A 乡贤 or 致富能人 of the village."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    kind = models.CharField("类别", max_length=10, choices=TalentKind.choices)
    name = models.CharField("姓名", max_length=30)
    field = models.CharField("专长/产业", max_length=60)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "乡贤和致富能人"

    def __str__(self) -> str:
        return self.name


class Mentoring(InVillage, models.Model):
    """A 传帮带 pair: a talent mentoring a villager."""

    scope_path = "talent__book__village"

    talent = models.ForeignKey(
        Talent, verbose_name="带头人", on_delete=models.CASCADE, related_name="mentees"
    )
    mentee = models.CharField("帮带对象", max_length=30)
    goal = models.CharField("帮带内容", max_length=100)
    since = models.DateField("起始日期")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "传帮带结对"

    def __str__(self) -> str:
        return f"{self.talent_id} → {self.mentee}"


class VisitorCount(InVillage, models.Model):
    """Visitors of a village with tourism, per month, with the figure's source."""

    scope_path = "book__village"

    book = models.ForeignKey(Book, verbose_name="账套", on_delete=models.PROTECT)
    month = models.DateField("月份")
    count = models.PositiveIntegerField("游客人次")
    source = models.CharField("数据来源", max_length=60)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "游客人次"
        constraints = [
            models.UniqueConstraint(fields=["book", "month"], name="collective_visitors_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.count}"


def fen(value: Any) -> int:
    """Yuan (a Decimal, a number or text) as whole fen."""
    return int((Decimal(str(value)) * 100).quantize(Decimal("1")))
