"""Errand pages: the list of errand cases with their progress, and one errand's steps on a
phone (mark a step done, add steps from a template, resolve when all are done)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.cases.choices import OPEN_STATUSES, Action
from apps.cases.selectors import case_buttons
from apps.core.paging import query_without_page
from apps.core.refusals import run_action

from . import selectors
from .actions import do_add_steps, do_complete_step, do_resolve_errand
from .filters import ErrandFilter
from .forms import AddStepsForm, CompleteStepForm, ResolveErrandForm
from .models import ErrandTemplate

PER_PAGE = 50


@login_required
def errand_list(request: AuthedRequest) -> HttpResponse:
    form = ErrandFilter(request.GET or None, user=request.user)
    rows = Paginator(selectors.errand_list(request.user, form), PER_PAGE)
    return render(
        request,
        "errands/list.html",
        {
            "form": form,
            "page": rows.get_page(request.GET.get("page")),
            "query": query_without_page(request),
        },
    )


def _templates(case):  # type: ignore[no-untyped-def]
    ids = [t.pk for t in selectors.templates_for(case)]
    return ErrandTemplate.objects.filter(pk__in=ids).order_by("code")


@login_required
def errand_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _detail_page(request, selectors.access_errand_for_user(request.user, case_id))


def _detail_page(request: HttpRequest, case: Any, **forms: Any) -> HttpResponse:
    """The errand's page; `forms` are bound forms a refused change shows again."""
    steps = list(selectors.steps_of(case))
    done = sum(1 for s in steps if s.status == "done")
    suggested = selectors.templates_for(case)
    initial = {"template": suggested[0].pk} if suggested and not steps else {}
    return render(
        request,
        "errands/detail.html",
        {
            "case": case,
            "steps": steps,
            "done": done,
            "open": case.status in OPEN_STATUSES,
            "add_form": AddStepsForm(templates=_templates(case), initial=initial),
            "step_form": CompleteStepForm(),
            "resolve_form": ResolveErrandForm(),
            "can_resolve": bool(steps)
            and done == len(steps)
            and Action.RESOLVE in case_buttons(case, request.user),
            **forms,
        },
    )


def _said(request: HttpRequest, text: str, case_id: int) -> HttpResponse:
    messages.success(request, text)
    return redirect("errands:detail", case_id=case_id)


@login_required
@require_POST
def add_steps(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.access_errand_for_user(request.user, case_id)
    form = AddStepsForm(request.POST, templates=_templates(case))
    if not form.is_valid():
        messages.error(request, "请选择模板或填写步骤")
        return redirect("errands:detail", case_id=case.pk)
    return run_action(
        request,
        lambda: do_add_steps(
            case,
            actor=request.user,
            template=form.cleaned_data["template"],
            steps=form.steps(),
        ),
        done=lambda steps: _said(request, f"已添加 {len(steps)} 个步骤", case.pk),
        refused=lambda: _detail_page(request, case, add_form=form),
    )


@login_required
@require_POST
def complete_step(request: AuthedRequest, pk: int) -> HttpResponse:
    step = selectors.access_step_for_user(request.user, pk)
    form = CompleteStepForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: do_complete_step(step, actor=request.user, note=note),
        done=lambda _: _said(request, f"已完成：{step.name}", step.case_id),
        refused=lambda: redirect("errands:detail", case_id=step.case_id),
    )


@login_required
@require_POST
def resolve(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = selectors.access_errand_for_user(request.user, case_id)
    form = ResolveErrandForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: do_resolve_errand(case, actor=request.user, note=note),
        done=lambda _: _said(request, f"帮办事项已办结：{case.number}", case.pk),
        refused=lambda: _detail_page(request, case, resolve_form=form),
    )
