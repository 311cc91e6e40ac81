"""Visit pages: 今日任务 on a phone, the household visit screen, and coverage of a cycle."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.duties.selectors import duty_holders
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import do_record_unreachable, do_record_visit, do_report_need
from .choices import OPEN_TASK_STATUSES
from .forms import NeedForm, UnreachableForm, VisitRecordForm
from .models import VisitTask

LIST_PER_PAGE = 50


@login_required
def today(request: HttpRequest) -> HttpResponse:
    tasks = list(selectors.my_tasks(request.user))
    return render(
        request,
        "visits/today.html",
        {
            "groups": selectors.group_by_building(tasks),
            "count": len(tasks),
            "today": timezone.localdate(),
            "has_person": bool(request.user.person_id),
        },
    )


def _task_page(
    request: HttpRequest,
    task: VisitTask,
    record_form: VisitRecordForm | None = None,
    unreachable_form: UnreachableForm | None = None,
    need_form: NeedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "visits/task.html",
        {
            "task": task,
            "open": task.status in OPEN_TASK_STATUSES,
            "members": selectors.household_members(task.place),
            "holders": duty_holders(task.place),
            "cases": selectors.open_cases(task.place),
            "task_cases": task.cases.select_related("category"),
            "records": task.records.select_related("visitor"),
            "record_form": record_form or VisitRecordForm(checklist=task.plan.checklist_items()),
            "unreachable_form": unreachable_form or UnreachableForm(),
            "need_form": need_form or NeedForm(),
        },
        status=status,
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, selectors.access_task_for_user(request.user, pk))


def _refused(request: HttpRequest, exc: Exception) -> None:
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


@login_required
@require_POST
def task_record(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = VisitRecordForm(request.POST, checklist=task.plan.checklist_items())
    if not form.is_valid():
        return _task_page(request, task, record_form=form, status=422)
    try:
        do_record_visit(
            task,
            actor=request.user,
            answers=form.answers(),
            notes=form.cleaned_data["notes"],
            lng=form.cleaned_data["lng"],
            lat=form.cleaned_data["lat"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("visits:task", pk=task.pk)
    messages.success(request, f"已登记走访：{task.place.name}")
    return redirect("visits:today")


@login_required
@require_POST
def task_unreachable(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = UnreachableForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, unreachable_form=form, status=422)
    try:
        do_record_unreachable(task, actor=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("visits:task", pk=task.pk)
    messages.warning(request, f"已记录未能入户：{task.place.name}（不计为已走访）")
    return redirect("visits:today")


@login_required
@require_POST
def task_need(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = NeedForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, need_form=form, status=422)
    try:
        case = do_report_need(task, actor=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("visits:task", pk=task.pk)
    messages.success(request, f"诉求已登记：{case.number}")
    return redirect("visits:task", pk=task.pk)


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """A supervisor's view of one cycle (default: the latest of the first plan) for an area
    (default: the account's scope); assignees below the plan's target in red."""
    area = access_place_for_user(request.user, request.GET.get("place") or request.user.scope_id)
    plans = list(selectors.visible_plans(request.user).filter(active=True))
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan")), None)
    plan = plan or (plans[0] if plans else None)
    if plan is None:
        return render(request, "visits/coverage.html", {"plans": plans, "cover": None})
    cycles = list(selectors.cycles_of(plan))
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None)
    cycle = cycle or (cycles[0] if cycles else None)
    if cycle is None:
        return render(
            request, "visits/coverage.html", {"plans": plans, "plan": plan, "cover": None}
        )
    if not (area.is_within(plan.scope) or plan.scope.is_within(area)):
        raise Http404("未找到，或不在您的管辖范围内")
    cover = selectors.cycle_coverage(cycle, area)
    missing = Paginator(selectors.not_visited(cycle, area), LIST_PER_PAGE)
    nobody = Paginator(selectors.without_holder(cycle, area), LIST_PER_PAGE)
    return render(
        request,
        "visits/coverage.html",
        {
            "plans": plans,
            "plan": plan,
            "cycles": cycles,
            "cycle": cycle,
            "area": area,
            "cover": cover,
            "missing": missing.get_page(request.GET.get("page")),
            "nobody": nobody.get_page(request.GET.get("page_nobody")),
            "query": urlencode({"plan": plan.pk, "cycle": cycle.pk, "place": area.pk}),
        },
    )
