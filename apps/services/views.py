"""Batch dispatch of an area's open service orders to volunteers (exact assignment, then
confirmed by the dispatcher)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Cap, require
from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.core.refusals import form_error_text
from apps.places.models import Place

from .batch import BatchDispatchFailed, do_confirm_batch_dispatch, propose
from .forms import BatchForm, ConfirmForm


def _area(request: HttpRequest) -> Place:
    user: Any = request.user
    require(user, Cap.CASES_DISPATCH)
    places = Place.objects.visible_to(request.user)
    area_id = request.GET.get("area") or request.POST.get("area") or request.user.scope_id
    return get_in_scope(places, pk=area_id)


@login_required
def batch_dispatch(request: AuthedRequest) -> HttpResponse:
    area = _area(request)
    form = BatchForm(request.GET if "radius_km" in request.GET else None)
    proposal = None
    if form.is_valid():
        proposal = propose(area, k=form.cleaned_data["k"], radius_km=form.cleaned_data["radius_km"])
    pairs = ",".join(f"{p.case.pk}:{p.user.pk}" for p in proposal.pairs) if proposal else ""
    return render(
        request,
        "services/batch.html",
        {"area": area, "form": form, "proposal": proposal, "pairs": pairs},
    )


@login_required
@require_POST
def batch_confirm(request: AuthedRequest) -> HttpResponse:
    area = _area(request)
    form = ConfirmForm(request.POST)
    back = f"{reverse('services:batch')}?area={area.pk}"
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    try:
        result = do_confirm_batch_dispatch(area, form.cleaned_data["pairs"], actor=request.user)
    except BatchDispatchFailed as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已派出 {len(result.dispatched)} 件工单")
    return redirect(back)
