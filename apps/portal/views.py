"""Resident pages (phone first, no login): pick a category, report, follow the case with its
tracking link and rate the result."""

import secrets

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.actions import client_ip
from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import Action, CaseKind, CaseSource, Status
from apps.cases.errors import CaseError
from apps.cases.images import do_add_attachment
from apps.cases.models import Case, Category
from apps.cases.selectors import case_by_token

from . import selectors, throttle
from .forms import RatingForm, ReportForm


def _with_limits(category: Category) -> Category:
    category.respond_text = category.limit_text("response")  # type: ignore[attr-defined]
    category.resolve_text = category.limit_text("resolve")  # type: ignore[attr-defined]
    return category


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    place = selectors.place_from_code(request.GET.get("place", ""))
    categories = [_with_limits(c) for c in selectors.portal_categories()]
    return render(request, "portal/home.html", {"categories": categories, "place": place})


def report(request: HttpRequest, code: str) -> HttpResponse:
    category = selectors.portal_category(code)
    if category is None:
        raise Http404("事项类别不存在")
    _with_limits(category)
    if request.method != "POST":
        place = selectors.place_from_code(request.GET.get("place", ""))
        initial = {
            "form_token": secrets.token_urlsafe(24),
            "place_code": place.code if place else "",
        }
        form = ReportForm(initial=initial, category=category)
        return render(
            request, "portal/report.html", {"form": form, "category": category, "place": place}
        )
    form = ReportForm(request.POST, request.FILES, category=category)
    place = selectors.place_from_code(request.POST.get("place_code", ""))
    context = {"form": form, "category": category, "place": place}
    if not throttle.allow(client_ip(request)):
        context["throttled"] = True
        return render(request, "portal/report.html", context, status=429)
    if not form.is_valid():
        return render(request, "portal/report.html", context, status=400)
    d = form.cleaned_data
    description = d["description"]
    with transaction.atomic():
        case, created = do_create_case(
            actor=None,
            category=category,
            place=form.place,
            title=f"{category.name}：{description[:40]}",
            description=description,
            kind=CaseKind.NEED,
            source=CaseSource.PORTAL,
            reporter_name=d.get("name") or "",
            reporter_phone=d["phone"],
            lat=d.get("lat"),
            lng=d.get("lng"),
            attributes=form.attribute_values,
            idempotency_key=f"portal:{d['form_token']}",
        )
        if created and d.get("photo"):
            do_add_attachment(case, d["photo"], actor=None, event=case.events.first())
    if created:
        messages.success(request, f"已提交，编号 {case.number}。请保存本页链接以查看进度。")
    return redirect("portal:track", token=case.tracking_token)


@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """htmx: places of the chosen community matching the typed name."""
    try:
        community = int(request.GET.get("community") or 0)
    except ValueError:
        community = 0
    found = selectors.place_search(community, request.GET.get("q", ""))
    return render(request, "portal/_places.html", {"places": found, "q": request.GET.get("q", "")})


def _track_context(case: Case, form: RatingForm | None = None) -> dict[str, object]:
    return {
        "case": case,
        "steps": selectors.public_timeline(case),
        "form": form or (RatingForm() if case.status == Status.RESOLVED else None),
    }


@require_GET
def track(request: HttpRequest, token: str) -> HttpResponse:
    case = case_by_token(token)
    response = render(request, "portal/track.html", _track_context(case))
    # The token is in the URL: never send it to another site (same-origin keeps CSRF working).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def rate(request: HttpRequest, token: str) -> HttpResponse:
    case = case_by_token(token)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", _track_context(case, form), status=400)
    try:
        do_transition(
            case,
            Action.RATE,
            actor=None,
            token=token,
            note=form.cleaned_data["comment"],
            data={"rating": form.cleaned_data["rating"], "comment": form.cleaned_data["comment"]},
        )
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "感谢您的评价！")
    return redirect("portal:track", token=token)
