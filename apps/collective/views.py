"""Pages of the village books: the villages, one village's books (statements, vouchers,
approvals, contracts), a contract's schedule and receipts, the county ranking, the Excel of
the statements; and the public 村务公开 page (no login) where a resident may ask a question."""

import datetime as dt
from io import BytesIO
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse as url_of
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, require
from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.core import media, throttle
from apps.core.net import client_ip
from apps.core.refusals import run_action

from . import actions, selectors
from .choices import ContractStatus, VoucherKind, VoucherStatus
from .exports import statements_workbook
from .forms import (
    LINES,
    ApprovalsForm,
    AssetForm,
    CloseForm,
    ContractForm,
    DecisionForm,
    HoldingForm,
    JobForm,
    LabourForm,
    MentoringForm,
    QuestionForm,
    ReceiptForm,
    ResourceForm,
    ReverseForm,
    TalentForm,
    VisitorsForm,
    VoucherForm,
)
from .models import Asset, Book, Contract, Instalment, Period, Resource, Talent, Voucher


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _viewer(request: HttpRequest) -> Any:
    require(request.user, Cap.COLLECTIVE_VIEW)
    return request.user


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    user = _viewer(request)
    year = _year(request)
    books = list(selectors.books_visible_to(user))
    if len(books) == 1 and not can(user, Cap.COLLECTIVE_CLOSE_PERIOD):
        return redirect("collective:book", books[0].pk)
    area = user.scope
    ranked = selectors.ranking(area, year) if area is not None else []
    return render(request, "collective/index.html", {"ranked": ranked, "year": year})


@login_required
def ranking(request: AuthedRequest) -> HttpResponse:
    user = _viewer(request)
    year = _year(request)
    ranked = selectors.ranking(user.scope, year) if user.scope is not None else []
    return render(
        request,
        "collective/ranking.html",
        {
            "ranked": ranked,
            "year": year,
            "bands": selectors.bands(user.scope, year) if user.scope else {},
        },
    )


def _book(request: HttpRequest, pk: int) -> Book:
    _viewer(request)
    return get_in_scope(selectors.books_visible_to(request.user), pk=pk)


def _book_page(request: AuthedRequest, book: Book, form: VoucherForm | None = None) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request)
    statement = selectors.income_statement(book, dt.date(year, 1, 1), dt.date(year, 12, 31))
    vouchers = list(selectors.vouchers_of(book)[:50])
    user = request.user
    pending = [
        v
        for v in vouchers
        if v.status == VoucherStatus.PENDING and book.steps_for(v.kind)[v.step] == user.role
    ]
    return render(
        request,
        "collective/book.html",
        {
            "book": book,
            "year": year,
            "sheet": selectors.balance_sheet(book, min(today, dt.date(year, 12, 31))),
            "statement": statement,
            "distribution": selectors.distribution(book, year),
            "vouchers": vouchers,
            "pending": pending,
            "contracts": selectors.contracts_of(book, today),
            "form": form
            or (
                VoucherForm(initial={"date": today})
                if can(user, Cap.COLLECTIVE_KEEP_BOOKS)
                else None
            ),
            "contract_form": ContractForm() if can(user, Cap.COLLECTIVE_KEEP_BOOKS) else None,
            "decision_form": DecisionForm(),
            "can_approve": can(user, Cap.COLLECTIVE_APPROVE),
            **_settings(user, book, today),
        },
        status=422 if form is not None else 200,
    )


def _settings(user: User, book: Book, today: dt.date) -> dict[str, Any]:
    """The book's settings for the 乡镇三资代理中心: the approval sequence of each voucher
    kind and the closing of a month (结账), with the months already closed."""
    out: dict[str, Any] = {
        "closed": Period.objects.filter(book=book).order_by("-year", "-month"),
        "sequence": [
            (label, " → ".join(Role(r).label for r in book.steps_for(kind)) or "无需审批")
            for kind, label in VoucherKind.choices
        ],
    }
    if can(user, Cap.COLLECTIVE_CONFIGURE, book.village):
        out["approvals_form"] = ApprovalsForm(current=book.approvals)
    if can(user, Cap.COLLECTIVE_CLOSE_PERIOD, book.village):
        last = today.replace(day=1) - dt.timedelta(days=1)
        out["close_form"] = CloseForm(initial={"year": last.year, "month": last.month})
    return out


@login_required
@require_POST
def approvals(request: AuthedRequest, pk: int) -> HttpResponse:
    """Set the approval sequence of each voucher kind (乡镇三资代理中心)."""
    the_book = _book(request, pk)
    back = redirect(f"{url_of('collective:book', args=[the_book.pk])}#settings")
    form = ApprovalsForm(request.POST, current=the_book.approvals)
    if not form.is_valid():
        messages.error(request, "审批顺序不在可选范围内")
        return back
    return run_action(
        request,
        lambda: actions.do_set_approvals(
            actor=request.user, book=the_book, approvals=form.approvals()
        ),
        done=lambda _: _said(request, "审批顺序已保存", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    """Close a month (结账); closing December carries the year forward."""
    the_book = _book(request, pk)
    back = redirect(f"{url_of('collective:book', args=[the_book.pk])}#settings")
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写要结账的年度和月份（1–12）")
        return back
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    return run_action(
        request,
        lambda: actions.do_close_period(actor=request.user, book=the_book, year=year, month=month),
        done=lambda _: _said(request, f"{year}年{month}月已结账", back),
        refused=lambda: back,
    )


@login_required
def book(request: AuthedRequest, pk: int) -> HttpResponse:
    return _book_page(request, _book(request, pk))


@login_required
@require_POST
def create_voucher(request: AuthedRequest, pk: int) -> HttpResponse:
    the_book = _book(request, pk)
    form = VoucherForm(request.POST, request.FILES)
    if not form.is_valid():
        return _book_page(request, the_book, form)
    d = form.cleaned_data
    lines = [
        actions.Line(
            d[f"account_{n}"],
            debit=d[f"debit_{n}"] or 0,
            credit=d[f"credit_{n}"] or 0,
            sub=d[f"sub_{n}"],
        )
        for n in range(1, LINES + 1)
        if d[f"account_{n}"]
    ]
    return run_action(
        request,
        lambda: actions.do_create_voucher(
            actor=request.user,
            book=the_book,
            kind=d["kind"],
            date=d["date"],
            summary=d["summary"],
            lines=lines,
            attachment=d.get("attachment"),
        ),
        done=lambda v: _said(
            request,
            f"凭证已提交：{v.get_status_display()}",
            redirect("collective:book", the_book.pk),
        ),
        refused=lambda: _book_page(request, the_book, form),
        form=form,
    )


def _said(request: HttpRequest, text: str, response: HttpResponse) -> HttpResponse:
    messages.success(request, text)
    return response


def _voucher(request: HttpRequest, pk: int) -> Voucher:
    _viewer(request)
    return get_in_scope(
        Voucher.objects.visible_to(request.user).select_related("book__village"), pk=pk
    )


@login_required
def voucher(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _voucher(request, pk)
    return render(
        request,
        "collective/voucher.html",
        {
            "voucher": v,
            "lines": v.lines.select_related("account"),
            "approvals": v.approvals.select_related("decided_by"),
            "reverse_form": ReverseForm(initial={"date": timezone.localdate()}),
            "decision_form": DecisionForm(),
            "can_submit": can(request.user, Cap.COLLECTIVE_KEEP_BOOKS),
        },
    )


@login_required
def attachment(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """The voucher's attachment (the original receipt), for those who may see the voucher
    (core.media.send_file: through nginx when configured, never from a bare folder)."""
    v = _voucher(request, pk)
    if not v.attachment:
        raise Http404("该凭证没有附件")
    return media.send_file(v.attachment)


@login_required
@require_POST
def submit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send a draft (an imported voucher) along the approval chain."""
    v = _voucher(request, pk)
    back = redirect("collective:voucher", v.pk)
    return run_action(
        request,
        lambda: actions.do_submit_voucher(actor=request.user, voucher=v),
        done=lambda r: _said(request, f"凭证已提交：{r.get_status_display()}", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _voucher(request, pk)
    form = DecisionForm(request.POST)
    back = redirect(
        (request.POST.get("back") == "book" and "collective:book") or "collective:voucher",
        v.book_id if request.POST.get("back") == "book" else v.pk,
    )
    if not form.is_valid():
        messages.error(request, "请选择同意或退回")
        return back
    return run_action(
        request,
        lambda: actions.do_decide(
            actor=request.user,
            voucher=v,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        ),
        done=lambda r: _said(request, f"已审批：{r.get_status_display()}", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _voucher(request, pk)
    form = ReverseForm(request.POST)
    back = redirect("collective:voucher", v.pk)
    if not form.is_valid():
        messages.error(request, "请填写冲销日期和原因")
        return back
    return run_action(
        request,
        lambda: actions.do_reverse_voucher(actor=request.user, voucher=v, **form.cleaned_data),
        done=lambda r: _said(request, "冲销凭证已提交", redirect("collective:voucher", r.pk)),
        refused=lambda: back,
    )


@login_required
@require_POST
def create_contract(request: AuthedRequest, pk: int) -> HttpResponse:
    the_book = _book(request, pk)
    form = ContractForm(request.POST)
    back = redirect("collective:book", the_book.pk)
    if not form.is_valid():
        messages.error(
            request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items())
        )
        return back
    d = form.cleaned_data
    return run_action(
        request,
        lambda: actions.do_create_contract(
            actor=request.user,
            book=the_book,
            kind=d["kind"],
            number=d["number"],
            title=d["title"],
            counterparty=d["counterparty"],
            counterparty_is_person=d["counterparty_is_person"],
            start=d["start"],
            end=d["end"],
            area_mu=d["area_mu"] or 0,
            rent_per_mu=d["rent_per_mu"] or 0,
            annual_amount=d["annual_amount"] or 0,
            frequency=d["frequency"],
            jobs=d["jobs"] or 0,
        ),
        done=lambda c: _said(
            request, f"合同 {c.number} 已登记", redirect("collective:contract", c.pk)
        ),
        refused=lambda: back,
    )


def _contract(request: HttpRequest, pk: int) -> Contract:
    _viewer(request)
    return get_in_scope(
        Contract.objects.visible_to(request.user).select_related("book__village"), pk=pk
    )


@login_required
def contract(request: AuthedRequest, pk: int) -> HttpResponse:
    c = _contract(request, pk)
    today = timezone.localdate()
    return render(
        request,
        "collective/contract.html",
        {
            "contract": c,
            "schedule": selectors.schedule_of(c, today),
            "vouchers": c.vouchers.order_by("date", "id"),
            "can_receive": can(request.user, Cap.COLLECTIVE_KEEP_BOOKS)
            and c.status == ContractStatus.ACTIVE,
            "today": today,
        },
    )


@login_required
@require_POST
def receive(request: AuthedRequest, pk: int) -> HttpResponse:
    c = _contract(request, pk)
    form = ReceiptForm(request.POST, request.FILES)
    back = redirect("collective:contract", c.pk)
    if not form.is_valid():
        messages.error(request, "请填写收款金额和日期")
        return back
    d = form.cleaned_data
    instalment = Instalment.objects.filter(contract=c, pk=d["instalment"]).first()
    if instalment is None:
        raise Http404("应收期次不存在")
    return run_action(
        request,
        lambda: actions.do_book_receipt(
            actor=request.user,
            instalment=instalment,
            amount=d["amount"],
            date=d["date"],
            via=d["via"],
            attachment=d.get("attachment"),
        ),
        done=lambda v: _said(request, f"收款凭证已提交：{v.get_status_display()}", back),
        refused=lambda: back,
    )


@login_required
def export(request: AuthedRequest, pk: int) -> HttpResponse:
    the_book = _book(request, pk)
    require(request.user, Cap.LEDGERS_EXPORT, unless=lambda: can(request.user, Cap.COLLECTIVE_VIEW))
    year = _year(request)
    out = BytesIO()
    statements_workbook(the_book, year, timezone.localdate()).save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="collective-{the_book.village.code}-{year}.xlsx"'
    )
    return response


# --- 村务公开 (public, no login) -----------------------------------------------------------


def _public_book(code: str) -> Book:
    the_book = (
        Book.objects.select_related("village").filter(village__code=code, public=True).first()
    )
    if the_book is None:
        raise Http404("该村未开放村务公开")
    return the_book


def public(
    request: HttpRequest, code: str, form: QuestionForm | None = None, status: int = 200
) -> HttpResponse:
    the_book = _public_book(code)
    year = _year(request)
    today = timezone.localdate()
    statement = selectors.income_statement(the_book, dt.date(year, 1, 1), dt.date(year, 12, 31))
    contracts = [
        c for c in selectors.contracts_of(the_book, today) if c.status == ContractStatus.ACTIVE
    ]
    return render(
        request,
        "collective/public.html",
        {
            "book": the_book,
            "year": year,
            "statement": statement,
            "months": selectors.monthly_summary(the_book, year),
            "contracts": contracts,
            "form": form or QuestionForm(initial={"form_token": QuestionForm.new_token()}),
        },
        status=status,
    )


def public_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of the village's public page, to print for the notice board (SVG); it holds
    the page's full address."""
    the_book = _public_book(code)
    address = request.build_absolute_uri(url_of("collective:public", args=[the_book.village.code]))
    out = BytesIO()
    segno.make(address, error="m", micro=False).save(
        out, kind="svg", scale=10, border=2, title=f"{the_book.village.name}村务公开"
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="cunwu-{the_book.village.code}.svg"'
    return response


@require_POST
def ask(request: HttpRequest, code: str) -> HttpResponse:
    the_book = _public_book(code)
    form = QuestionForm(request.POST)
    if not throttle.allow(client_ip(request)):
        messages.error(request, "提交太频繁，请稍后再试")
        return public(request, code, form, status=429)
    if not form.is_valid():
        return public(request, code, form, status=400)
    d = form.cleaned_data
    try:
        case = actions.do_ask_question(
            book=the_book,
            question=d["question"],
            name=d["name"],
            phone=d["phone"],
            token=d["form_token"],
        )
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        form.add_error(None, "；".join(exc.messages))
        return public(request, code, form, status=422)
    messages.success(request, f"已收到您的问题，编号 {case.number}，村里会尽快答复。")
    return redirect("portal:track", token=case.tracking_token)


REGISTER_FORMS: dict[str, type[forms.Form]] = {
    "resource": ResourceForm,
    "asset": AssetForm,
    "job": JobForm,
    "labour": LabourForm,
    "talent": TalentForm,
    "mentoring": MentoringForm,
    "visitors": VisitorsForm,
}
EDITABLE = {"resource": Resource, "asset": Asset}


def _register_form(what: str, book: Book, *args: Any, **kwargs: Any) -> forms.Form:
    cls = REGISTER_FORMS[what]
    if issubclass(cls, HoldingForm):
        return cls(*args, village=book.village, **kwargs)
    return cls(*args, **kwargs)


def _editing(request: HttpRequest, book: Book) -> tuple[str, Any] | None:
    """(“resource”|“asset”, the row) when the page is opened to edit one (`?edit=asset-12`)."""
    what, _, pk = request.GET.get("edit", "").partition("-")
    if what not in EDITABLE or not pk.isdigit():
        return None
    row = EDITABLE[what].objects.filter(book=book, pk=int(pk)).first()
    if row is None:
        raise Http404("没有这条记录")
    return what, row


def _initial(what: str, row: Any) -> dict[str, Any]:
    names = [*REGISTER_FORMS[what].base_fields, "place"]
    data = {n: getattr(row, n) for n in names if hasattr(row, n)}
    if what == "asset":
        data["value"] = row.value_yuan
    return data


@login_required
def registers(
    request: AuthedRequest,
    pk: int,
    bound: tuple[str, forms.Form, int | None] | None = None,
) -> HttpResponse:
    """The village's assets and resources (资产、资源) and its people-and-economy registers:
    jobs created, labour force by trade, 乡贤/致富能人 with their mentoring pairs, visitors; with
    the forms to add to each (and edit an asset or a resource) for those who keep the books."""
    the_book = _book(request, pk)
    keeper = can(request.user, Cap.COLLECTIVE_KEEP_BOOKS, the_book.village)
    forms_ = {}
    editing = None
    if keeper:
        forms_ = {what: _register_form(what, the_book) for what in REGISTER_FORMS}
        found = _editing(request, the_book)
        if found is not None:
            what, row = found
            forms_[what] = _register_form(what, the_book, initial=_initial(what, row))
            editing = (what, row.pk)
        if bound is not None:
            forms_[bound[0]] = bound[1]
            editing = (bound[0], bound[2]) if bound[2] else editing
    return render(
        request,
        "collective/registers.html",
        {
            "book": the_book,
            "resources": the_book.resource_set.select_related("place"),
            "assets": the_book.asset_set.select_related("place"),
            "jobs": the_book.job_set.all(),
            "labour": selectors.labour_force(the_book),
            "talents": the_book.talent_set.prefetch_related("mentees"),
            "visitors": the_book.visitorcount_set.order_by("month"),
            "forms": forms_,
            "editing": editing,
            "opened": {bound[0]: True} if bound else {},
            "keeper": keeper,
        },
        status=422 if bound is not None else 200,
    )


@login_required
@require_POST
def register(request: AuthedRequest, pk: int, what: str) -> HttpResponse:
    """Add a row to one register, or (with `id`) change an asset or a resource."""
    the_book = _book(request, pk)
    if what not in REGISTER_FORMS:
        raise Http404("没有这种登记")
    form = _register_form(what, the_book, request.POST)
    row_id = request.POST.get("id", "")
    row = None
    if row_id:
        if what not in EDITABLE or not row_id.isdigit():
            raise Http404("这种登记不能修改")
        row = get_in_scope(EDITABLE[what].objects.filter(book=the_book), pk=int(row_id))
    again = (what, form, row.pk if row else None)
    if not form.is_valid():
        return registers(request, pk, bound=again)
    d = dict(form.cleaned_data)
    back = redirect(f"{url_of('collective:registers', args=[the_book.pk])}#{what}")
    return run_action(
        request,
        lambda: _write_register(request.user, the_book, what, row, d),
        done=lambda _: _said(request, "已保存", back),
        refused=lambda: registers(request, pk, bound=again),
        form=form,
    )


def _write_register(actor: User, book: Book, what: str, row: Any, d: dict[str, Any]) -> Any:
    if what == "resource":
        if row is not None:
            return actions.do_update_resource(actor=actor, resource=row, **d)
        return actions.do_register_resource(actor=actor, book=book, **d)
    if what == "asset":
        if row is not None:
            return actions.do_update_asset(actor=actor, asset=row, **d)
        return actions.do_register_asset(actor=actor, book=book, **d)
    if what == "job":
        return actions.do_register_job(actor=actor, book=book, **d)
    if what == "labour":
        return actions.do_record_labour(actor=actor, book=book, **d)
    if what == "talent":
        return actions.do_register_talent(actor=actor, book=book, **d)
    if what == "mentoring":
        talent = get_in_scope(Talent.objects.filter(book=book), pk=d.pop("talent"))
        return actions.do_pair_mentee(actor=actor, talent=talent, **d)
    return actions.do_record_visitors(actor=actor, book=book, **d)
