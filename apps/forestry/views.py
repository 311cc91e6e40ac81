"""林长制 pages: my zones and patrol tasks, a zone's page, the phone patrol page (track on the
zone's own polygon, offline-tolerant point batches through the API), events, signboards (PDF
with QR) and the planting ledger."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Cap, can, has_role_for, require
from apps.accounts.requests import AuthedRequest
from apps.core.refusals import run_action

from . import actions, indicators, pdf, selectors
from .choices import EventKind, PatrolStatus, TaskStatus
from .forms import EventForm, GpxForm, PlantingForm, PlantingTargetForm, SignboardForm
from .models import PlantingTarget, ZoneProfile


def _viewer(request: AuthedRequest) -> None:
    if not has_role_for(request.user, Cap.FORESTRY_VIEW):
        raise PermissionDenied("您的角色不能查看林长制页面")


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The forest roles' landing page: my open patrol, this period's tasks (late ones red),
    my zones, open events and the area's figures."""
    _viewer(request)
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "forestry/home.html",
        {
            "going": selectors.open_patrol(user),
            "tasks": list(selectors.my_tasks(user, today)[:30]),
            "zones": list(selectors.my_zones(user)[:50]),
            "events": list(selectors.events(user, open_only=True)[:20]),
            "patrols": list(selectors.patrols(user)[:10]),
            "figures": indicators.month_figures(user, today),
            "today": today,
            "may_patrol": can(user, Cap.FORESTRY_PATROL),
            "TaskStatus": TaskStatus,
        },
    )


def _zone_for(request: AuthedRequest, pk: int) -> Any:
    return get_object_or_404(selectors.zones(request.user), pk=pk)


@login_required
def zone(request: AuthedRequest, pk: int, gpx_form: GpxForm | None = None) -> HttpResponse:
    _viewer(request)
    place = _zone_for(request, pk)
    return render(
        request,
        "forestry/zone.html",
        {
            "zone": place,
            "profile": ZoneProfile.objects.filter(zone=place).first(),
            "people": selectors.zone_people(place),
            "boards": list(selectors.signboards(request.user).filter(zone=place)),
            "events": list(selectors.events(request.user).filter(zone=place)[:20]),
            "patrols": list(selectors.patrols(request.user).filter(zone=place)[:10]),
            "plantings": list(selectors.plantings(request.user).filter(place=place)[:20]),
            "gpx_form": gpx_form or GpxForm(),
            "may_patrol": can(request.user, Cap.FORESTRY_PATROL, place),
        },
        status=422 if gpx_form is not None else 200,
    )


@login_required
@require_POST
def start_patrol(request: AuthedRequest, pk: int) -> HttpResponse:
    place = _zone_for(request, pk)
    return run_action(
        request,
        lambda: actions.do_start_patrol(place, actor=request.user),
        done=lambda p: redirect("forestry:patrol", pk=p.pk),
        refused=lambda: redirect("forestry:zone", pk=place.pk),
    )


@login_required
@require_POST
def upload_gpx(request: AuthedRequest, pk: int) -> HttpResponse:
    place = _zone_for(request, pk)
    form = GpxForm(request.POST, request.FILES)
    if not form.is_valid():
        return zone(request, pk, gpx_form=form)

    def done(p: Any) -> HttpResponse:
        messages.success(request, f"已导入轨迹：{p.distance_km} 公里，{p.points} 个有效点")
        return redirect("forestry:patrol", pk=p.pk)

    return run_action(
        request,
        lambda: actions.do_upload_gpx(place, form.cleaned_data["file"], actor=request.user),
        done=done,
        refused=lambda: zone(request, pk, gpx_form=form),
        form=form,
    )


def _patrol_for(request: AuthedRequest, pk: int) -> Any:
    return get_object_or_404(selectors.patrols(request.user), pk=pk)


@login_required
def patrol(request: AuthedRequest, pk: int, event_form: EventForm | None = None) -> HttpResponse:
    _viewer(request)
    item = _patrol_for(request, pk)
    return render(
        request,
        "forestry/patrol.html",
        {
            "patrol": item,
            "zone": item.zone,
            "geometry": item.zone.geometry,
            "track": item.track,
            "events": list(selectors.events(request.user).filter(patrol=item)),
            "event_form": event_form or EventForm(),
            "live": item.status != PatrolStatus.FINISHED
            and can(request.user, Cap.FORESTRY_PATROL, item.zone),
            "api": f"/api/v1/forest/patrols/{item.pk}",
            "PatrolStatus": PatrolStatus,
        },
        status=422 if event_form is not None else 200,
    )


@login_required
@require_POST
def report_event(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _patrol_for(request, pk)
    form = EventForm(request.POST, request.FILES)
    if not form.is_valid():
        return patrol(request, pk, event_form=form)
    d = form.cleaned_data

    def done(event: Any) -> HttpResponse:
        messages.success(
            request,
            f"已上报{EventKind(event.kind).label}，事项编号 {event.case.number}，已通知林长",
        )
        return redirect("forestry:patrol", pk=item.pk)

    return run_action(
        request,
        lambda: actions.do_report_event(
            item.zone,
            d["kind"],
            actor=request.user,
            description=d.get("description") or "",
            lat=d.get("lat"),
            lng=d.get("lng"),
            photo=d.get("photo"),
            patrol=item,
        ),
        done=done,
        refused=lambda: patrol(request, pk, event_form=form),
        form=form,
    )


@login_required
def event(request: AuthedRequest, pk: int) -> HttpResponse:
    """A notification's link: the event's case page."""
    found = get_object_or_404(selectors.events(request.user), pk=pk)
    return redirect("cases:detail", found.case_id)


@login_required
def signboards(request: AuthedRequest) -> HttpResponse:
    _viewer(request)
    zones = list(selectors.zones(request.user)[:500])
    form = SignboardForm(request.POST or None, zones=zones)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        place = _zone_for(request, d["zone"])
        return run_action(
            request,
            lambda: actions.do_register_signboard(
                place, actor=request.user, code=d["code"], location=d.get("location") or ""
            ),
            done=lambda b: redirect(f"{reverse('forestry:signboards')}?zone={place.pk}"),
            refused=lambda: _boards_page(request, form, zones),
            form=form,
        )
    return _boards_page(request, form, zones, 422 if request.method == "POST" else 200)


def _boards_page(request: AuthedRequest, form: Any, zones: list, status: int = 200) -> HttpResponse:
    boards = selectors.signboards(request.user)
    if request.GET.get("zone", "").isdigit():
        boards = boards.filter(zone_id=int(request.GET["zone"]))
    rows = list(boards[:500])
    for board in rows:
        board.reprint = actions.needs_reprint(board)  # type: ignore[attr-defined]
    return render(
        request,
        "forestry/signboards.html",
        {
            "boards": rows,
            "form": form,
            "zones": zones,
            "may_manage": can(request.user, Cap.FORESTRY_MANAGE),
            "reprint": sum(1 for b in rows if getattr(b, "reprint", False)),
        },
        status=status,
    )


@login_required
def signboards_pdf(request: AuthedRequest) -> HttpResponse:
    """One board (?board=code) or a batch (?zone=id, ?reprint=1 for the ones to re-print);
    ?layout=board for the large board layout. Printing marks the boards printed."""
    require(request.user, Cap.FORESTRY_MANAGE, what="印制公示牌")
    boards = selectors.signboards(request.user)
    if request.GET.get("board"):
        boards = boards.filter(code=request.GET["board"])
    if request.GET.get("zone", "").isdigit():
        boards = boards.filter(zone_id=int(request.GET["zone"]))
    chosen = list(boards[:400])
    if request.GET.get("reprint"):
        chosen = [b for b in chosen if actions.needs_reprint(b)]
    if not chosen:
        messages.error(request, "没有符合条件的公示牌")
        return redirect("forestry:signboards")
    body = pdf.boards_pdf(chosen, request.build_absolute_uri("/"), request.GET.get("layout", "a4"))
    actions.do_mark_printed(chosen, actor=request.user)
    name = chosen[0].code if len(chosen) == 1 else f"signboards-{len(chosen)}"
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
def planting(request: AuthedRequest) -> HttpResponse:
    _viewer(request)
    zones = list(selectors.zones(request.user)[:500])
    form = PlantingForm(request.POST or None, zones=zones)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            place = _zone_for(request, d["zone"])
            return run_action(
                request,
                lambda: actions.do_record_planting(
                    place,
                    actor=request.user,
                    kind=d["kind"],
                    area_mu=d.get("area_mu"),
                    count=d.get("count"),
                    species=d.get("species") or "",
                    date=d.get("date"),
                    note=d.get("note") or "",
                ),
                done=lambda row: redirect("forestry:planting"),
                refused=lambda: _planting_page(request, form, 422),
                form=form,
            )
        status = 422
    return _planting_page(request, form, status)


def _shown_year(request: AuthedRequest) -> int:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _planting_page(
    request: AuthedRequest,
    form: Any,
    status: int = 200,
    target_form: PlantingTargetForm | None = None,
    year: int | None = None,
) -> HttpResponse:
    year = year or _shown_year(request)
    may_manage = can(request.user, Cap.FORESTRY_MANAGE)
    if target_form is None and may_manage:
        initial: dict[str, Any] = {"year": year}
        if request.GET.get("target", "").isdigit():  # 修改: the row's values in the form
            found = (
                PlantingTarget.objects.visible_to(request.user)
                .filter(pk=int(request.GET["target"]))
                .first()
            )
            if found is not None:
                initial = {
                    "place": found.place_id,
                    "kind": found.kind,
                    "year": found.year,
                    "area_mu": found.area_mu,
                    "note": found.note,
                }
        target_form = PlantingTargetForm(
            initial=initial, places=selectors.target_places(request.user)[:600]
        )
    return render(
        request,
        "forestry/planting.html",
        {
            "rows": list(selectors.plantings(request.user)[:200]),
            "totals": indicators.planting_totals(request.user),
            "year": year,
            "target_tables": indicators.targets_by_kind(request.user, year),
            "form": form,
            "target_form": target_form,
            "may_manage": may_manage,
        },
        status=status,
    )


@login_required
@require_POST
def planting_target(request: AuthedRequest) -> HttpResponse:
    """Set (or change) a planting task's target for a place and year; the planting page shows
    it beside what the ledger holds."""
    require(request.user, Cap.FORESTRY_MANAGE, what="下达造林任务")
    form = PlantingTargetForm(request.POST, places=selectors.target_places(request.user)[:600])
    blank = PlantingForm(zones=list(selectors.zones(request.user)[:500]))
    if not form.is_valid():
        return _planting_page(request, blank, 422, target_form=form)
    d = form.cleaned_data
    place = get_object_or_404(selectors.target_places(request.user), pk=d["place"])

    def done(row: Any) -> HttpResponse:
        messages.success(
            request,
            f"已保存{row.place.name}{row.year}年{row.get_kind_display()}目标 {row.area_mu} 亩",
        )
        return redirect(f"{reverse('forestry:planting')}?year={row.year}")

    return run_action(
        request,
        lambda: actions.do_set_planting_target(
            place,
            actor=request.user,
            year=d["year"],
            area_mu=d["area_mu"],
            kind=d["kind"],
            note=d.get("note") or "",
        ),
        done=done,
        refused=lambda: _planting_page(request, blank, 422, target_form=form),
        form=form,
    )
