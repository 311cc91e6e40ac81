"""Visit pages: 今日任务 on a phone, the household (or place) visit screen with photos and
findings (诉求, 隐患, 纠纷) and the re-inspection of a hazard; plans; coverage of a cycle, the
comparison of cycles and the export."""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Cap, has_role_for
from apps.accounts.requests import AuthedRequest
from apps.cases.selectors import my_orders
from apps.core.refusals import run_form, said
from apps.duties.selectors import duty_holders
from apps.places.choices import PlaceKind
from apps.places.models import Place
from apps.places.scope import place_visible
from apps.places.selectors import access_place_for_user

from . import export, selectors
from .actions import (
    do_create_plan,
    do_record_reinspection,
    do_record_unreachable,
    do_record_visit,
    do_report_dispute,
    do_report_hazard,
    do_report_need,
    do_update_plan,
)
from .choices import OPEN_CASE_WEIGHT, OPEN_TASK_STATUSES, TaskKind
from .forms import (
    DisputeForm,
    HazardForm,
    NeedForm,
    PlanForm,
    ReinspectionForm,
    UnreachableForm,
    VisitRecordForm,
)
from .models import VisitPlan, VisitTask

T = TypeVar("T")

LIST_PER_PAGE = 50
MY_ORDERS_SHOWN = 20


@login_required
def today(request: AuthedRequest) -> HttpResponse:
    """今日任务: the households to visit now, then the cases assigned to me (the landing page
    of party members and grid workers)."""
    tasks = selectors.today_tasks(request.user)
    return render(
        request,
        "visits/today.html",
        {
            "tasks": tasks,
            "groups": tasks.current,
            "count": tasks.households,
            "orders": list(
                my_orders(request.user).filter(assignee_id=request.user.pk)[:MY_ORDERS_SHOWN]
            ),
            "case_weight": OPEN_CASE_WEIGHT,
            "today": timezone.localdate(),
            "has_person": bool(request.user.person_id),
        },
    )


def _task_page(request: HttpRequest, task: VisitTask, **forms: Any) -> HttpResponse:
    reinspect = task.kind == TaskKind.REINSPECT
    return render(
        request,
        "visits/task.html",
        {
            "task": task,
            "open": task.status in OPEN_TASK_STATUSES,
            "reinspect": reinspect,
            "rectification": task.rectification if reinspect else None,
            "household": task.place.kind == PlaceKind.HOUSEHOLD,
            "members": selectors.household_members(task.place),
            "holders": duty_holders(task.place),
            "cases": selectors.open_cases(task.place),
            "task_cases": task.cases.select_related("category"),
            "records": task.records.select_related("visitor").prefetch_related("photos"),
            "record_form": forms.get("record_form")
            or VisitRecordForm(checklist=task.plan.checklist_items()),
            "unreachable_form": forms.get("unreachable_form") or UnreachableForm(),
            "need_form": forms.get("need_form") or NeedForm(),
            "hazard_form": forms.get("hazard_form") or HazardForm(prefix="hazard"),
            "dispute_form": forms.get("dispute_form") or DisputeForm(prefix="dispute"),
            "reinspect_form": forms.get("reinspect_form") or ReinspectionForm(),
        },
    )


@login_required
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _task_page(request, selectors.access_task_for_user(request.user, pk))


def _on_task(
    request: AuthedRequest,
    task: VisitTask,
    action: Callable[[], T],
    done: Callable[[T], HttpResponse],
    **form: Form,
) -> HttpResponse:
    """One form of the visit screen (`form`: its context name → the bound form) through
    `run_form`: the screen again, with the form as typed, when it is invalid or refused."""
    (bound,) = form.values()
    return run_form(
        request, bound, action, done=done, page=lambda: _task_page(request, task, **form)
    )


@login_required
@require_POST
def task_record(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = VisitRecordForm(request.POST, request.FILES, checklist=task.plan.checklist_items())
    return _on_task(
        request,
        task,
        lambda: do_record_visit(
            task,
            actor=request.user,
            answers=form.answers(),
            notes=form.cleaned_data["notes"],
            lng=form.cleaned_data["lng"],
            lat=form.cleaned_data["lat"],
            photos=form.cleaned_data["photos"],
        ),
        lambda _: said(request, f"已登记走访：{task.place.name}", redirect("visits:today")),
        record_form=form,
    )


@login_required
@require_POST
def task_unreachable(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = UnreachableForm(request.POST)

    def done(_: Any) -> HttpResponse:
        messages.warning(request, f"已记录未能入户：{task.place.name}（不计为已走访）")
        return redirect("visits:today")

    return _on_task(
        request,
        task,
        lambda: do_record_unreachable(task, actor=request.user, reason=form.cleaned_data["reason"]),
        done,
        unreachable_form=form,
    )


def _case_found(request: AuthedRequest, task: VisitTask, text: str) -> HttpResponse:
    """Back on the visit screen after a finding was registered."""
    return said(request, text, redirect("visits:task", pk=task.pk))


@login_required
@require_POST
def task_need(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = NeedForm(request.POST)
    return _on_task(
        request,
        task,
        lambda: do_report_need(task, actor=request.user, **form.cleaned_data),
        lambda case: _case_found(request, task, f"诉求已登记：{case.number}"),
        need_form=form,
    )


@login_required
@require_POST
def task_hazard(request: AuthedRequest, pk: int) -> HttpResponse:
    """发现隐患: a hazard case with a deadline and a re-inspection task."""
    task = selectors.access_task_for_user(request.user, pk)
    form = HazardForm(request.POST, prefix="hazard")
    return _on_task(
        request,
        task,
        lambda: do_report_hazard(task, actor=request.user, **form.cleaned_data),
        lambda found: _case_found(
            request,
            task,
            f"隐患已登记：{found.case.number}，整改期限 {found.deadline:%m月%d日}，届时复查",
        ),
        hazard_form=form,
    )


@login_required
@require_POST
def task_dispute(request: AuthedRequest, pk: int) -> HttpResponse:
    task = selectors.access_task_for_user(request.user, pk)
    form = DisputeForm(request.POST, prefix="dispute")
    return _on_task(
        request,
        task,
        lambda: do_report_dispute(task, actor=request.user, **form.cleaned_data),
        lambda case: _case_found(request, task, f"纠纷已登记：{case.number}"),
        dispute_form=form,
    )


@login_required
@require_POST
def task_reinspect(request: AuthedRequest, pk: int) -> HttpResponse:
    """复查 of a hazard: 已整改 (the case resolved when the inspector handles it) or a new
    deadline."""
    task = selectors.access_task_for_user(request.user, pk)
    form = ReinspectionForm(request.POST, request.FILES)

    def done(outcome: Any) -> HttpResponse:
        rectification, resolved = outcome
        if form.cleaned_data["rectified"]:
            tail = "，事项已办结" if resolved else "，请承办人办结事项"
            messages.success(request, f"复查：已整改{tail}")
        else:
            messages.warning(request, f"复查：未整改，新期限 {rectification.deadline:%m月%d日}")
        return redirect("visits:today")

    return _on_task(
        request,
        task,
        lambda: do_record_reinspection(task, actor=request.user, **form.cleaned_data),
        done,
        reinspect_form=form,
    )


# --- plans --------------------------------------------------------------------------------

# The plan's recurrence is set by the form's custom rule when the action refuses it.
PLAN_FIELDS_RENAMED = {"rule": "custom_rule"}
PLAN_SCOPE_KINDS = (PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID)


def _may_plan(user: Any) -> bool:
    return has_role_for(user, Cap.VISITS_PLAN)


def _plan_scopes(user: Any) -> Any:
    return Place.objects.visible_to(user).filter(kind__in=PLAN_SCOPE_KINDS).order_by("path")


@login_required
def plans(request: AuthedRequest) -> HttpResponse:
    """Plans of the account's area (and above it), with their last cycle."""
    found = list(selectors.plans_with_last_cycle(request.user).select_related("scope"))
    may_plan = _may_plan(request.user)
    for plan in found:  # a plan of an area above the account's is shown, not theirs to change
        plan.editable = may_plan and place_visible(request.user, plan.scope)  # type: ignore[attr-defined]
    return render(request, "visits/plans.html", {"plans": found, "may_plan": may_plan})


def _plan_form_page(request: HttpRequest, form: PlanForm, plan: VisitPlan | None) -> HttpResponse:
    return render(request, "visits/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_new(request: AuthedRequest) -> HttpResponse:
    if not _may_plan(request.user):
        raise PermissionDenied("只有乡镇、社区工作人员可以制定走访计划")
    scopes = _plan_scopes(request.user)
    if request.method != "POST":
        initial = {"preset": "FREQ=WEEKLY;BYDAY=FR", "start_date": timezone.localdate()}
        return _plan_form_page(request, PlanForm(scopes=scopes, initial=initial), None)
    form = PlanForm(request.POST, scopes=scopes)
    return run_form(
        request,
        form,
        lambda: do_create_plan(actor=request.user, **form.plan_fields()),
        done=lambda plan: said(request, f"已创建走访计划：{plan.name}", redirect("visits:plans")),
        page=lambda: _plan_form_page(request, form, None),
        beside_fields=PLAN_FIELDS_RENAMED,
    )


@login_required
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    if not _may_plan(request.user):
        raise PermissionDenied("只有乡镇、社区工作人员可以修改走访计划")
    plan = get_object_or_404(
        selectors.visible_plans(request.user).filter(
            scope__in=_plan_scopes(request.user).values("pk")
        ),
        pk=pk,
    )
    scopes = _plan_scopes(request.user)
    if request.method != "POST":
        return _plan_form_page(request, PlanForm(instance=plan, scopes=scopes), plan)
    original = VisitPlan.objects.get(pk=plan.pk)
    form = PlanForm(request.POST, instance=plan, scopes=scopes)
    return run_form(
        request,
        form,
        lambda: do_update_plan(original, actor=request.user, **form.plan_fields()),
        done=lambda _: said(request, f"已保存走访计划：{plan.name}", redirect("visits:plans")),
        page=lambda: _plan_form_page(request, form, plan),
        beside_fields=PLAN_FIELDS_RENAMED,
    )


# --- coverage -----------------------------------------------------------------------------


@login_required
def coverage(request: AuthedRequest) -> HttpResponse:
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
    timely = selectors.timeliness(selectors.tasks_in_area(request.user, cycle, area))
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
            "timely": timely,
            "missing": missing.get_page(request.GET.get("page")),
            "nobody": nobody.get_page(request.GET.get("page_nobody")),
            "query": urlencode({"plan": plan.pk, "cycle": cycle.pk, "place": area.pk}),
        },
    )


def _plan_and_area(request: HttpRequest) -> tuple[list[VisitPlan], VisitPlan | None, Place]:
    area = access_place_for_user(request.user, request.GET.get("place") or request.user.scope_id)
    plans = list(selectors.visible_plans(request.user).filter(active=True))
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan")), None)
    plan = plan or (plans[0] if plans else None)
    if plan is not None and not (area.is_within(plan.scope) or plan.scope.is_within(area)):
        raise Http404("未找到，或不在您的管辖范围内")
    return plans, plan, area


COMPARE_CHOICES = (4, 8, 12, 26)


@login_required
def compare(request: AuthedRequest) -> HttpResponse:
    """Visited / due per cycle over the last N cycles of a plan, for an area."""
    plans, plan, area = _plan_and_area(request)
    try:
        last = int(request.GET.get("n", 8))
    except ValueError:
        last = 8
    last = last if last in COMPARE_CHOICES else 8
    rows = selectors.cycle_comparison(plan, area, last) if plan else []
    return render(
        request,
        "visits/compare.html",
        {
            "plans": plans,
            "plan": plan,
            "area": area,
            "rows": rows,
            "last": last,
            "choices": COMPARE_CHOICES,
            "best": max((r.percent or 0 for r in rows), default=0),
        },
    )


@login_required
def coverage_export(request: AuthedRequest) -> HttpResponse:
    """The coverage of one cycle for an area as CSV (?format=csv) or Excel (default)."""
    area = access_place_for_user(request.user, request.GET.get("place") or request.user.scope_id)
    cycle = selectors.access_cycle_for_user(request.user, request.GET.get("cycle"))
    scope = cycle.plan.scope
    if not (area.is_within(scope) or scope.is_within(area)):
        raise Http404("未找到，或不在您的管辖范围内")
    stem = f"走访覆盖-{area.name}-{cycle.occurrence:%Y%m%d}"
    if request.GET.get("format") == "csv":
        body, kind, ext = export.coverage_csv(cycle, area), "text/csv; charset=utf-8", "csv"
    else:
        body = export.coverage_xlsx(cycle, area)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ext = "xlsx"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stem)}.{ext}"
    return response
