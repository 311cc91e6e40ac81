"""{% demo_progress %}: the background load's progress on the login page (one query; nothing
once the load is done or when there never was one)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ..models import DemoLoad
from ..views import progress_context

register = template.Library()


@register.simple_tag
def demo_progress() -> SafeString | str:
    load = DemoLoad.objects.order_by("-id").first()
    if load is None or load.state == DemoLoad.State.DONE:
        return ""
    return render_to_string("demo/progress.html", progress_context(load))
