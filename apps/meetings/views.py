"""Meeting pages: the list (area, kind, period), prepare a meeting with its proposed agenda,
the meeting page (agenda, attendance, minutes, one decision form per item, status), and the
decisions behind the figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.core.paging import query_without_page
from apps.core.refusals import run_action
from apps.places.filters import area_choices
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import (
    do_add_item,
    do_close_meeting,
    do_create_meeting,
    do_decide_item,
    do_hold_meeting,
    do_record_minutes,
)
from .choices import ItemSource, MeetingStatus
from .filters import MeetingFilter
from .forms import DecisionForm, HoldForm, ItemForm, MeetingForm, MinutesForm, parse_people
from .models import AgendaItem, Meeting

PAGE_SIZE = 30


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    filters = MeetingFilter(request.GET or None, user=request.user)
    page = Paginator(selectors.meeting_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "meetings/list.html",
        {"filters": filters, "page": page, "query": query_without_page(request)},
    )


@login_required
def decision_list(request: AuthedRequest) -> HttpResponse:
    """议定事项 (and, with solved=1, 已解决问题): the list behind two of the figures."""
    filters = MeetingFilter(request.GET or None, user=request.user)
    page = Paginator(selectors.decided_items(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "meetings/decisions.html",
        {"filters": filters, "page": page, "query": query_without_page(request)},
    )


@login_required
def meeting_new(request: AuthedRequest) -> HttpResponse:
    """Choose the area, then the form with the agenda proposed from its cases."""
    area_id = request.GET.get("place")
    if not area_id:
        return render(request, "meetings/new.html", {"areas": area_choices(request.user)[1:]})
    area = access_place_for_user(request.user, area_id)
    proposals = selectors.propose_agenda(request.user, area)
    form = MeetingForm(request.POST or None, area=area, proposals=proposals)

    def page(status: int = 200) -> HttpResponse:
        return render(
            request,
            "meetings/new.html",
            {
                "area": area,
                "form": form,
                "proposals": proposals,
                "groups": selectors.proposal_groups(proposals),
                "chosen": set(form["proposals"].value() or []),
            },
            status=status,
        )

    if request.method != "POST":
        return page()
    if not form.is_valid():
        return page(422)
    data = form.cleaned_data

    def done(meeting: Meeting) -> HttpResponse:
        messages.success(request, f"已创建会议：{meeting.title}")
        return redirect("meetings:detail", pk=meeting.pk)

    return run_action(
        request,
        lambda: do_create_meeting(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            area=area,
            starts_at=data["starts_at"],
            venue=data["venue"],
            organisation_ids=form.organisation_ids(),
            participants=form.people(),
            items=form.items(),
        ),
        done=done,
        refused=page,
    )


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    forms: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    items = selectors.meeting_items(meeting)
    for item in items:
        needs_case = item.source == ItemSource.MANUAL and not item.cases.all()
        reach = selectors.decision_reach(meeting, list(item.cases.all()), request.user)
        item.reach = reach  # type: ignore[attr-defined]
        item.form = forms.get(item.pk) or DecisionForm(  # type: ignore[attr-defined]
            meeting=meeting,
            needs_case=needs_case,
            handling=len(reach.handling),
            prefix=f"item{item.pk}",
        )
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "participants": list(meeting.participants.select_related("organisation")),
            "organisations": list(meeting.organisations.all()),
            "hold_form": forms.get("hold") or HoldForm(meeting=meeting),
            "minutes_form": forms.get("minutes")
            or MinutesForm(initial={"minutes": meeting.minutes}),
            "item_form": forms.get("item") or ItemForm(meeting=meeting),
            "planned": meeting.status == MeetingStatus.PLANNED,
            "may_hold": timezone.now() >= meeting.starts_at,
            "held": meeting.status == MeetingStatus.HELD,
            "closed": meeting.status == MeetingStatus.CLOSED,
        },
        status=status,
    )


@login_required
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_meeting_for_user(request.user, pk))


@login_required
@require_POST
def meeting_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting_for_user(request.user, pk)
    form = HoldForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _detail(request, meeting, forms={"hold": form}, status=422)
    return run_action(
        request,
        lambda: do_hold_meeting(
            meeting,
            actor=request.user,
            present_ids=form.present_ids(),
            minutes=form.cleaned_data["minutes"],
            walk_ins=parse_people(form.cleaned_data["walk_ins"]),
        ),
        done=lambda _: _back(request, meeting, "已登记会议召开"),
        refused=lambda: _detail(request, meeting, forms={"hold": form}),
    )


@login_required
@require_POST
def meeting_minutes(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting_for_user(request.user, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _detail(request, meeting, forms={"minutes": form}, status=422)
    return run_action(
        request,
        lambda: do_record_minutes(meeting, form.cleaned_data["minutes"], actor=request.user),
        done=lambda _: _back(request, meeting, "已保存会议纪要"),
        refused=lambda: _detail(request, meeting, forms={"minutes": form}),
    )


def _back(request: HttpRequest, meeting: Meeting, text: str, anchor: str = "") -> HttpResponse:
    """After a change: the meeting page (at `anchor`), with what was done."""
    messages.success(request, text)
    return redirect(f"{reverse('meetings:detail', args=[meeting.pk])}{anchor}")


@login_required
@require_POST
def item_add(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting_for_user(request.user, pk)
    form = ItemForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _detail(request, meeting, forms={"item": form}, status=422)
    return run_action(
        request,
        lambda: do_add_item(meeting, form.item(), actor=request.user),
        done=lambda _: _back(request, meeting, "已增加议题"),
        refused=lambda: _detail(request, meeting, forms={"item": form}),
    )


@login_required
@require_POST
def item_decide(request: AuthedRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = selectors.access_meeting_for_user(request.user, pk)
    item: AgendaItem = selectors.access_item_for_user(request.user, meeting, item_id)
    needs_case = item.source == ItemSource.MANUAL and not item.cases.exists()
    reach = selectors.decision_reach(meeting, list(item.cases.all()), request.user)
    form = DecisionForm(
        request.POST,
        meeting=meeting,
        needs_case=needs_case,
        handling=len(reach.handling),
        prefix=f"item{item.pk}",
    )
    if not form.is_valid():
        return _detail(request, meeting, forms={item.pk: form}, status=422)
    data = form.cleaned_data

    def done(decided: AgendaItem) -> HttpResponse:
        text = f"已登记决定：{decided.title}。{applied_text(decided, reach)}"
        return _back(request, meeting, text, anchor=f"#item-{decided.pk}")

    return run_action(
        request,
        lambda: do_decide_item(
            item,
            actor=request.user,
            decision=data["decision"],
            owner=data["owner"],
            lead_unit=data["lead_unit"],
            deadline=data["deadline"],
            category=data.get("category"),
            redispatch=bool(data.get("redispatch")),
        ),
        done=done,
        refused=lambda: _detail(request, meeting, forms={item.pk: form}),
    )


def applied_text(item: AgendaItem, reach: selectors.Reach) -> str:
    """What the decision did to the cases, in one sentence."""
    applied = item.applied or {}
    parts = []
    if applied.get("decided"):
        parts.append(f"按决定办理{len(applied['decided'])}件")
    if applied.get("kept"):
        parts.append(f"办理中的{len(applied['kept'])}件保持原承办人")
    if applied.get("forwarded"):
        units = "、".join(reach.forward_units)
        parts.append(f"{len(applied['forwarded'])}件超出本会议权限，已作为建议转送{units}")
    return "；".join(parts)


@login_required
@require_POST
def meeting_close(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting_for_user(request.user, pk)
    return run_action(
        request,
        lambda: do_close_meeting(meeting, actor=request.user),
        done=lambda _: _back(request, meeting, "会议已结束"),
        refused=lambda: redirect("meetings:detail", pk=meeting.pk),
    )
