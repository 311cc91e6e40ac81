"""Case pages: the staff inbox, a case with its timeline and buttons, intake, dispatch with
suggestions, a handler's orders on a phone, revisits, hot issues and the KPIs of the user's
scope (every figure a link to the cases behind it)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.actions import client_ip
from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import place_visible
from apps.core.paging import query_without_page
from apps.core.redirects import redirect_next
from apps.core.refusals import REFUSED_STATUS, form_error_text, run_action, take_refusal
from apps.people.actions import do_reveal_person
from apps.people.choices import RevealField

from . import rules, selectors, worklist
from .actions import do_record_revisit, do_reveal_reporter_phone, do_transition
from .choices import Action, Status
from .errors import CaseError
from .filters import CaseFilter, kpi_query
from .forms import CaseForm, HotForm, PeriodForm, RevisitForm, TransitionForm
from .images import do_add_attachment, do_create_case_with_photos
from .measures import Measure

PAGE_SIZE = 30
DEFAULT_QUEUE = {"todo": "on"}


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    """The inbox. Without criteria it is the user's work queue (待我处理: what needs an action
    from the user's unit, overdue first, then the nearest deadline) under today's figures;
    every row says who owns the case and what the viewer may do."""
    default = not request.GET
    filters = CaseFilter(DEFAULT_QUEUE if default else request.GET, user=request.user)
    page = Paginator(selectors.case_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (case, worklist.viewer_part(case, request.user, selectors.case_buttons(case, request.user)))
        for case in page
    ]
    return render(
        request,
        "cases/list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query_without_page(request) or ("todo=on" if default else ""),
            "figures": worklist.today_figures(selectors.visible_cases(request.user), request.user),
            "queue": "todo" if filters.data.get("todo") else filters.data.get("status", ""),
        },
    )


def _panel_context(request: HttpRequest, case: Any, error: str = "") -> dict[str, Any]:
    buttons = selectors.case_buttons(case, request.user)
    return {
        "case": case,
        "events": selectors.case_events(case),
        "buttons": [Action(b) for b in buttons],
        "viewer": worklist.viewer_part(case, request.user, buttons),
        "form": TransitionForm(case=case) if buttons else None,
        "may_merge": Action.MERGE in buttons,
        "duplicates": selectors.possible_duplicates(request.user, case) if case.is_open else [],
        "error": error,
        "location": selectors.case_location(case),
        "may_reveal_phone": bool(case.reporter_phone_masked)
        and rules.may_reveal_reporter(request.user, case),
    }


@login_required
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.access_case_for_user(request.user, pk)
    return render(request, "cases/detail.html", _panel_context(request, case))


@login_required
@require_POST
def case_transition(request: AuthedRequest, pk: int) -> HttpResponse:
    """Perform one button's action; htmx gets the refreshed panel, others a redirect."""
    case = selectors.access_case_for_user(request.user, pk)
    action = request.POST.get("action", "")
    form = TransitionForm(request.POST, request.FILES, case=case)
    htmx = bool(request.headers.get("HX-Request"))
    # Back to "my orders" when pressed there.
    back = redirect_next(request, reverse("cases:detail", args=[pk]))

    def panel(error: str = "", status: int = 200) -> HttpResponse:
        fresh = selectors.access_case_for_user(request.user, pk)
        context = _panel_context(request, fresh, error)
        return render(request, "cases/_panel.html", context, status=status)

    if not form.is_valid():
        if htmx:
            return panel(form_error_text(form), REFUSED_STATUS)
        messages.error(request, form_error_text(form))
        return back

    def transition() -> None:
        with transaction.atomic():
            done = do_transition(
                case,
                action,
                actor=request.user,
                note=form.cleaned_data["note"],
                data=form.action_data(),
            )
            if form.cleaned_data.get("photo"):
                event = done.events.order_by("-id").first()
                do_add_attachment(done, form.cleaned_data["photo"], actor=request.user, event=event)

    def done(_: object) -> HttpResponse:
        if htmx:
            return panel()
        messages.success(request, f"已{Action(action).label}")
        return back

    return run_action(
        request,
        transition,
        done=done,
        # htmx swaps only the panel: the refusal is shown inside it, not on the next page.
        refused=lambda: panel(take_refusal(request)) if htmx else back,
    )


@login_required
@require_POST
def case_reveal_phone(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reporter's full phone with a tel: link, for the case's handler or dispatcher
    (audited); htmx gets the number in place, others the case page with it."""
    case = selectors.access_case_for_user(request.user, pk)

    def done(phone: str) -> HttpResponse:
        if request.headers.get("HX-Request"):
            return render(request, "cases/_reporter_phone.html", {"phone": phone})
        context = _panel_context(request, case)
        return render(request, "cases/detail.html", {**context, "revealed_phone": phone})

    return run_action(
        request,
        lambda: do_reveal_reporter_phone(case, actor=request.user, ip=client_ip(request)),
        done=done,
        refused=lambda: render(request, "cases/detail.html", _panel_context(request, case)),
    )


@login_required
def case_create(request: AuthedRequest) -> HttpResponse:
    form = CaseForm(request.POST or None, request.FILES or None, user=request.user)

    def page() -> HttpResponse:
        return render(request, "cases/form.html", {"form": form})

    if request.method != "POST" or not form.is_valid():
        return page()

    def done(created: tuple[Any, bool]) -> HttpResponse:
        messages.success(request, f"已登记 {created[0].number}")
        return redirect("cases:detail", pk=created[0].pk)

    photo = form.cleaned_data.get("photo")
    return run_action(
        request,
        lambda: do_create_case_with_photos(
            request.user, form.action_kwargs(), [photo] if photo else []
        ),
        done=done,
        refused=page,
        form=form,
    )


@login_required
def case_dispatch(request: AuthedRequest, pk: int) -> HttpResponse:
    """Suggestions with their reasons; one click dispatches through do_transition."""
    case = selectors.access_case_for_user(request.user, pk)
    if request.method == "POST":
        data = {k: request.POST[k] for k in ("assignee", "department") if request.POST.get(k)}

        def done(_: object) -> HttpResponse:
            messages.success(request, "已派单")
            return redirect("cases:detail", pk=pk)

        return run_action(
            request,
            lambda: do_transition(
                case,
                Action.DISPATCH,
                actor=request.user,
                note=request.POST.get("note", ""),
                data=data,
            ),
            done=done,
            refused=lambda: _dispatch_page(request, case),
        )
    return _dispatch_page(request, case)


def _dispatch_page(
    request: HttpRequest, case: Any, revealed: dict[int, str] | None = None
) -> HttpResponse:
    error, candidates = "", []
    try:
        candidates = selectors.dispatch_suggestions(request.user, case)
    except CaseError as exc:
        error = exc.message
    user = request.user
    for c in candidates:
        c.phone = (revealed or {}).get(c.person.pk) if c.person is not None else None
        c.may_reveal = bool(
            c.person is not None
            and c.person.phone_enc
            and user.can_reveal_personal_data
            and place_visible(user, c.person.place)
        )
    return render(
        request,
        "cases/dispatch.html",
        {"case": case, "candidates": candidates, "error": error},
        status=200 if not error else 403,
    )


@login_required
@require_POST
def case_candidate_phone(request: AuthedRequest, pk: int) -> HttpResponse:
    """A suggested handler's full phone, for the dispatcher to call one who has no account
    (无账号，需线下联系): the people registry's reveal (`do_reveal_person`: its role and scope
    rule, one audit event per reveal; ADR 0003) of a person among this case's suggestions."""
    case = selectors.access_case_for_user(request.user, pk)
    try:
        candidates = selectors.dispatch_suggestions(request.user, case)
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect("cases:detail", pk=pk)
    wanted = request.POST.get("person", "")
    person = next(
        (c.person for c in candidates if c.person is not None and str(c.person.pk) == wanted),
        None,
    )
    if person is None:
        raise Http404("该人员不在本事项的派单建议中")
    return run_action(
        request,
        lambda: do_reveal_person(
            person, RevealField.PHONE, actor=request.user, ip=client_ip(request)
        ),
        done=lambda phone: _dispatch_page(request, case, {person.pk: phone}),
        refused=lambda: _dispatch_page(request, case),
    )


@login_required
def hot_issues(request: AuthedRequest) -> HttpResponse:
    form = HotForm(request.GET or None, user=request.user)
    place, days = form.area_and_days()
    since = timezone.now() - dt.timedelta(days=days)
    issues = selectors.hot_issues(request.user, place, since) if place else []
    return render(request, "cases/hot.html", {"form": form, "issues": issues, "days": days})


@login_required
def my_orders(request: AuthedRequest) -> HttpResponse:
    orders = list(selectors.my_orders(request.user)[:100])
    rows = [
        (case, [Action(b) for b in selectors.case_buttons(case, request.user)]) for case in orders
    ]
    return render(request, "cases/mine.html", {"rows": rows, "Status": Status})


@login_required
def revisit_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "cases/revisits.html",
        {
            "revisits": selectors.open_revisits(request.user),
            "form": RevisitForm(),
        },
    )


@login_required
@require_POST
def revisit_record(request: AuthedRequest, pk: int) -> HttpResponse:
    revisit = selectors.open_revisits(request.user).filter(pk=pk).first()
    form = RevisitForm(request.POST)
    if revisit is None:
        messages.error(request, "回访任务不存在或已完成")
    elif not form.is_valid():
        messages.error(request, "请选择回访结果")
    else:
        found = revisit

        def done(_: object) -> HttpResponse:
            messages.success(request, "已登记回访结果")
            return redirect("cases:revisits")

        return run_action(
            request,
            lambda: do_record_revisit(
                found, form.cleaned_data["result"], form.cleaned_data["note"], actor=request.user
            ),
            done=done,
            refused=lambda: redirect("cases:revisits"),
        )
    return redirect("cases:revisits")


@login_required
def case_kpis(request: AuthedRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, user=request.user)
    place, date_from, date_to = form.period()
    kpis = selectors.area_kpis(request.user, place, date_from, date_to) if place else None
    links = kpi_links(kpis) if kpis else {}
    return render(request, "cases/kpis.html", {"form": form, "kpis": kpis, "links": links})


def kpi_links(kpis: selectors.CaseKpis) -> dict[str, str]:
    """The case-list URL of every figure; rows of the breakdowns get theirs as `link`."""
    base = reverse("cases:list")

    def link(**criteria: Any) -> str:
        return f"{base}?{kpi_query(kpis.place.pk, kpis.date_from, kpis.date_to, **criteria)}"

    links = {m: link(measure=m) for m in Measure.values}
    for row in kpis.by_category:
        row["link"] = link(category=row["category__code"])
    for name, rows in (
        ("status", kpis.by_status),
        ("source", kpis.by_source),
        ("kind", kpis.by_kind),
    ):
        for row in rows:
            row["link"] = link(**{name: row["code"]})
    for row in kpis.by_period:
        start, end = row["period"], row["period_end"]
        row["link"] = link(
            created_from=max(start, kpis.date_from).isoformat(),
            created_to=min(end, kpis.date_to).isoformat(),
        )
    return links
