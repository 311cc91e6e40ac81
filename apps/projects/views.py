"""Key-project pages: the lamp board, a project's page (stages, history, blockers, Q&A) with
its forms, registration and the Excel import. Every change goes through an action via
`run_action`; a refused change shows the page again with the reason."""

import tempfile
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, has_role_for, refusal
from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.core.refusals import REFUSED_STATUS, run_action
from apps.places.models import Place

from . import selectors
from .actions import (
    PROJECT_PLACE_KINDS,
    do_assign_stage,
    do_complete_stage,
    do_raise_blocker,
    do_record_note,
    do_register_project,
    do_replan_stage,
    do_request_weekly,
    do_start_stage,
    do_supervise_blocker,
)
from .choices import LAMP_CSS, Lamp, ProjectLevel
from .forms import (
    AssignForm,
    BlockerForm,
    ImportForm,
    NoteForm,
    ProjectForm,
    ReplanForm,
    StageDateForm,
    departments_for,
)
from .imports import import_projects
from .models import DispatchReport


def _viewer(request: AuthedRequest) -> User:
    user = request.user
    if not has_role_for(user, Cap.PROJECTS_VIEW):
        raise PermissionDenied(refusal(Cap.PROJECTS_VIEW))
    return user


def _area(request: HttpRequest, user: User) -> Place:
    pk = request.GET.get("place") or user.scope_id
    if pk is None:
        root = Place.objects.filter(parent__isnull=True).order_by("path").first()
        if root is None or not user.is_superuser:
            raise Http404("没有可查看的区域")
        return root
    return get_in_scope(Place.objects.visible_to(user), pk=pk)


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    user = _viewer(request)
    place = _area(request, user)
    data = selectors.board(
        user, place, lamp=request.GET.get("lamp", ""), level=request.GET.get("level", "")
    )
    return render(
        request,
        "projects/board.html",
        {
            "board": data,
            "levels": ProjectLevel.choices,
            "lamp_css": {int(k): v for k, v in LAMP_CSS.items()},
            "lamp_labels": {int(k): k.label for k in Lamp},
            "can_manage": can(user, Cap.PROJECTS_MANAGE),
        },
    )


def _detail(request: AuthedRequest, project: Any, **forms: Any) -> HttpResponse:
    user = request.user
    page = selectors.project_page(project)
    departments = departments_for(project.place)
    advance = can(user, Cap.PROJECTS_ADVANCE, project.place)
    return render(
        request,
        "projects/detail.html",
        {
            "page": page,
            "project": project,
            "lamp_css": {int(k): v for k, v in LAMP_CSS.items()},
            "lamp_labels": {int(k): k.label for k in Lamp},
            "can_advance": advance,
            "can_block": can(user, Cap.PROJECTS_RAISE_BLOCKER, project.place),
            "can_supervise": can(user, Cap.CASES_SUPERVISE, project.place),
            "can_note": can(user, Cap.PROJECTS_RECORD_NOTE, project.place),
            "date_form": forms.get("date_form") or StageDateForm(),
            "assign_form": forms.get("assign_form") or AssignForm(),
            "replan_form": forms.get("replan_form") or ReplanForm(),
            "blocker_form": forms.get("blocker_form") or BlockerForm(departments=departments),
            "note_form": forms.get("note_form") or NoteForm(),
            "blocker_lamps": {b.pk: b.case.resolve_lamp() for b in page.blockers},
            "form_stage": forms.get("stage_id"),
        },
    )


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    return _detail(request, selectors.access_project_for_user(user, pk))


@login_required
def stage_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    """A stage's one-time notice (一次性告知书): every material the stage needs, its time
    limit and who handles it, on one printable page for the project unit."""
    user = _viewer(request)
    stage = selectors.access_stage_for_user(user, pk)
    return render(
        request,
        "projects/notice.html",
        {"stage": stage, "project": stage.project, "today": timezone.localdate()},
    )


def _done(request: HttpRequest, project_id: int, text: str) -> Any:
    def done(_: Any) -> HttpResponse:
        messages.success(request, text)
        return redirect("projects:detail", pk=project_id)

    return done


def _stage_form_view(
    request: AuthedRequest,
    pk: int,
    *,
    form_name: str,
    make_form: Callable[[Any], Form],
    act: Callable[[User, Any, dict[str, Any]], Any],
    text: Callable[[Any], str],
) -> HttpResponse:
    """The body every stage form shares: the viewer, the stage in their scope, the bound
    form; an invalid form shows the project page again (422) with the form's errors, a
    valid one runs `act(user, stage, cleaned_data)` through `run_action`, which ends on the
    project page with `text(stage)` or shows the refusal beside the form (`form_name` is
    the page's context name for it)."""
    user = _viewer(request)
    stage = selectors.access_stage_for_user(user, pk)
    form = make_form(stage)
    shown = {form_name: form, "stage_id": stage.pk}
    if not form.is_valid():
        response = _detail(request, stage.project, **shown)
        response.status_code = REFUSED_STATUS
        return response
    return run_action(
        request,
        lambda: act(user, stage, form.cleaned_data),
        done=_done(request, stage.project_id, text(stage)),
        refused=lambda: _detail(request, stage.project, **shown),
        form=form,
    )


@login_required
@require_POST
def stage_move(request: AuthedRequest, pk: int, move: str) -> HttpResponse:
    def act(user: Any, stage: Any, data: dict[str, Any]) -> Any:
        on_date, note = data.get("on_date"), data.get("note") or ""
        if move == "start":
            return do_start_stage(actor=user, stage=stage, on_date=on_date, note=note)
        return do_complete_stage(
            actor=user,
            stage=stage,
            on_date=on_date,
            note=note,
            land_supplied_mu=data.get("land_supplied_mu"),
        )

    done = "已开始" if move == "start" else "已完成"
    return _stage_form_view(
        request,
        pk,
        form_name="date_form",
        make_form=lambda stage: StageDateForm(request.POST),
        act=act,
        text=lambda stage: f"“{stage.template.name}”{done}",
    )


@login_required
@require_POST
def stage_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    return _stage_form_view(
        request,
        pk,
        form_name="assign_form",
        make_form=lambda stage: AssignForm(request.POST),
        act=lambda user, stage, data: do_assign_stage(actor=user, stage=stage, **data),
        text=lambda stage: "责任人已指定",
    )


@login_required
@require_POST
def stage_replan(request: AuthedRequest, pk: int) -> HttpResponse:
    return _stage_form_view(
        request,
        pk,
        form_name="replan_form",
        make_form=lambda stage: ReplanForm(request.POST),
        act=lambda user, stage, data: do_replan_stage(actor=user, stage=stage, **data),
        text=lambda stage: "计划已调整",
    )


@login_required
@require_POST
def stage_blocker(request: AuthedRequest, pk: int) -> HttpResponse:
    return _stage_form_view(
        request,
        pk,
        form_name="blocker_form",
        make_form=lambda stage: BlockerForm(
            request.POST, departments=departments_for(stage.project.place)
        ),
        act=lambda user, stage, data: do_raise_blocker(actor=user, stage=stage, **data),
        text=lambda stage: "卡点已登记并派给责任部门",
    )


@login_required
@require_POST
def blocker_supervise(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    blocker = selectors.access_blocker_for_user(user, pk)
    return run_action(
        request,
        lambda: do_supervise_blocker(actor=user, blocker=blocker),
        done=_done(request, blocker.project_id, "已督办"),
        refused=lambda: redirect("projects:detail", pk=blocker.project_id),
    )


@login_required
@require_POST
def note_add(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    project = selectors.access_project_for_user(user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        response = _detail(request, project, note_form=form)
        response.status_code = REFUSED_STATUS
        return response
    return run_action(
        request,
        lambda: do_record_note(actor=user, project=project, **form.cleaned_data),
        done=_done(request, project.pk, "答疑记录已保存"),
        refused=lambda: _detail(request, project, note_form=form),
        form=form,
    )


def _places(user: Any) -> Any:
    return Place.objects.visible_to(user).filter(kind__in=PROJECT_PLACE_KINDS).order_by("path")


@login_required
def project_new(request: AuthedRequest) -> HttpResponse:
    user = _viewer(request)
    if not can(user, Cap.PROJECTS_MANAGE):
        raise PermissionDenied(refusal(Cap.PROJECTS_MANAGE))
    scope = user.scope
    departments = departments_for(scope) if scope else departments_for(_area(request, user))
    form = ProjectForm(request.POST or None, places=_places(user), departments=departments)
    if request.method != "POST":
        return render(request, "projects/new.html", {"form": form})
    if not form.is_valid():
        return render(request, "projects/new.html", {"form": form}, status=422)
    data = dict(form.cleaned_data)
    place, depts = data.pop("place"), data.pop("departments")
    return run_action(
        request,
        lambda: do_register_project(
            actor=user, place=place, departments=[d.pk for d in depts], **data
        ),
        done=lambda p: _done(request, p.pk, f"项目“{p.name}”已登记")(p),
        refused=lambda: render(request, "projects/new.html", {"form": form}),
        form=form,
    )


@login_required
def project_import(request: AuthedRequest) -> HttpResponse:
    user = _viewer(request)
    if not can(user, Cap.PROJECTS_MANAGE):
        raise PermissionDenied(refusal(Cap.PROJECTS_MANAGE))
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()

            def run() -> Any:
                return import_projects(
                    actor=user, path=tmp.name, name=upload.name, commit=form.cleaned_data["commit"]
                )

            def done(result: Any) -> HttpResponse:
                status = 422 if result.errors else 200
                return render(
                    request, "projects/import.html", {**context, "result": result}, status=status
                )

            return run_action(
                request,
                run,
                done=done,
                refused=lambda: render(request, "projects/import.html", context),
                form=form,
            )
    return render(request, "projects/import.html", context)


@login_required
def weekly_list(request: AuthedRequest) -> HttpResponse:
    user = _viewer(request)
    place = _area(request, user)
    if request.method == "POST":
        return run_action(
            request,
            lambda: do_request_weekly(actor=user, place=place),
            done=lambda r: _weekly_done(request, place),
            refused=lambda: redirect("projects:weekly"),
        )
    reports = DispatchReport.objects.visible_to(user).filter(place=place)[:20]
    return render(request, "projects/weekly.html", {"place": place, "reports": reports})


def _weekly_done(request: HttpRequest, place: Place) -> HttpResponse:
    messages.success(request, "周报正在生成，稍后刷新本页下载")
    return redirect(f"{reverse('projects:weekly')}?place={place.pk}")


@login_required
def weekly_file(request: AuthedRequest, pk: int, fmt: str) -> FileResponse:
    user = _viewer(request)
    report = get_in_scope(DispatchReport.objects.visible_to(user), pk=pk)
    file = report.pdf if fmt == "pdf" else report.xlsx
    if not file:
        raise Http404("周报尚未生成")
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])
