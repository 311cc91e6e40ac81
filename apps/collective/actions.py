"""Every write of the village books: opening a book, vouchers (draft → approval chain →
posted), reversals, period closing; contracts with their schedules and the receipts booked
against them; assets, resources and the people-and-economy registers; a resident's question
from the 村务公开 page (a case, through the case engine). Each action is one transaction,
checks role and scope through the permission table and writes one audit event.

The database refuses an unbalanced posting whatever the path (migration 0003); the checks
here come first, to say in Chinese what is wrong and on which line."""

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.cases.actions import do_create_case
from apps.cases.choices import CaseKind, CaseSource
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import (
    AccountClass,
    ContractKind,
    ContractStatus,
    Decision,
    Frequency,
    VoucherKind,
    VoucherStatus,
)
from .models import (
    Account,
    Approval,
    Asset,
    Book,
    Contract,
    Instalment,
    Job,
    LabourSurvey,
    Mentoring,
    OpeningBalance,
    Period,
    Resource,
    Talent,
    VisitorCount,
    Voucher,
    VoucherLine,
    fen,
)

QUESTION_CATEGORY = "village-affairs"
CASH_ACCOUNTS = ("101", "102")
PREFIX = {VoucherKind.RECEIPT: "收", VoucherKind.PAYMENT: "付", VoucherKind.TRANSFER: "转"}


@dataclass(frozen=True)
class Line:
    """A line as typed: an account code, a detail, and an amount in yuan on one side."""

    account: str
    debit: Decimal | str | int = 0
    credit: Decimal | str | int = 0
    sub: str = ""


def _money(value: Any, where: str) -> int:
    try:
        amount = fen(value or 0)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{where}：金额“{value}”不是数字") from exc
    if amount < 0:
        raise ValidationError(f"{where}：金额不能为负数，冲销请用红字冲销凭证")
    return amount


# --- books ---------------------------------------------------------------------------------


@transaction.atomic
def do_open_book(
    *,
    actor: User,
    village: Place,
    organisation: str,
    members: int = 0,
    approvals: dict[str, list[str]] | None = None,
) -> Book:
    require(actor, Cap.COLLECTIVE_CONFIGURE, village, what="开设村集体账套")
    if village.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"village": "账套只能开设在村（社区）一级"})
    if Book.objects.filter(village=village).exists():
        raise ValidationError({"village": f"{village.name}已经开设了账套"})
    book = Book(village=village, organisation=organisation.strip(), members=members)
    if approvals is not None:
        book.approvals = _checked_approvals(approvals)
    book.save()
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=book, changes={"village": village.pk})
    return book


def _checked_approvals(approvals: dict[str, list[str]]) -> dict[str, list[str]]:
    allowed = {Role.VILLAGE_SUPERVISOR.value, Role.AGENCY_ACCOUNTANT.value}
    out: dict[str, list[str]] = {}
    for kind in VoucherKind.values:
        steps = [str(s) for s in approvals.get(kind, [])]
        bad = [s for s in steps if s not in allowed]
        if bad:
            raise ValidationError(
                {"approvals": f"{VoucherKind(kind).label}的审批角色“{bad[0]}”不能审批凭证"}
            )
        out[kind] = steps
    return out


@transaction.atomic
def do_set_approvals(*, actor: User, book: Book, approvals: dict[str, list[str]]) -> Book:
    require(actor, Cap.COLLECTIVE_CONFIGURE, book.village, what="设置审批顺序")
    before = book.approvals
    book.approvals = _checked_approvals(approvals)
    book.save(update_fields=["approvals", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=book,
        changes={"approvals": [before, book.approvals]},
    )
    return book


def _closed(book: Book, date: dt.date) -> bool:
    return Period.objects.filter(book=book, year=date.year, month=date.month).exists()


def _check_lines(lines: Sequence[Line]) -> list[tuple[Account, str, int, int]]:
    if len(lines) < 2:
        raise ValidationError({"lines": "一张凭证至少要有两条分录（借方和贷方）"})
    accounts = {a.code: a for a in Account.objects.filter(code__in=[x.account for x in lines])}
    out = []
    for n, line in enumerate(lines, start=1):
        where = f"第{n}行"
        account = accounts.get(str(line.account).strip())
        if account is None:
            raise ValidationError({"lines": f"{where}：科目编号“{line.account}”不在会计科目表中"})
        debit, credit = _money(line.debit, where), _money(line.credit, where)
        if (debit > 0) == (credit > 0):
            raise ValidationError({"lines": f"{where}：借方和贷方金额必须填一个且只填一个"})
        out.append((account, line.sub.strip()[:40], debit, credit))
    debits, credits = sum(x[2] for x in out), sum(x[3] for x in out)
    if debits != credits:
        raise ValidationError(
            {
                "lines": f"借贷不平衡：借方合计 {Decimal(debits) / 100:.2f} 元，"
                f"贷方合计 {Decimal(credits) / 100:.2f} 元，"
                f"相差 {Decimal(abs(debits - credits)) / 100:.2f} 元"
            }
        )
    return out


@transaction.atomic
def do_create_voucher(
    *,
    actor: User,
    book: Book,
    kind: str,
    date: dt.date,
    summary: str,
    lines: Sequence[Line],
    contract: Contract | None = None,
    instalment: Instalment | None = None,
    attachment: Any = None,
    reverses: Voucher | None = None,
) -> Voucher:
    """Write a voucher and send it along the book's approval chain for its kind (posted at
    once when the chain is empty)."""
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, book.village, what="填制凭证")
    if kind not in VoucherKind.values:
        raise ValidationError({"kind": "请选择凭证类型"})
    if not summary.strip():
        raise ValidationError({"summary": "请填写摘要"})
    if _closed(book, date):
        raise ValidationError({"date": f"{date:%Y年%m月}已经结账，不能再记账"})
    if contract is not None and contract.book_id != book.pk:
        raise ValidationError({"contract": "合同不属于该村"})
    if instalment is not None and instalment.contract_id != getattr(contract, "pk", None):
        raise ValidationError({"instalment": "应收期次不属于该合同"})
    checked = _check_lines(lines)
    voucher = Voucher.objects.create(
        book=book,
        kind=kind,
        date=date,
        summary=summary.strip()[:120],
        contract=contract,
        instalment=instalment,
        reverses=reverses,
        created_by=actor,
        **({"attachment": attachment} if attachment else {}),
    )
    VoucherLine.objects.bulk_create(
        VoucherLine(voucher=voucher, account=a, sub=sub, debit=d, credit=c)
        for a, sub, d, c in checked
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=voucher,
        changes={
            "kind": kind,
            "date": date,
            "lines": [[a.code, d, c] for a, _, d, c in checked],
            **({"reverses": reverses.pk} if reverses else {}),
        },
    )
    _submit(voucher)
    return voucher


@transaction.atomic
def do_submit_voucher(*, actor: User, voucher: Voucher) -> Voucher:
    """Send a draft (an imported voucher) along the book's approval chain; it is posted at once
    when the chain for its kind is empty. Its lines were checked when it was written."""
    voucher = Voucher.objects.select_for_update().select_related("book__village").get(pk=voucher.pk)
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, voucher.book.village, what="提交凭证")
    if voucher.status != VoucherStatus.DRAFT:
        raise ValidationError(f"凭证{voucher}不是草稿（{voucher.get_status_display()}），不能提交")
    if _closed(voucher.book, voucher.date):
        raise ValidationError({"date": f"{voucher.date:%Y年%m月}已经结账，不能再记账"})
    lines = voucher.lines.select_related("account")
    _check_lines(
        [
            Line(x.account.code, debit=Decimal(x.debit) / 100, credit=Decimal(x.credit) / 100)
            for x in lines
        ]
    )
    _submit(voucher)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=voucher,
        changes={"submitted": True, "status": voucher.status},
    )
    return voucher


def _submit(voucher: Voucher) -> None:
    if voucher.book.steps_for(voucher.kind):
        voucher.status = VoucherStatus.PENDING
        voucher.step = 0
        voucher.save(update_fields=["status", "step", "updated_at"])
    else:
        _post(voucher)


def _post(voucher: Voucher) -> None:
    if _closed(voucher.book, voucher.date):
        raise ValidationError({"date": f"{voucher.date:%Y年%m月}已经结账，不能再记账"})
    prefix = f"{PREFIX[VoucherKind(voucher.kind)]}{voucher.date.year}-"
    last = (
        Voucher.objects.select_for_update()
        .filter(book=voucher.book, number__startswith=prefix)
        .aggregate(m=Max("number"))["m"]
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    voucher.number = f"{prefix}{seq:04d}"
    voucher.status = VoucherStatus.POSTED
    voucher.posted_at = timezone.now()
    try:
        with transaction.atomic():
            voucher.save(update_fields=["number", "status", "posted_at", "updated_at"])
    except IntegrityError as exc:  # the database's own check (migration 0003)
        raise ValidationError({"lines": "借贷不平衡，数据库拒绝记账"}) from exc


@transaction.atomic
def do_decide(*, actor: User, voucher: Voucher, decision: str, note: str = "") -> Voucher:
    """One step of the approval chain: the role whose turn it is approves (the last approval
    posts the voucher) or sends it back."""
    voucher = Voucher.objects.select_for_update().select_related("book__village").get(pk=voucher.pk)
    require(actor, Cap.COLLECTIVE_APPROVE, voucher.book.village, what="审批凭证")
    if voucher.status != VoucherStatus.PENDING:
        raise ValidationError(f"凭证{voucher}不在审批中（{voucher.get_status_display()}）")
    steps = voucher.book.steps_for(voucher.kind)
    role = steps[voucher.step] if voucher.step < len(steps) else ""
    if actor.role != role:
        label = Role(role).label if role in Role.values else role
        raise PermissionDenied(f"这一步应由{label}审批")
    if decision not in Decision.values:
        raise ValidationError({"decision": "请选择同意或退回"})
    if decision == Decision.REJECTED and not note.strip():
        raise ValidationError({"note": "退回时请写明理由"})
    Approval.objects.create(
        voucher=voucher,
        step=voucher.step,
        role=role,
        decision=decision,
        note=note.strip()[:200],
        decided_by=actor,
        decided_at=timezone.now(),
    )
    if decision == Decision.REJECTED:
        voucher.status = VoucherStatus.REJECTED
        voucher.reverses = None  # the original may be reversed again
        voucher.save(update_fields=["status", "reverses", "updated_at"])
    else:
        voucher.step += 1
        voucher.save(update_fields=["step", "updated_at"])
        if voucher.step >= len(steps):
            _post(voucher)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=voucher,
        changes={"decision": decision, "step": voucher.step, "note": note[:200]},
    )
    return voucher


@transaction.atomic
def do_reverse_voucher(*, actor: User, voucher: Voucher, date: dt.date, reason: str) -> Voucher:
    """A posted voucher is never edited: a reversing voucher (红字冲销) with the same lines on
    the opposite sides undoes it, through the same approval chain."""
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status != VoucherStatus.POSTED:
        raise ValidationError("只有已记账的凭证需要冲销；未记账的凭证可以直接退回修改")
    if Voucher.objects.filter(reverses=voucher).exists():
        raise ValidationError(f"凭证{voucher.number}已经冲销过")
    if voucher.reverses_id is not None:
        raise ValidationError("冲销凭证不能再冲销，请重新填制正确的凭证")
    if not reason.strip():
        raise ValidationError({"reason": "请写明冲销原因"})
    lines = [
        Line(
            line.account.code,
            debit=Decimal(line.credit) / 100,
            credit=Decimal(line.debit) / 100,
            sub=line.sub,
        )
        for line in voucher.lines.select_related("account")
    ]
    return do_create_voucher(
        actor=actor,
        book=voucher.book,
        kind=voucher.kind,
        date=date,
        summary=f"冲销{voucher.number}：{reason.strip()}"[:120],
        lines=lines,
        contract=voucher.contract,
        instalment=voucher.instalment,
        reverses=voucher,
    )


@transaction.atomic
def do_close_period(*, actor: User, book: Book, year: int, month: int) -> Period:
    """Close a month (结账). Closing December closes the year: see `_carry_forward`."""
    require(actor, Cap.COLLECTIVE_CLOSE_PERIOD, book.village, what="结账")
    if not 1 <= month <= 12:
        raise ValidationError({"month": "月份应在 1 到 12 之间"})
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    if first > timezone.localdate():
        raise ValidationError({"month": "不能为尚未开始的月份结账"})
    if month == 12:
        first = dt.date(year, 1, 1)  # the whole year must be booked before it is carried
    waiting = Voucher.objects.filter(
        book=book,
        date__range=(first, last),
        status__in=[VoucherStatus.DRAFT, VoucherStatus.PENDING],
    ).count()
    if waiting:
        when = f"{year}年" if month == 12 else f"{year}年{month}月"
        raise ValidationError(f"{when}还有 {waiting} 张凭证未记账（草稿或审批中），请先处理")
    period, created = Period.objects.get_or_create(
        book=book,
        year=year,
        month=month,
        defaults={"closed_at": timezone.now(), "closed_by": actor},
    )
    if not created:
        raise ValidationError(f"{year}年{month}月已经结账")
    changes: dict[str, Any] = {"closed": f"{year}-{month:02d}"}
    if month == 12:
        changes.update(_carry_forward(actor, book, year))
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=book, changes=changes)
    return period


def _carry_forward(actor: User, book: Book, year: int) -> dict[str, Any]:
    """Year-end (年终结转), in the transaction closing December: the year's other open months
    are closed; the year's income and expense accounts are closed into 本年收益 (321) and that
    into 收益分配 (322, 未分配收益), where the year's distributions already stand; the result
    is written as the next year's opening balances (OpeningBalance), which the balance sheet
    of the next year starts from. No closing voucher is written: the year's income statement,
    collective income and ranking keep reading the year's own posted lines."""
    from .selectors import balances_at

    earlier = (
        Voucher.objects.filter(book=book, date__lt=dt.date(year, 1, 1))
        .exclude(status=VoucherStatus.REJECTED)
        .dates("date", "month")
    )
    closed = set(Period.objects.filter(book=book).values_list("year", "month"))
    unclosed = [d for d in earlier if (d.year, d.month) not in closed]
    if unclosed and not OpeningBalance.objects.filter(book=book, year=year).exists():
        raise ValidationError(f"请先结转{unclosed[0].year}年：{unclosed[0]:%Y年%m月}尚未结账")
    for month in range(1, 12):
        Period.objects.get_or_create(
            book=book,
            year=year,
            month=month,
            defaults={"closed_at": timezone.now(), "closed_by": actor},
        )
    net = balances_at(book, dt.date(year, 12, 31))
    kinds = dict(Account.objects.values_list("code", "account_class"))
    result = -sum(n for code, n in net.items() if kinds.get(code) == AccountClass.PROFIT_LOSS)
    opening: dict[str, int] = {}
    for code, amount in net.items():
        if kinds.get(code) == AccountClass.PROFIT_LOSS or code in ("321", "322"):
            continue
        opening[code] = amount
    # 本年收益 → 收益分配: what stood in 321 and 322 plus the year's result (credit side)
    opening["322"] = net.get("321", 0) + net.get("322", 0) - result
    accounts = dict(Account.objects.values_list("code", "id"))
    OpeningBalance.objects.bulk_create(
        OpeningBalance(book=book, year=year + 1, account_id=accounts[code], amount=amount)
        for code, amount in sorted(opening.items())
        if amount
    )
    return {"carried_forward": year + 1, "net_result": result, "undistributed": -opening["322"]}


# --- contracts ------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(
    start: dt.date, end: dt.date, annual: int, frequency: str
) -> list[tuple[dt.date, int]]:
    """The due dates and amounts (fen) of a contract: in advance, at the start of every
    `frequency` months of the term; a short last period pays its share of the year."""
    months = int(frequency)
    out: list[tuple[dt.date, int]] = []
    due = start
    while due < end:
        nxt = _add_months(due, months)
        amount = annual * months // 12 if nxt <= end else annual * (end - due).days // 365
        if amount > 0:
            out.append((due, amount))
        due = nxt
    return out


@transaction.atomic
def do_create_contract(
    *,
    actor: User,
    book: Book,
    kind: str,
    number: str,
    title: str,
    counterparty: str,
    start: dt.date,
    end: dt.date,
    counterparty_is_person: bool = False,
    area_mu: Decimal | str | int = 0,
    rent_per_mu: Decimal | str | int = 0,
    annual_amount: Decimal | str | int = 0,
    frequency: str = Frequency.YEARLY,
    jobs: int = 0,
    parcels: Iterable[Resource] = (),
) -> Contract:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, book.village, what="登记合同")
    errors: dict[str, str] = {}
    if kind not in ContractKind.values:
        errors["kind"] = "请选择合同类型"
    if not number.strip():
        errors["number"] = "请填写合同编号"
    elif Contract.objects.filter(book=book, number=number.strip()).exists():
        errors["number"] = f"合同编号“{number}”已经登记过"
    if not counterparty.strip():
        errors["counterparty"] = "请填写合同对方"
    if end <= start:
        errors["end"] = "终止日期应晚于起始日期"
    if frequency not in Frequency.values:
        errors["frequency"] = "请选择收款方式"
    try:
        area = Decimal(str(area_mu or 0))
    except InvalidOperation:
        area = Decimal(-1)
    if area < 0:
        errors["area_mu"] = "面积应为不小于 0 的数字（亩）"
    if errors:
        raise ValidationError(errors)
    rent = _money(rent_per_mu, "每亩每年租金")
    annual = _money(annual_amount, "每年应收")
    if kind == ContractKind.LAND_TRANSFER:
        if area <= 0 or rent <= 0:
            raise ValidationError({"area_mu": "土地流转合同请填写面积（亩）和每亩每年租金"})
        annual = land_rent(area, rent)
    parcels = list(parcels)
    if any(p.book_id != book.pk for p in parcels):
        raise ValidationError({"parcels": "地块不属于该村"})
    return save_contract(
        actor=actor,
        book=book,
        kind=kind,
        number=number.strip(),
        title=title.strip() or number.strip(),
        counterparty=counterparty.strip(),
        counterparty_is_person=counterparty_is_person,
        start=start,
        end=end,
        area_mu=area,
        rent_per_mu=rent,
        annual_amount=annual,
        frequency=frequency,
        jobs=jobs,
        parcels=parcels,
    )


def land_rent(area: Decimal, rent_per_mu: int) -> int:
    """The yearly amount (fen) of a land transfer: 亩 × rent per 亩 per year."""
    return int(area * rent_per_mu)


def save_contract(*, actor: User, parcels: Iterable[Resource] = (), **fields: Any) -> Contract:
    """Write a checked contract, its payment schedule (`schedule`) and its audit event; the
    form's action and the Excel import (imports.py) both end here. Call inside a transaction."""
    contract = Contract.objects.create(**fields)
    parcels = list(parcels)
    if parcels:
        contract.parcels.set(parcels)
    Instalment.objects.bulk_create(
        Instalment(contract=contract, due=due, amount=amount)
        for due, amount in schedule(
            contract.start, contract.end, contract.annual_amount, contract.frequency
        )
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=contract,
        changes={
            "kind": contract.kind,
            "term": [contract.start, contract.end],
            "annual": contract.annual_amount,
            "area_mu": str(contract.area_mu),
        },
    )
    return contract


@transaction.atomic
def do_end_contract(*, actor: User, contract: Contract, reason: str) -> Contract:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, contract.book.village, what="终止合同")
    if contract.status == ContractStatus.ENDED:
        raise ValidationError("合同已经终止")
    contract.status = ContractStatus.ENDED
    contract.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=contract, changes={"ended": reason})
    return contract


def income_account(contract: Contract) -> str:
    """Rent of a lease or land transfer is 经营收入; dividends on shares are 投资收益."""
    return "521" if contract.kind == ContractKind.SHARES else "501"


def do_book_receipt(
    *,
    actor: User,
    instalment: Instalment,
    amount: Decimal | str | int,
    date: dt.date,
    via: str = "102",
    summary: str = "",
    attachment: Any = None,
) -> Voucher:
    """A receipt against a contract's instalment: debit bank (or cash), credit the contract's
    income account; the voucher follows the book's chain for receipts."""
    contract = instalment.contract
    if via not in CASH_ACCOUNTS:
        raise ValidationError({"via": "收款科目应为库存现金（101）或银行存款（102）"})
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError("合同已经终止，不能再登记收款")
    value = _money(amount, "收款金额")
    if value <= 0:
        raise ValidationError({"amount": "请填写收款金额"})
    text = (
        summary.strip()
        or f"收{contract.counterparty}{contract.get_kind_display()}款"
        f"（{instalment.due:%Y-%m-%d}期）"
    )
    return do_create_voucher(
        actor=actor,
        book=contract.book,
        kind=VoucherKind.RECEIPT,
        date=date,
        summary=text,
        lines=[
            Line(via, debit=Decimal(value) / 100, sub=contract.number),
            Line(income_account(contract), credit=Decimal(value) / 100, sub=contract.number),
        ],
        contract=contract,
        instalment=instalment,
        attachment=attachment,
    )


# --- assets, resources and registers ------------------------------------------------------


def _registered(actor: User, obj: Any, what: str) -> Any:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, obj.book.village, what=what)
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=obj, changes={"what": what})
    return obj


def _check_where(book: Book, place: Place | None, lng: Any, lat: Any) -> None:
    """An asset's or resource's place lies in the village; a point has both coordinates."""
    if place is not None and not (
        place.pk == book.village_id or place.path.startswith(book.village.path)
    ):
        raise ValidationError({"place": f"所在地点应在{book.village.name}范围内"})
    if (lng is None) != (lat is None):
        raise ValidationError({"lat": "经度和纬度应同时填写"})
    if lng is not None and not (73 <= lng <= 136 and 3 <= lat <= 54):
        raise ValidationError({"lat": "经纬度不在中国境内，请检查是否填反"})


def _updated(actor: User, obj: Any, fields: dict[str, Any], what: str) -> Any:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, obj.book.village, what=what)
    changes = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [str(before), str(value)]
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=obj, changes={"what": what, **changes})
    return obj


@transaction.atomic
def do_register_resource(*, actor: User, book: Book, **fields: Any) -> Resource:
    _check_where(book, fields.get("place"), fields.get("lng"), fields.get("lat"))
    return _registered(actor, Resource(book=book, **fields), "登记资源")


@transaction.atomic
def do_update_resource(*, actor: User, resource: Resource, **fields: Any) -> Resource:
    resource = (
        Resource.objects.select_for_update().select_related("book__village").get(pk=resource.pk)
    )
    _check_where(resource.book, fields.get("place"), fields.get("lng"), fields.get("lat"))
    return _updated(actor, resource, fields, "修改资源")


@transaction.atomic
def do_register_asset(*, actor: User, book: Book, value: Any = 0, **fields: Any) -> Asset:
    _check_where(book, fields.get("place"), fields.get("lng"), fields.get("lat"))
    return _registered(actor, Asset(book=book, value=_money(value, "原值"), **fields), "登记资产")


@transaction.atomic
def do_update_asset(*, actor: User, asset: Asset, value: Any = 0, **fields: Any) -> Asset:
    asset = Asset.objects.select_for_update().select_related("book__village").get(pk=asset.pk)
    _check_where(asset.book, fields.get("place"), fields.get("lng"), fields.get("lat"))
    return _updated(actor, asset, {**fields, "value": _money(value, "原值")}, "修改资产")


@transaction.atomic
def do_register_job(*, actor: User, book: Book, **fields: Any) -> Job:
    return _registered(actor, Job(book=book, **fields), "登记带动就业")


@transaction.atomic
def do_record_labour(*, actor: User, book: Book, year: int, trade: str, count: int) -> LabourSurvey:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, book.village, what="登记劳动力调查")
    row, _ = LabourSurvey.objects.update_or_create(
        book=book, year=year, trade=trade.strip(), defaults={"count": count}
    )
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=book, changes={"labour": [year, trade, count]}
    )
    return row


@transaction.atomic
def do_register_talent(*, actor: User, book: Book, **fields: Any) -> Talent:
    return _registered(actor, Talent(book=book, **fields), "登记乡贤、致富能人")


@transaction.atomic
def do_pair_mentee(
    *, actor: User, talent: Talent, mentee: str, goal: str, since: dt.date
) -> Mentoring:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, talent.book.village, what="登记传帮带结对")
    pair = Mentoring(talent=talent, mentee=mentee.strip(), goal=goal.strip(), since=since)
    pair.full_clean()
    pair.save()
    audit.record(actor=actor, verb=AuditVerb.CREATE, obj=talent, changes={"mentee": mentee})
    return pair


@transaction.atomic
def do_record_visitors(
    *, actor: User, book: Book, month: dt.date, count: int, source: str
) -> VisitorCount:
    require(actor, Cap.COLLECTIVE_KEEP_BOOKS, book.village, what="登记游客人次")
    if not source.strip():
        raise ValidationError({"source": "请注明数据来源"})
    row, _ = VisitorCount.objects.update_or_create(
        book=book, month=month.replace(day=1), defaults={"count": count, "source": source.strip()}
    )
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=book, changes={"visitors": [month, count]})
    return row


# --- 村务公开: a resident's question ---------------------------------------------------------


def do_ask_question(*, book: Book, question: str, name: str, phone: str, token: str) -> Case:
    """A resident's question on the public page becomes a case of the village (村务公开咨询),
    filed by the case engine like any portal report; idempotent on the form's token."""
    if not book.public:
        raise PermissionDenied("该村未开放村务公开")
    if len(question.strip()) < 5:
        raise ValidationError({"question": "请把问题写清楚（至少 5 个字）"})
    category = Category.objects.get(code=QUESTION_CATEGORY)
    case, _ = do_create_case(
        actor=None,
        category=category,
        place=book.village,
        title=f"村务公开咨询：{question.strip()[:30]}",
        description=question.strip(),
        kind=CaseKind.NEED,
        source=CaseSource.PORTAL,
        reporter_name=name,
        reporter_phone=phone,
        idempotency_key=f"collective:{token}",
    )
    return case


# --- reminders (the task system) -----------------------------------------------------------

REMIND_DAYS = 7
EXPIRY_DAYS = 90


def _bookkeepers(book: Book) -> list[Any]:
    """The village's accountants and the town's agency: accounts whose scope holds the village."""
    from django.contrib.auth import get_user_model

    paths = book.village.ancestor_paths(include_self=True)
    return list(
        get_user_model().objects.filter(
            is_active=True,
            role__in=[Role.VILLAGE_ACCOUNTANT, Role.AGENCY_ACCOUNTANT],
            scope__path__in=paths,
        )
    )


def send_reminders(today: dt.date | None = None) -> int:
    """Rent due within a week (or overdue and unpaid) and contracts ending within 90 days:
    each told once, to the village's accountants and the town's agency, through notify()."""
    from apps.notifications.choices import NotificationKind
    from apps.notifications.services import notify

    from .selectors import received_by_instalment

    today = today or timezone.localdate()
    sent = 0
    due = list(
        Instalment.objects.filter(
            reminded_at__isnull=True,
            due__lte=today + dt.timedelta(days=REMIND_DAYS),
            contract__status=ContractStatus.ACTIVE,
        ).select_related("contract__book__village")
    )
    received = received_by_instalment([i.pk for i in due])
    for instalment in due:
        with transaction.atomic():
            if received.get(instalment.pk, 0) >= instalment.amount:
                Instalment.objects.filter(pk=instalment.pk).update(reminded_at=timezone.now())
                continue
            contract = instalment.contract
            late = instalment.due < today
            notify(
                _bookkeepers(contract.book),
                f"{'租金逾期未收' if late else '租金即将到期'}：{contract.title}",
                f"{contract.book.village.name} 合同 {contract.number}（{contract.counterparty}）"
                f"应于 {instalment.due:%Y-%m-%d} 收取 {Decimal(instalment.amount) / 100:.2f} 元",
                kind=NotificationKind.COLLECTIVE_DUE,
                url=f"/collective/contracts/{contract.pk}/",
                obj=contract,
            )
            Instalment.objects.filter(pk=instalment.pk).update(reminded_at=timezone.now())
            sent += 1
    ending = Contract.objects.filter(
        expiry_reminded_at__isnull=True,
        status=ContractStatus.ACTIVE,
        end__lte=today + dt.timedelta(days=EXPIRY_DAYS),
    ).select_related("book__village")
    for contract in ending:
        with transaction.atomic():
            notify(
                _bookkeepers(contract.book),
                f"合同即将到期：{contract.title}",
                f"{contract.book.village.name} 合同 {contract.number}（{contract.counterparty}）"
                f"于 {contract.end:%Y-%m-%d} 到期，请及时续签或收回",
                kind=NotificationKind.COLLECTIVE_DUE,
                url=f"/collective/contracts/{contract.pk}/",
                obj=contract,
            )
            Contract.objects.filter(pk=contract.pk).update(expiry_reminded_at=timezone.now())
            sent += 1
    return sent
