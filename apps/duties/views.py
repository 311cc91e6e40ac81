"""Duty pages: coverage of an area (不漏一户), the duty list, and assign / end forms."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as SchemaError

from apps.accounts.requests import AuthedRequest
from apps.core import audit
from apps.core.cells import SafeWriter
from apps.core.choices import AuditVerb
from apps.core.net import client_ip
from apps.core.paging import query_without_page
from apps.core.redirects import redirect_next
from apps.core.refusals import run_action
from apps.places.models import Place
from apps.places.selectors import access_place_for_user, ancestors_in_scope

from . import selectors
from .actions import do_assign_duty, do_end_duty
from .choices import DutyKind
from .filters import DutyFilter
from .forms import DutyAssignForm, DutyEndForm
from .models import Duty

UNCOVERED_PER_PAGE = 50
DUTIES_PER_PAGE = 50


def _coverage_params(request: HttpRequest) -> tuple[Place, str]:
    """The area (default: the account's scope) and the duty kind (default: 包联)."""
    place_id = request.GET.get("place") or request.user.scope_id
    place = access_place_for_user(request.user, place_id)
    kind = request.GET.get("kind") or DutyKind.BAOLIAN
    if kind not in DutyKind.values:
        kind = DutyKind.BAOLIAN
    return place, kind


@login_required
def coverage(request: AuthedRequest) -> HttpResponse:
    place, kind = _coverage_params(request)
    figures = selectors.coverage(place, kind)
    paginator = Paginator(selectors.uncovered(place, kind), UNCOVERED_PER_PAGE)
    paginator.count = figures.total.uncovered  # known already: spare a second anti-join
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "duties/coverage.html",
        {
            "place": place,
            "coverage": figures,
            "page": page,
            "kinds": DutyKind.choices,
            "kind": kind,
            "query": urlencode({"place": place.pk, "kind": kind}),
        },
    )


@login_required
def coverage_export(request: AuthedRequest) -> HttpResponse:
    """The uncovered households (or places) of an area as CSV, for the field list."""
    if not request.user.can_export:
        raise PermissionDenied(_("您无权导出"))
    place, kind = _coverage_params(request)
    rows = selectors.uncovered(place, kind)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="uncovered-{place.code}-{kind}.csv"'
    response.write("\ufeff")  # so that Excel opens UTF-8 Chinese correctly
    writer = SafeWriter(response)
    writer.writerow([_("编码"), _("名称"), _("上级"), _("地址")])
    count = 0
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([row.code, row.name, row.parent.name if row.parent else "", row.address])
        count += 1
    audit.record(
        actor=request.user,
        verb=AuditVerb.EXPORT,
        obj=place,
        changes={"what": "uncovered", "kind": kind, "rows": count},
        ip=client_ip(request),
    )
    return response


@login_required
def duty_list(request: AuthedRequest) -> HttpResponse:
    try:
        filters = DutyFilter.model_validate(request.GET.dict())
    except SchemaError:
        filters = DutyFilter()
    place = access_place_for_user(request.user, filters.place) if filters.place else None
    page = Paginator(selectors.duty_list(request.user, filters), DUTIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "duties/list.html",
        {
            "filters": filters,
            "place": place,
            "page": page,
            "kinds": DutyKind.choices,
            "query": query_without_page(request),
        },
    )


@login_required
@require_POST
def duty_assign(request: AuthedRequest, place_pk: int) -> HttpResponse:
    """The form on the household page: assign a 包联 (or other household) duty."""
    place = access_place_for_user(request.user, place_pk)
    area = selectors.holder_area(place, list(ancestors_in_scope(request.user, place)))
    form = DutyAssignForm(request.POST, user=request.user, area=area)
    # The form lives on the place page (places composes duties, not the other way round), so
    # a refusal goes back there with the reason; what was chosen is one person and one kind.
    back = redirect("places:detail", pk=place.pk)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(
                f"{form.fields[f].label}：{'，'.join(str(e) for e in errs)}"
                for f, errs in form.errors.items()
            ),
        )
        return back

    def done(duty: Duty) -> HttpResponse:
        messages.success(
            request,
            _("已安排 %(person)s 为%(kind)s")
            % {"person": duty.person.name, "kind": duty.get_kind_display()},
        )
        return back

    return run_action(
        request,
        lambda: do_assign_duty(actor=request.user, place=place, **form.cleaned_data),
        done=done,
        refused=lambda: back,
    )


@login_required
@require_POST
def duty_end(request: AuthedRequest, pk: int) -> HttpResponse:
    duty = selectors.access_duty_for_user(request.user, pk)
    form = DutyEndForm(request.POST)
    back = redirect_next(request, reverse("places:detail", args=[duty.place_id]))
    if not form.is_valid():
        return back

    def done(saved: object) -> HttpResponse:
        messages.success(request, _("责任已结束"))
        return back

    return run_action(
        request,
        lambda: do_end_duty(actor=request.user, duty=duty, end_date=form.cleaned_data["end_date"]),
        done=done,
        refused=lambda: back,
    )
