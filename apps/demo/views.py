"""How far the demo county's background load is: a fragment the login page polls (htmx) and,
with ?format=json, the same for scripts (bench/demo_start_bench.py). Public: it shows only the
step names and counts of demo data, nothing about anyone."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import DemoLoad
from .stages import label_of


def progress_context(load: DemoLoad | None) -> dict:
    if load is None:
        return {"load": None}
    return {
        "DemoState": DemoLoad.State,  # also rendered without a request (no context processors)
        "load": load,
        "current": label_of(load.current) if load.current else "",
        "total": len(load.steps),
    }


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    load = DemoLoad.objects.order_by("-id").first()
    if request.GET.get("format") == "json":
        if load is None:
            return JsonResponse({"state": "none"})
        return JsonResponse(
            {
                "state": load.state,
                "done": load.done,
                "steps": load.steps,
                "percent": load.percent,
                "seconds": load.seconds,
            }
        )
    return render(request, "demo/progress.html", progress_context(load))
