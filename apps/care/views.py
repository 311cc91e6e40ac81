"""Care pages: the care group of an area or school, a carer's own pairings on a phone, a
pairing with its contacts (record a contact there), and a new pairing."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.core.paging import query_without_page
from apps.core.refusals import run_form, said
from apps.people.selectors import access_person_for_user
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import do_create_pairing, do_end_pairing, do_record_contact
from .filters import CareGroupFilter
from .forms import ContactForm, EndPairingForm, PairingForm
from .models import Contact, Pairing

PER_PAGE = 50


@login_required
def care_group(request: AuthedRequest) -> HttpResponse:
    schools = selectors.schools_in_scope(request.user)
    form = CareGroupFilter(request.GET or None, user=request.user, schools=schools)
    valid = form.is_bound and form.is_valid()
    if form.is_bound and "place" in form.errors:
        raise Http404("未找到，或不在您的管辖范围内")
    data = form.cleaned_data if valid else {}  # other bad criteria: shown beside the field
    if request.user.scope_id is None and not data.get("place"):
        raise Http404("请选择区域")
    place = data.get("place") or access_place_for_user(request.user, request.user.scope_id)
    days, today = form.stale_days(), timezone.localdate()
    people = selectors.care_group_people(
        request.user, place, tag=form.tag_code(), school=data.get("school"), on=today
    )
    figures = selectors.care_group_figures(people, days=days, on=today)
    rows = Paginator(selectors.care_group_rows(people, on=today), PER_PAGE)
    page = rows.get_page(request.GET.get("page"))
    stale_before = today - dt.timedelta(days=days)
    return render(
        request,
        "care/group.html",
        {
            "form": form,
            "place": place,
            "school": data.get("school"),
            "figures": figures,
            "page": page,
            "days": days,
            "stale_before": stale_before,
            "query": query_without_page(request),
            "can_pair": request.user.can_manage_ledgers,
        },
    )


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    pairings = list(selectors.my_pairings(request.user))
    return render(
        request,
        "care/mine.html",
        {"pairings": pairings, "has_person": bool(request.user.person_id)},
    )


def _pairing_page(
    request: HttpRequest,
    pairing: Pairing,
    contact_form: ContactForm | None = None,
    end_form: EndPairingForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "care/pairing.html",
        {
            "pairing": pairing,
            "current": pairing.is_current(),
            "contacts": selectors.contacts_of(pairing),
            "contact_form": contact_form or ContactForm(),
            "end_form": end_form or EndPairingForm(),
            "can_end": request.user.can_manage_ledgers,
        },
    )


@login_required
def pairing_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _pairing_page(request, selectors.access_pairing_for_user(request.user, pk))


@login_required
@require_POST
def pairing_contact(request: AuthedRequest, pk: int) -> HttpResponse:
    pairing = selectors.access_pairing_for_user(request.user, pk)
    form = ContactForm(request.POST)

    def done(contact: Contact) -> HttpResponse:
        text = f"已登记{contact.get_kind_display()}：{pairing.person.name}"
        cases = list(contact.cases.all())
        if cases:
            text += f"，需求已登记为事项 {cases[0].number}"
        return said(request, text, redirect("care:pairing", pk=pairing.pk))

    return run_form(
        request,
        form,
        lambda: do_record_contact(pairing, actor=request.user, **form.cleaned_data),
        done=done,
        page=lambda: _pairing_page(request, pairing, contact_form=form),
    )


@login_required
@require_POST
def pairing_end(request: AuthedRequest, pk: int) -> HttpResponse:
    pairing = selectors.access_pairing_for_user(request.user, pk)
    form = EndPairingForm(request.POST)
    return run_form(
        request,
        form,
        lambda: do_end_pairing(
            actor=request.user, pairing=pairing, reason=form.cleaned_data["reason"]
        ),
        done=lambda _: said(
            request, f"已结束结对：{pairing}", redirect("care:pairing", pk=pairing.pk)
        ),
        page=lambda: _pairing_page(request, pairing, end_form=form),
    )


@login_required
def pairing_new(request: AuthedRequest) -> HttpResponse:
    person = access_person_for_user(request.user, request.GET.get("person"))
    carers = selectors.carer_candidates(request.user, person)
    schools = selectors.schools_for(person)
    form = PairingForm(request.POST or None, carers=carers, schools=schools)
    q = request.GET.get("q", "").strip()[:50]
    options = selectors.carer_search(request.user, person, q)
    chosen = str(form["carer"].value() or "")
    search = {"person": person, "options": options, "q": q, "chosen": chosen}
    if request.method != "POST" and request.headers.get("HX-Request"):
        return render(request, "care/_carer_options.html", search)

    def page() -> HttpResponse:
        context = {**search, "form": form, "pairings": person.pairings.current()}
        return render(request, "care/pairing_new.html", context)

    if request.method != "POST":
        return page()
    return run_form(
        request,
        form,
        lambda: do_create_pairing(actor=request.user, person=person, **form.cleaned_data),
        done=lambda pairing: said(
            request, f"已结对：{pairing}", redirect("care:pairing", pk=pairing.pk)
        ),
        page=page,
    )
