"""People pages: list, detail with reveal, create/edit, party members and volunteers."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.core.net import client_ip
from apps.core.paging import query_without_page
from apps.core.refusals import refusal_text, run_action
from apps.places.models import Place

from . import selectors
from .actions import do_create_person, do_reveal_person, do_update_person
from .choices import RevealField
from .filters import PersonFilter
from .forms import PersonForm

PAGE_SIZE = 30


def _user(request: HttpRequest) -> Any:
    """The signed-in account (the views are all behind login_required)."""
    return request.user


def _page(request: HttpRequest, qs):  # type: ignore[no-untyped-def]
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    return _filtered_list(request, selectors.person_list, "people/list.html")


def _filtered_list(request: AuthedRequest, select: Any, template: str) -> HttpResponse:
    """A list page of people: the filter form, one page of `select(user, filters)`."""
    filters = PersonFilter(request.GET or None, user=request.user)
    page = _page(request, select(request.user, filters))
    return render(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
        },
    )


def _detail(
    request: HttpRequest, person: Any, revealed: dict[str, str] | None = None
) -> HttpResponse:
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "duties": selectors.person_duties(person),
            "memberships": selectors.person_memberships(person),
            "reveal_fields": RevealField,
            "revealed": revealed or {},
        },
    )


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_person_for_user(request.user, pk))


@login_required
@require_POST
def person_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.access_person_for_user(request.user, pk)
    field = request.POST.get("field") or request.GET.get("field", "")
    # Not the form flow: revealing personal data is a read, and a role that may not read it gets
    # the refusal page (403) like any other page it may not open; only a bad field is a 400.
    try:
        value = do_reveal_person(person, field, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        return HttpResponse(refusal_text(exc), status=400)
    if request.headers.get("HX-Request"):
        return render(request, "people/_revealed.html", {"field": field, "value": value})
    # Without JavaScript the whole page comes back with the number in place.
    return _detail(request, person, revealed={"field": field, "value": value})


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    if not _user(request).can_manage_ledgers:
        raise PermissionDenied(_("您的角色不能修改人员台账"))
    initial = {}
    place_id = request.GET.get("place", "")
    if place_id.isdigit():
        initial["place"] = Place.objects.visible_to(request.user).filter(pk=place_id).first()
    form = PersonForm(request.POST or None, user=request.user, initial=initial)

    def page() -> HttpResponse:
        return render(request, "people/form.html", {"form": form, "person": None})

    if request.method != "POST" or not form.is_valid():
        return page()

    def done(person: Any) -> HttpResponse:
        messages.success(request, _("已登记 %(name)s") % {"name": person.name})
        return redirect("people:detail", pk=person.pk)

    return run_action(
        request,
        lambda: do_create_person(actor=request.user, **form.action_kwargs()),
        done=done,
        refused=page,
        form=form,
    )


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.access_person_for_user(request.user, pk)
    if not _user(request).can_manage_ledgers:
        raise PermissionDenied(_("您的角色不能修改人员台账"))
    form = PersonForm(
        request.POST or None,
        user=request.user,
        instance=person,
        initial=PersonForm.initial_for(person),
    )

    def page() -> HttpResponse:
        return render(request, "people/form.html", {"form": form, "person": person})

    if request.method != "POST" or not form.is_valid():
        return page()

    def done(saved: object) -> HttpResponse:
        messages.success(request, _("已保存"))
        return redirect("people:detail", pk=person.pk)

    return run_action(
        request,
        lambda: do_update_person(person, actor=request.user, **form.action_kwargs()),
        done=done,
        refused=page,
        form=form,
    )


@login_required
def party_member_list(request: AuthedRequest) -> HttpResponse:
    return _filtered_list(request, selectors.party_member_list, "people/party_members.html")


@login_required
def volunteer_list(request: AuthedRequest) -> HttpResponse:
    filters = PersonFilter(request.GET or None, user=request.user)
    page = _page(request, selectors.volunteer_list(request.user, filters))
    return render(
        request,
        "people/volunteers.html",
        {
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
        },
    )
