"""Mediation pages: the list of an area (with the disputes waiting for mediation), a
mediation with its sessions, outcome and the resolve button, opening one on a dispute case,
and the mediator list."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.cases.choices import Action
from apps.cases.selectors import access_case_for_user, case_buttons
from apps.core.paging import query_without_page
from apps.core.refusals import run_action
from apps.people.selectors import access_person_for_user
from apps.places.filters import AREA_KINDS
from apps.places.models import Place

from . import selectors
from .actions import (
    do_open_mediation,
    do_record_outcome,
    do_record_session,
    do_register_mediator,
    do_resolve_by_agreement,
)
from .filters import MediationFilter
from .forms import MediatorForm, OpenMediationForm, OutcomeForm, ResolveForm, SessionForm
from .models import Mediation

PER_PAGE = 50


@login_required
def mediation_list(request: AuthedRequest) -> HttpResponse:
    form = MediationFilter(request.GET or None, user=request.user)
    rows = Paginator(selectors.mediation_list(request.user, form), PER_PAGE)
    place = form.cleaned_data.get("place") if form.is_bound and form.is_valid() else None
    return render(
        request,
        "mediation/list.html",
        {
            "form": form,
            "page": rows.get_page(request.GET.get("page")),
            "waiting": selectors.waiting_disputes(request.user, place)[:20],
            "query": query_without_page(request),
        },
    )


def _detail(
    request: HttpRequest,
    mediation: Mediation,
    session_form: SessionForm | None = None,
    outcome_form: OutcomeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    case = mediation.case
    return render(
        request,
        "mediation/detail.html",
        {
            "mediation": mediation,
            "case": case,
            "mediators": mediation.mediators.select_related("person", "area"),
            "sessions": selectors.sessions_of(mediation),
            "session_form": session_form or SessionForm(),
            "outcome_form": outcome_form or OutcomeForm(),
            "resolve_form": ResolveForm(),
            "can_resolve": mediation.status == "agreed"
            and Action.RESOLVE in case_buttons(case, request.user),
        },
        status=status,
    )


@login_required
def mediation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_mediation_for_user(request.user, pk))


@login_required
def case_mediation(request: AuthedRequest, case_id: int) -> HttpResponse:
    """The mediation of a dispute case: its page if there is one, else the form to open it."""
    case = access_case_for_user(request.user, case_id)
    existing = Mediation.objects.filter(case=case).first()
    if existing is not None:
        return redirect("mediation:detail", pk=existing.pk)
    candidates = selectors.mediators_for(case.place)
    initial = {"parties": "\n".join(p.name for p in case.persons.all()) or case.reporter_name}
    form = OpenMediationForm(request.POST or None, mediators=candidates, initial=initial)

    def page(status: int = 200) -> HttpResponse:
        return render(request, "mediation/open.html", {"case": case, "form": form}, status=status)

    if request.method != "POST":
        return page()
    if not form.is_valid():
        return page(422)

    def done(mediation: Mediation) -> HttpResponse:
        messages.success(request, f"已发起调解：{case.number}")
        return redirect("mediation:detail", pk=mediation.pk)

    return run_action(
        request,
        lambda: do_open_mediation(
            case,
            actor=request.user,
            mediators=form.cleaned_data["mediators"],
            parties=form.party_names(),
        ),
        done=done,
        refused=page,
    )


@login_required
@require_POST
def session_add(request: AuthedRequest, pk: int) -> HttpResponse:
    mediation = selectors.access_mediation_for_user(request.user, pk)
    form = SessionForm(request.POST)
    if not form.is_valid():
        return _detail(request, mediation, session_form=form, status=422)

    def done(_: object) -> HttpResponse:
        messages.success(request, "已登记调解会")
        return redirect("mediation:detail", pk=pk)

    return run_action(
        request,
        lambda: do_record_session(mediation, actor=request.user, **form.cleaned_data),
        done=done,
        refused=lambda: _detail(request, mediation, session_form=form),
    )


@login_required
@require_POST
def outcome(request: AuthedRequest, pk: int) -> HttpResponse:
    mediation = selectors.access_mediation_for_user(request.user, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _detail(request, mediation, outcome_form=form, status=422)

    def done(recorded: Mediation) -> HttpResponse:
        messages.success(request, f"已登记调解结果：{recorded.get_status_display()}")
        return redirect("mediation:detail", pk=pk)

    return run_action(
        request,
        lambda: do_record_outcome(mediation, actor=request.user, **form.cleaned_data),
        done=done,
        refused=lambda: _detail(request, mediation, outcome_form=form),
    )


@login_required
@require_POST
def resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    mediation = selectors.access_mediation_for_user(request.user, pk)
    form = ResolveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""

    def done(case: Any) -> HttpResponse:
        messages.success(request, f"已据调解协议办结：{case.number}")
        return redirect("mediation:detail", pk=pk)

    return run_action(
        request,
        lambda: do_resolve_by_agreement(mediation, actor=request.user, note=note),
        done=done,
        refused=lambda: redirect("mediation:detail", pk=pk),
    )


@login_required
def mediators(request: AuthedRequest) -> HttpResponse:
    areas = Place.objects.visible_to(request.user).filter(kind__in=("county", *AREA_KINDS))
    form = MediatorForm(request.POST or None, areas=areas.order_by("path"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = access_person_for_user(request.user, data["person"])

        def done(mediator: Any) -> HttpResponse:
            messages.success(request, f"已登记调解员：{mediator}")
            return redirect("mediation:mediators")

        return run_action(
            request,
            lambda: do_register_mediator(
                actor=request.user,
                person=person,
                area=data["area"],
                kind=data["kind"],
                unit=data["unit"],
            ),
            done=done,
            refused=lambda: _mediators_page(request, form),
        )
    return _mediators_page(request, form)


def _mediators_page(request: HttpRequest, form: MediatorForm) -> HttpResponse:
    rows = Paginator(selectors.visible_mediators(request.user).order_by("kind", "id"), PER_PAGE)
    return render(
        request,
        "mediation/mediators.html",
        {
            "form": form,
            "page": rows.get_page(request.GET.get("page")),
            "can_register": request.user.can_manage_ledgers,
        },
    )
