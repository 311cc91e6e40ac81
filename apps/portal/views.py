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
from apps.cases.images import do_add_attachment
from apps.cases.models import Case, Category
from apps.cases.selectors import case_by_token
from apps.core import throttle
from apps.core.refusals import run_action
from apps.forestry.actions import route_case as route_forest_case

from . import selectors
from .forms import FindForm, RatingForm, ReportForm


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
        context = {"form": form, "category": category, "place": place}
        if "q" in request.GET:  # the place search sent without JavaScript: a plain GET
            context.update(_place_hits(request))
        return render(request, "portal/report.html", context)
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
            landmark=d.get("landmark") or "",
            attributes=form.attribute_values,
            idempotency_key=f"portal:{d['form_token']}",
        )
        if created and d.get("photo"):
            do_add_attachment(case, d["photo"], actor=None, event=case.events.first())
        if created:
            route_forest_case(case)  # a signboard's QR: routed to the zone's chiefs
    if created:
        messages.success(request, f"已提交，编号 {case.number}。请保存本页链接以查看进度。")
    return redirect("portal:track", token=case.tracking_token)


def _place_hits(request: HttpRequest) -> dict[str, object]:
    """Places matching the typed compound, building, unit and room, in any order; in the
    chosen community, or the whole county once the text names a compound or village."""
    try:
        community = int(request.GET.get("community") or 0)
    except ValueError:
        community = 0
    if not 0 < community < 2**63:  # an id the database can hold, or none (a 500 otherwise)
        community = 0
    q = request.GET.get("q", "").strip()[:60]
    tokens = selectors.search_tokens(q)
    needs_name = bool(tokens) and not community and selectors.numbers_only(tokens)
    found = selectors.place_search(community or None, q)
    return {"hits": found, "q": q, "needs_name": needs_name}


@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """htmx: the place search's results (the report page renders them itself without JS)."""
    return render(request, "portal/_places.html", _place_hits(request))


@require_GET
def locate(request: HttpRequest) -> HttpResponse:
    """htmx: the community and grid that hold the phone's position and the nearest compounds
    to pick from."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        lat = lng = float("nan")
    located = selectors.locate_point(lat, lng)
    return render(request, "portal/_located.html", {"located": located})


def _track_context(case: Case, form: RatingForm | None = None) -> dict[str, object]:
    view = selectors.resident_view(case)
    may_rate = case.status == Status.RESOLVED and view.has_result
    return {
        "case": case,
        "steps": selectors.public_timeline(case),
        "view": view,
        "form": form or (RatingForm() if may_rate else None),
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

    def done(_: object) -> HttpResponse:
        messages.success(request, "感谢您的评价！")
        return redirect("portal:track", token=token)

    def refused() -> HttpResponse:
        response = render(request, "portal/track.html", _track_context(case, form))
        response["Referrer-Policy"] = "same-origin"  # the token is in the URL
        response["Cache-Control"] = "no-store"
        return response

    return run_action(
        request,
        lambda: do_transition(
            case,
            Action.RATE,
            actor=None,
            token=token,
            note=form.cleaned_data["comment"],
            data={"rating": form.cleaned_data["rating"], "comment": form.cleaned_data["comment"]},
        ),
        done=done,
        refused=refused,
    )


def find(request: HttpRequest) -> HttpResponse:
    """A resident who lost the link: the case number and the last four digits of the phone
    they left lead back to the tracking page. Throttled per address, and a wrong pair says
    only that it does not match."""
    form = FindForm(request.POST or None)
    if request.method != "POST":
        return render(request, "portal/find.html", {"form": form})
    if not throttle.allow(client_ip(request), "lookups"):
        return render(request, "portal/find.html", {"form": form, "throttled": True}, status=429)
    if not form.is_valid():
        return render(request, "portal/find.html", {"form": form}, status=400)
    case = selectors.case_by_number_and_phone(
        form.cleaned_data["number"], form.cleaned_data["last_four"]
    )
    if case is None:
        form.add_error(None, "编号与电话后四位不匹配，请核对后再试")
        return render(request, "portal/find.html", {"form": form}, status=404)
    return redirect("portal:track", token=case.tracking_token)
