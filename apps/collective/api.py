"""/api/v1/collective: the county ranking, a village's balance sheet and income statement,
writing a voucher and deciding one. Handlers call selectors and actions only; refusals become
403/422 through the API's exception handlers (an unbalanced voucher is a 422 naming the
difference), objects outside the scope 404."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from apps.accounts.permissions import Cap, require
from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope

from . import actions, selectors
from .models import Voucher

router = Router(tags=["collective 村集体三资"])


class RankedOut(Schema):
    rank: int
    book_id: int
    village: str
    operating_income: Decimal
    total_income: Decimal
    per_capita: Decimal | None


class RowOut(Schema):
    code: str
    name: str
    amount: Decimal


class BalanceSheetOut(Schema):
    date: dt.date
    assets: list[RowOut]
    liabilities: list[RowOut]
    equity: list[RowOut]
    total_assets: Decimal
    total_liabilities: Decimal
    total_equity: Decimal
    balances: bool


class IncomeOut(Schema):
    date_from: dt.date
    date_to: dt.date
    operating_income: Decimal
    total_income: Decimal
    operating_result: Decimal
    net_result: Decimal


class LineIn(Schema):
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    sub: str = ""


class VoucherIn(Schema):
    kind: str
    date: dt.date
    summary: str
    lines: list[LineIn]


class VoucherDecisionIn(Schema):
    decision: str
    note: str = ""


class VoucherOut(Schema):
    id: int
    number: str
    kind: str
    date: dt.date
    summary: str
    status: str


def _voucher_out(v: Voucher) -> VoucherOut:
    return VoucherOut(
        id=v.pk, number=v.number, kind=v.kind, date=v.date, summary=v.summary, status=v.status
    )


def _book(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    require(request.user, Cap.COLLECTIVE_VIEW)
    return get_in_scope(selectors.books_visible_to(request.user), pk=pk)


@router.get("/ranking", response=list[RankedOut])
def ranking(
    request: AuthedRequest,
    year: int | None = Query(None, ge=1, le=9999),  # a calendar year
) -> list[RankedOut]:
    require(request.user, Cap.COLLECTIVE_VIEW)
    scope = getattr(request.user, "scope", None)
    if scope is None:
        return []
    rows = selectors.ranking(scope, year or timezone.localdate().year)
    return [
        RankedOut(
            rank=r.rank,
            book_id=r.book.pk,
            village=r.book.village.name,
            operating_income=r.operating_income,
            total_income=r.total_income,
            per_capita=r.per_capita,
        )
        for r in rows
    ]


@router.get("/books/{pk}/balance-sheet", response=BalanceSheetOut)
def balance_sheet(request: AuthedRequest, pk: int, date: dt.date | None = None) -> BalanceSheetOut:
    sheet = selectors.balance_sheet(_book(request, pk), date or timezone.localdate())
    rows = lambda part: [RowOut(code=r.code, name=r.name, amount=r.amount) for r in part]  # noqa: E731
    return BalanceSheetOut(
        date=sheet.date,
        assets=rows(sheet.assets),
        liabilities=rows(sheet.liabilities),
        equity=rows(sheet.equity),
        total_assets=sheet.total_assets,
        total_liabilities=sheet.total_liabilities,
        total_equity=sheet.total_equity,
        balances=sheet.balances,
    )


@router.get("/books/{pk}/income-statement", response=IncomeOut)
def income_statement(
    request: AuthedRequest, pk: int, date_from: dt.date, date_to: dt.date
) -> IncomeOut:
    s = selectors.income_statement(_book(request, pk), date_from, date_to)
    return IncomeOut(
        date_from=date_from,
        date_to=date_to,
        operating_income=s.operating_income,
        total_income=s.total_income,
        operating_result=s.operating_result,
        net_result=s.net_result,
    )


@router.post("/books/{pk}/vouchers", response={201: VoucherOut})
def create_voucher(request: AuthedRequest, pk: int, payload: VoucherIn) -> Status:
    voucher = actions.do_create_voucher(
        actor=request.user,
        book=_book(request, pk),
        kind=payload.kind,
        date=payload.date,
        summary=payload.summary,
        lines=[
            actions.Line(x.account, debit=x.debit, credit=x.credit, sub=x.sub)
            for x in payload.lines
        ],
    )
    return Status(201, _voucher_out(voucher))


@router.post("/vouchers/{pk}/decide", response=VoucherOut)
def decide(request: AuthedRequest, pk: int, payload: VoucherDecisionIn) -> VoucherOut:
    require(request.user, Cap.COLLECTIVE_VIEW)
    voucher = get_in_scope(Voucher.objects.visible_to(request.user), pk=pk)
    return _voucher_out(
        actions.do_decide(
            actor=request.user, voucher=voucher, decision=payload.decision, note=payload.note
        )
    )
