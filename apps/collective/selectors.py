"""Reads of the village books: the statements (资产负债表, 收益表, 收益分配表) from posted
lines, one grouped query each; contracts with receipts and overdue flags; the county ranking
of collective operating income; the public summary. Lists start from `visible_to(user)`."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from apps.people.models import Person
from apps.places.models import Place, subtree_q

from .choices import (
    INCOME_LINES,
    OPERATING_LINES,
    AccountClass,
    ContractKind,
    ContractStatus,
    IncomeLine,
    VoucherStatus,
)
from .models import (
    Account,
    Book,
    Contract,
    Instalment,
    LabourSurvey,
    OpeningBalance,
    Voucher,
    VoucherLine,
    yuan,
)

CASH = ("101", "102")


def books_visible_to(user: Any) -> QuerySet[Book]:
    return Book.objects.visible_to(user).select_related("village")


def _posted(book_q: Q, date_from: dt.date | None, date_to: dt.date) -> QuerySet[VoucherLine]:
    q = book_q & Q(voucher__status=VoucherStatus.POSTED, voucher__date__lte=date_to)
    if date_from is not None:
        q &= Q(voucher__date__gte=date_from)
    return VoucherLine.objects.filter(q)


def net_by_account(book: Book, date_from: dt.date | None, date_to: dt.date) -> dict[str, int]:
    """Debit minus credit per account code (fen), over posted vouchers in the period."""
    rows = (
        _posted(Q(voucher__book=book), date_from, date_to)
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    codes = dict(Account.objects.values_list("pk", "code"))
    return {codes[r["account_id"]]: (r["d"] or 0) - (r["c"] or 0) for r in rows}


def balances_at(book: Book, date: dt.date) -> dict[str, int]:
    """Debit minus credit per account code (fen) at the end of `date`: the latest opening
    balances on or before it (written by the year-end carry-forward) plus the posted lines
    since; every posted line when no year has been carried forward yet."""
    year = (
        OpeningBalance.objects.filter(book=book, year__lte=date.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is None:
        return net_by_account(book, None, date)
    net = defaultdict(int, net_by_account(book, dt.date(year, 1, 1), date))
    for code, amount in OpeningBalance.objects.filter(book=book, year=year).values_list(
        "account__code", "amount"
    ):
        net[code] += amount
    return dict(net)


@dataclass
class Row:
    code: str
    name: str
    amount: Decimal

    @property
    def fen(self) -> int:
        return int(self.amount * 100)


@dataclass
class BalanceSheet:
    book: Book
    date: dt.date
    assets: list[Row] = field(default_factory=list)
    liabilities: list[Row] = field(default_factory=list)
    equity: list[Row] = field(default_factory=list)
    total_assets: Decimal = Decimal("0.00")
    total_liabilities: Decimal = Decimal("0.00")
    total_equity: Decimal = Decimal("0.00")

    @property
    def balances(self) -> bool:
        return self.total_assets == self.total_liabilities + self.total_equity


def chart() -> list[Account]:
    return list(Account.objects.order_by("code"))


def balance_sheet(book: Book, date: dt.date) -> BalanceSheet:
    """Balances at `date`: assets (and 生产成本) at debit minus credit, liabilities and equity
    at credit minus debit; this year's result not yet carried to 本年收益 is shown as
    "本年收益（未结转）", so the sheet balances before the year-end closing too. From the
    first year carried forward on, it starts from that year's opening balances."""
    net = balances_at(book, date)
    sheet = BalanceSheet(book, date)
    result = 0
    for account in chart():
        n = net.get(account.code, 0)
        if account.account_class in (AccountClass.ASSET, AccountClass.COST):
            if n or account.account_class == AccountClass.ASSET:
                sheet.assets.append(Row(account.code, account.name, yuan(n)))
        elif account.account_class == AccountClass.LIABILITY:
            sheet.liabilities.append(Row(account.code, account.name, yuan(-n)))
        elif account.account_class == AccountClass.EQUITY:
            sheet.equity.append(Row(account.code, account.name, yuan(-n)))
        else:
            result -= n
    sheet.equity.append(Row("", "本年收益（未结转）", yuan(result)))
    sheet.total_assets = sum((r.amount for r in sheet.assets), Decimal("0.00"))
    sheet.total_liabilities = sum((r.amount for r in sheet.liabilities), Decimal("0.00"))
    sheet.total_equity = sum((r.amount for r in sheet.equity), Decimal("0.00"))
    return sheet


@dataclass
class IncomeStatement:
    book: Book
    date_from: dt.date
    date_to: dt.date
    lines: dict[str, Decimal]  # IncomeLine value → amount (income and expenses positive)

    def _sum(self, *keys: str) -> Decimal:
        return sum((self.lines.get(k, Decimal("0.00")) for k in keys), Decimal("0.00"))

    @property
    def operating_result(self) -> Decimal:
        """经营收益 = 经营收入 + 投资收益 − 经营支出 − 税金及附加 − 管理费用."""
        return self._sum(IncomeLine.OPERATING_INCOME, IncomeLine.INVESTMENT_INCOME) - self._sum(
            IncomeLine.OPERATING_EXPENSE, IncomeLine.TAXES, IncomeLine.ADMIN_EXPENSE
        )

    @property
    def total_result(self) -> Decimal:
        """收益总额 = 经营收益 + 补助收入 + 其他收入 − 公益支出 − 其他支出."""
        return (
            self.operating_result
            + self._sum(IncomeLine.SUBSIDY_INCOME, IncomeLine.OTHER_INCOME)
            - self._sum(IncomeLine.PUBLIC_EXPENSE, IncomeLine.OTHER_EXPENSE)
        )

    @property
    def net_result(self) -> Decimal:
        """净收益 = 收益总额 − 所得税费用."""
        return self.total_result - self._sum(IncomeLine.INCOME_TAX)

    @property
    def operating_income(self) -> Decimal:
        """村集体经营性收入 = 经营收入 + 投资收益."""
        return self._sum(*OPERATING_LINES)

    @property
    def total_income(self) -> Decimal:
        return self._sum(*INCOME_LINES)

    def rows(self) -> list[tuple[str, Decimal, bool]]:
        """(label, amount, is a subtotal) in the order of the 收益表."""
        L = IncomeLine
        g = self.lines.get
        z = Decimal("0.00")
        return [
            ("一、经营收入", g(L.OPERATING_INCOME, z), False),
            ("　减：经营支出", g(L.OPERATING_EXPENSE, z), False),
            ("　　　税金及附加", g(L.TAXES, z), False),
            ("　　　管理费用", g(L.ADMIN_EXPENSE, z), False),
            ("　加：投资收益", g(L.INVESTMENT_INCOME, z), False),
            ("二、经营收益", self.operating_result, True),
            ("　加：补助收入", g(L.SUBSIDY_INCOME, z), False),
            ("　　　其他收入", g(L.OTHER_INCOME, z), False),
            ("　减：公益支出", g(L.PUBLIC_EXPENSE, z), False),
            ("　　　其他支出", g(L.OTHER_EXPENSE, z), False),
            ("三、收益总额", self.total_result, True),
            ("　减：所得税费用", g(L.INCOME_TAX, z), False),
            ("四、净收益", self.net_result, True),
        ]


def income_statement(book: Book, date_from: dt.date, date_to: dt.date) -> IncomeStatement:
    net = net_by_account(book, date_from, date_to)
    lines: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for account in Account.objects.filter(account_class=AccountClass.PROFIT_LOSS):
        n = net.get(account.code, 0)
        lines[account.income_line] += yuan(-n if not account.debit_normal else n)
    return IncomeStatement(book, date_from, date_to, dict(lines))


@dataclass
class Distribution:
    """收益分配表 of a year."""

    book: Book
    year: int
    net_result: Decimal
    opening_undistributed: Decimal
    items: list[tuple[str, Decimal]]

    @property
    def available(self) -> Decimal:
        return self.net_result + self.opening_undistributed

    @property
    def distributed(self) -> Decimal:
        return sum((a for _, a in self.items), Decimal("0.00"))

    @property
    def closing_undistributed(self) -> Decimal:
        return self.available - self.distributed


def distribution(book: Book, year: int) -> Distribution:
    """本年净收益 + 年初未分配收益 = 可分配收益; less the year's distributions (debits to
    322 收益分配, by their detail: 提取公积公益金, 向成员分配 …) = 年末未分配收益."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    before = net_by_account(book, None, start - dt.timedelta(days=1))
    opening = -(before.get("321", 0) + before.get("322", 0))
    # earlier years' unclosed profit and loss counts as undistributed too
    opening -= sum(n for code, n in before.items() if code.startswith("5"))
    items: dict[str, int] = defaultdict(int)
    for sub, d, c in _posted(Q(voucher__book=book, account__code="322"), start, end).values_list(
        "sub", "debit", "credit"
    ):
        items[sub or "其他"] += d - c
    statement = income_statement(book, start, end)
    return Distribution(
        book,
        year,
        statement.net_result,
        yuan(opening),
        [(k, yuan(v)) for k, v in sorted(items.items())],
    )


# --- county figures -------------------------------------------------------------------------


def income_by_book(
    area: Place, date_from: dt.date, date_to: dt.date, lines: tuple[str, ...] = OPERATING_LINES
) -> dict[int, int]:
    """Income (credit minus debit, fen) of the given 收益表 lines per book in `area`'s subtree:
    one grouped query."""
    rows = (
        _posted(subtree_q(area, "voucher__book__village"), date_from, date_to)
        .filter(account__income_line__in=lines)
        .values("voucher__book_id")
        .annotate(c=Coalesce(Sum("credit"), 0), d=Coalesce(Sum("debit"), 0))
    )
    return {r["voucher__book_id"]: r["c"] - r["d"] for r in rows}


@dataclass
class Ranked:
    book: Book
    operating_income: Decimal
    total_income: Decimal
    per_capita: Decimal | None
    rank: int = 0


def ranking(area: Place, year: int) -> list[Ranked]:
    """Every village of `area` by collective operating income for the year, highest first."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    books = list(Book.objects.filter(subtree_q(area, "village")).select_related("village"))
    operating = income_by_book(area, start, end)
    total = income_by_book(area, start, end, tuple(INCOME_LINES))
    out = [
        Ranked(
            b,
            yuan(operating.get(b.pk, 0)),
            yuan(total.get(b.pk, 0)),
            yuan(total.get(b.pk, 0) // b.members) if b.members else None,
        )
        for b in books
    ]
    out.sort(key=lambda r: (-r.operating_income, r.book.village.code))
    for n, r in enumerate(out, start=1):
        r.rank = n
    return out


THRESHOLDS = (50_000, 100_000, 500_000)


def bands(area: Place, year: int) -> dict[int, int]:
    """How many villages earn less than each threshold (yuan) of operating income."""
    rows = ranking(area, year)
    return {t: sum(1 for r in rows if r.operating_income < t) for t in THRESHOLDS}


# --- contracts ------------------------------------------------------------------------------


def received_by_instalment(instalments: list[int]) -> dict[int, int]:
    """Received (fen) per instalment: cash and bank lines of posted vouchers against it,
    reversals subtracting."""
    rows = (
        VoucherLine.objects.filter(
            voucher__instalment_id__in=instalments,
            voucher__status=VoucherStatus.POSTED,
            account__code__in=CASH,
        )
        .values("voucher__instalment_id")
        .annotate(d=Coalesce(Sum("debit"), 0), c=Coalesce(Sum("credit"), 0))
    )
    return {r["voucher__instalment_id"]: r["d"] - r["c"] for r in rows}


@dataclass
class Due:
    instalment: Instalment
    received: Decimal
    overdue: bool

    @property
    def amount(self) -> Decimal:
        return yuan(self.instalment.amount)

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received


def schedule_of(contract: Contract, today: dt.date) -> list[Due]:
    instalments = list(contract.instalments.all())
    received = received_by_instalment([i.pk for i in instalments])
    return [
        Due(i, yuan(received.get(i.pk, 0)), i.due < today and received.get(i.pk, 0) < i.amount)
        for i in instalments
    ]


def overdue_instalments(area_q: Q, today: dt.date) -> list[Instalment]:
    """Instalments of active contracts past due and not fully received."""
    candidates = list(
        Instalment.objects.filter(
            area_q, due__lt=today, contract__status=ContractStatus.ACTIVE
        ).select_related("contract__book__village")
    )
    received = received_by_instalment([i.pk for i in candidates])
    return [i for i in candidates if received.get(i.pk, 0) < i.amount]


def overdue_in(area: Place, today: dt.date) -> list[Instalment]:
    return overdue_instalments(subtree_q(area, "contract__book__village"), today)


def contracts_of(book: Book, today: dt.date) -> list[Contract]:
    contracts = list(Contract.objects.filter(book=book).prefetch_related("instalments"))
    ids = [i.pk for c in contracts for i in c.instalments.all()]
    received = received_by_instalment(ids)
    for c in contracts:
        items = list(c.instalments.all())
        c.overdue_count = sum(  # type: ignore[attr-defined]
            1 for i in items if i.due < today and received.get(i.pk, 0) < i.amount
        )
        c.received_total = yuan(sum(received.get(i.pk, 0) for i in items))  # type: ignore[attr-defined]
        c.expiring = c.status == ContractStatus.ACTIVE and c.end <= today + dt.timedelta(days=90)  # type: ignore[attr-defined]
    return contracts


def land_transferred_mu(area: Place, today: dt.date) -> Decimal:
    total = Contract.objects.filter(
        subtree_q(area, "book__village"),
        kind=ContractKind.LAND_TRANSFER,
        status=ContractStatus.ACTIVE,
        start__lte=today,
        end__gt=today,
    ).aggregate(s=Sum("area_mu"))["s"]
    return total or Decimal("0")


def expiring_contracts(area: Place, today: dt.date, days: int = 90) -> QuerySet[Contract]:
    return Contract.objects.filter(
        subtree_q(area, "book__village"),
        status=ContractStatus.ACTIVE,
        end__gte=today,
        end__lte=today + dt.timedelta(days=days),
    )


def monthly_summary(book: Book, year: int) -> list[dict[str, Any]]:
    """Per month of the year: receipts and payments (cash and bank movements) and the month's
    operating income — the 村务公开 table."""
    rows = (
        _posted(Q(voucher__book=book), dt.date(year, 1, 1), dt.date(year, 12, 31))
        .annotate(
            m=F("voucher__date__month"),
            cash_in=When_(
                When(account__code__in=CASH, then=F("debit")),
                default=Value(0),
                output_field=IntegerField(),
            ),
            cash_out=When_(
                When(account__code__in=CASH, then=F("credit")),
                default=Value(0),
                output_field=IntegerField(),
            ),
            op=When_(
                When(account__income_line__in=OPERATING_LINES, then=F("credit") - F("debit")),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values("m")
        .annotate(i=Sum("cash_in"), o=Sum("cash_out"), op_income=Sum("op"))
        .order_by("m")
    )
    return [
        {
            "month": r["m"],
            "in": yuan(r["i"]),
            "out": yuan(r["o"]),
            "operating": yuan(r["op_income"]),
        }
        for r in rows
    ]


def vouchers_of(book: Book) -> QuerySet[Voucher]:
    return Voucher.objects.filter(book=book).prefetch_related("lines__account")


REGISTRY = "居民台账"
SURVEY = "劳动力调查"


@dataclass(frozen=True)
class TradeFigure:
    """One trade of a village's labour force: what the residents registry holds, what the
    year's survey says, and the figure used with its source."""

    trade: str
    registered: int
    surveyed: int | None
    count: int
    source: str
    share: int = 0


@dataclass(frozen=True)
class LabourForce:
    survey_year: int | None
    trades: list[TradeFigure]
    total: int
    registered: int


def labour_force(book: Book) -> LabourForce:
    """The village's labour force by trade, from the residents registry where it holds the data
    plus the village's latest survey (劳动力调查).

    The registry figure is the number of residents in the register (在册) under the village
    whose 从业行业 is that trade (the name as written, spaces trimmed). Both count the same
    people, so they are never added: a trade's figure is the registry's when it holds at least
    as many as the survey (or the trade was not surveyed), else the survey's (the registry
    does not yet record everyone of that trade)."""
    registered = dict(
        Person.objects.filter(subtree_q(book.village), active=True)
        .exclude(trade="")
        .order_by()
        .values("trade")
        .annotate(n=Count("id"))
        .values_list("trade", "n")
    )
    year = (
        LabourSurvey.objects.filter(book=book).order_by("-year").values_list("year", flat=True)
    ).first()
    surveyed: dict[str, int] = {}
    if year is not None:
        surveyed = dict(
            LabourSurvey.objects.filter(book=book, year=year).values_list("trade", "count")
        )
    figures = []
    for trade in set(registered) | set(surveyed):
        held = registered.get(trade, 0)
        told = surveyed.get(trade)
        use_registry = told is None or held >= told
        figures.append(
            TradeFigure(
                trade=trade,
                registered=held,
                surveyed=told,
                count=held if use_registry else told or 0,
                source=REGISTRY if use_registry else SURVEY,
            )
        )
    total = sum(f.count for f in figures)
    figures = [
        replace(f, share=round(f.count * 100 / total) if total else 0)
        for f in sorted(figures, key=lambda f: (-f.count, f.trade))
    ]
    return LabourForce(year, figures, total, sum(registered.values()))
