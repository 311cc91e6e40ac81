"""Going back to the page a form names in `next`, only when that page is on this site."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_next(request: HttpRequest, target: str) -> bool:
    """Whether `target` is a page of this site (Django's check: it refuses `//evil.com`,
    `/\\evil.com`, `https://evil.com` and other schemes, which a prefix test lets through)."""
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the form's `next` (POST, else GET) when it is on this site, else to
    `default` (a path or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return redirect(target if is_safe_next(request, target) else default)
