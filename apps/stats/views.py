"""Pages: the leader's overview (?place=&period=YYYY-MM&rank=) and the indicator definitions."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.places.models import Place
from apps.places.scope import place_visible

from .dashboard import overview, parse_month, rankable
from .indicators import INDICATORS
from .layers import available as available_layers
from .selectors import access_place_for_user, overdue_cases


def _place(request: HttpRequest) -> Place:
    place_id = request.GET.get("place", "")
    if place_id:
        return access_place_for_user(request.user, place_id)
    scope = getattr(request.user, "scope", None)
    if scope is None:
        root = Place.objects.filter(parent__isnull=True).order_by("path").first()
        if root is None or not request.user.is_superuser:
            raise Http404("没有可查看的区域")
        return root
    return scope


def overdue_query(place: Place) -> dict[str, str | int]:
    return {"place": place.pk, "measure": "overdue"}


@login_required
def overview_page(request: HttpRequest) -> HttpResponse:
    place = _place(request)
    month = parse_month(request.GET.get("period"))
    data = overview(
        request.user,
        place,
        month,
        request.GET.get("rank"),
        request.GET.get("map"),
        request.GET.get("layer"),
    )
    return render(
        request,
        "stats/overview.html",
        {
            "o": data,
            "rankable": rankable(),
            "layers": available_layers(),
            "bigscreen": request.GET.get("screen") == "big",
            "children": Place.objects.filter(parent=place).order_by("code"),
            # the areas above the user's scope are named, not linked (they would answer 404)
            "ancestors": [(a, place_visible(request.user, a)) for a in place.ancestors()],
            "overdue": overdue_cases(place),
            "overdue_total": data.figure("overdue"),
            "overdue_all": f"{reverse('cases:list')}?{urlencode(overdue_query(place))}",
        },
    )


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(request, "stats/indicators.html", {"indicators": INDICATORS})
