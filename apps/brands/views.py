"""Pages of demand surveys, service lists and service brands."""

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.cases.models import Case
from apps.cases.selectors import category_list
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.refusals import form_error_text, run_action, said
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q
from apps.volunteers.choices import VolunteerStatus
from apps.volunteers.models import Volunteer

from . import selectors
from .actions import (
    BRAND_SETS,
    do_attribute_order,
    do_convert_need,
    do_create_brand,
    do_create_campaign,
    do_detach_order,
    do_record_fund_entry,
    do_record_survey,
    do_reverse_fund_entry,
    do_update_brand,
    is_brand_staff,
)
from .choices import PARTNER_KINDS
from .exports import service_list_xlsx
from .forms import (
    AttributeForm,
    BrandEditForm,
    BrandForm,
    CampaignForm,
    DetachForm,
    FundEntryForm,
    ReverseForm,
    SurveyForm,
)


def _area(request: HttpRequest) -> Place:
    """The place named by ?place= (default: the user's scope), inside the user's scope."""
    user: Any = request.user
    pk = request.GET.get("place") or user.scope_id
    if pk is None:
        county = Place.objects.filter(kind=PlaceKind.COUNTY).order_by("path").first()
        return get_in_scope(Place.objects.all(), pk=county.pk if county else None)
    return get_in_scope(Place.objects.visible_to(user), pk=pk)


# --- brands -------------------------------------------------------------------------------


def _brand_form(request: HttpRequest, data: Any = None) -> BrandForm:
    user: Any = request.user
    area = user.scope
    communities = Place.objects.visible_to(user).filter(kind=PlaceKind.COMMUNITY)
    partners = (
        Organisation.objects.visible_to(user)
        .filter(kind__in=PARTNER_KINDS)
        .exclude(kind="business")
        .order_by("kind", "name")
    )
    form = BrandForm(data, communities=communities.order_by("path"), partners=partners)
    if area is not None and area.kind == PlaceKind.COMMUNITY and data is None:
        form.initial["communities"] = [area.pk]
    return form


@login_required
def brand_list(request: AuthedRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest, form: BrandForm | None = None) -> HttpResponse:
    """The brand list; `form` is a new brand's bound form a refusal shows again."""
    brands = list(
        selectors.brands_visible_to(request.user).prefetch_related("communities", "target_tags")
    )
    figures = selectors.brand_figures(brands)
    for brand in brands:
        brand.figures = figures[brand.pk]  # type: ignore[attr-defined]
    user: Any = request.user
    can_create = user.scope is not None and is_brand_staff(user, user.scope)
    return render(
        request,
        "brands/list.html",
        {
            "brands": brands,
            "form": form or (_brand_form(request) if can_create else None),
        },
        status=422 if form is not None else 200,
    )


@login_required
@require_POST
def brand_create(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    form = _brand_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _list_page(request, form)
    d = form.cleaned_data
    return run_action(
        request,
        lambda: do_create_brand(
            actor=user,
            name=d["name"],
            area=user.scope,
            description=d["description"],
            started_on=d["started_on"],
            communities=list(d["communities"]),
            categories=list(d["categories"]),
            target_tags=list(d["target_tags"]),
            partners=list(d["partners"]),
        ),
        done=lambda brand: said(
            request, f"已创建服务品牌“{brand.name}”", redirect("brands:detail", pk=brand.pk)
        ),
        refused=lambda: _list_page(request, form),
    )


def _edit_form(request: HttpRequest, brand: Any, data: Any = None) -> BrandEditForm:
    user: Any = request.user
    communities = Place.objects.subtree(brand.area).filter(kind=PlaceKind.COMMUNITY)
    partners = (
        Organisation.objects.visible_to(user)
        .filter(kind__in=PARTNER_KINDS)
        .exclude(kind="business")
        .order_by("kind", "name")
    )
    places = Q()
    for community in brand.communities.all():
        places |= subtree_q(community, "person__place")
    volunteers = (
        Volunteer.objects.filter(places, status=VolunteerStatus.ACTIVE).select_related("person")
        if places
        else Volunteer.objects.none()
    )
    initial = {
        "name": brand.name,
        "description": brand.description,
        "started_on": brand.started_on,
        "active": brand.active,
        **{key: list(getattr(brand, key).all()) for key in BRAND_SETS},
    }
    return BrandEditForm(
        data,
        initial=initial,
        communities=communities.order_by("path"),
        partners=partners,
        volunteers=volunteers.order_by("person__name"),
    )


@login_required
@require_POST
def brand_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    brand = selectors.access_brand_for_user(request.user, pk)
    form = _edit_form(request, brand, request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _detail_page(request, brand, status=422, edit_form=form)
    d = form.cleaned_data
    return run_action(
        request,
        lambda: do_update_brand(
            brand,
            actor=request.user,
            name=d["name"],
            description=d["description"],
            started_on=d["started_on"],
            active=d["active"],
            **{key: list(d[key]) for key in BRAND_SETS},
        ),
        done=lambda _: said(request, "已保存品牌信息", redirect("brands:detail", pk=pk)),
        refused=lambda: _detail_page(request, brand, edit_form=form),
    )


@login_required
def brand_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.access_brand_for_user(request.user, pk))


def _detail_page(request: HttpRequest, brand: Any, status: int = 200, **forms: Any) -> HttpResponse:
    """The brand's page; `forms` are bound forms a refused change shows again."""
    is_staff = is_brand_staff(request.user, brand.area)
    partners = list(brand.partners.all())
    return render(
        request,
        "brands/detail.html",
        {
            "brand": brand,
            "figures": selectors.brand_figures([brand])[brand.pk],
            "communities": list(brand.communities.all()),
            "categories": list(brand.categories.all()),
            "tags": list(brand.target_tags.all()),
            "partners": partners,
            "volunteers": list(brand.volunteers.select_related("person")),
            "entries": list(selectors.fund_entries(brand)[:200]),
            "orders": list(selectors.brand_orders(brand)[:200]),
            "is_staff": is_staff,
            "fund_form": FundEntryForm(partners=partners) if is_staff else None,
            "edit_form": _edit_form(request, brand) if is_staff else None,
            "candidates": selectors.order_candidates(request.user, brand) if is_staff else [],
            "assignees": selectors.brand_assignees(brand) if is_staff else [],
            **forms,
        },
        status=status,
    )


@login_required
@require_POST
def fund_add(request: AuthedRequest, pk: int) -> HttpResponse:
    brand = selectors.access_brand_for_user(request.user, pk)
    form = FundEntryForm(request.POST, partners=list(brand.partners.all()))
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _detail_page(request, brand, status=422, fund_form=form)
    d = form.cleaned_data

    def done(entry: Any) -> HttpResponse:
        text = f"已登记{entry.get_kind_display()} {abs(entry.amount)} 元"
        return said(request, text, redirect("brands:detail", pk=pk))

    return run_action(
        request,
        lambda: do_record_fund_entry(
            brand,
            actor=request.user,
            kind=d["kind"],
            amount=d["amount"],
            occurred_on=d["occurred_on"],
            purpose=d["purpose"],
            voucher=d["voucher"],
            source=form.source_org(),
        ),
        done=done,
        refused=lambda: _detail_page(request, brand, fund_form=form),
    )


@login_required
@require_POST
def fund_reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = selectors.access_fund_entry_for_user(request.user, pk)
    return _with_reason(
        request,
        ReverseForm(request.POST),
        entry.brand_id,
        lambda reason: do_reverse_fund_entry(entry, actor=request.user, reason=reason),
        "已冲正",
    )


def _with_reason(
    request: AuthedRequest, form: Any, brand_id: int, act: Any, done_text: str
) -> HttpResponse:
    """Run `act(reason)` from a one-field reason form on the brand's page, back to the page
    with `done_text` or with the refusal."""
    back = redirect("brands:detail", pk=brand_id)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return back
    return run_action(
        request,
        lambda: act(form.cleaned_data["reason"]),
        done=lambda _: said(request, done_text, back),
        refused=lambda: back,
    )


@login_required
@require_POST
def order_attribute(request: AuthedRequest, pk: int) -> HttpResponse:
    brand = selectors.access_brand_for_user(request.user, pk)
    form = AttributeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("brands:detail", pk=pk)
    case = get_in_scope(Case.objects.visible_to(request.user), pk=form.cleaned_data["case"])
    assignee = None
    if form.cleaned_data["assignee"]:
        assignee = get_user_model().objects.filter(pk=form.cleaned_data["assignee"]).first()
    sent = f"，已派给{assignee}" if assignee else ""
    back = redirect("brands:detail", pk=pk)
    return run_action(
        request,
        lambda: do_attribute_order(brand, case, actor=request.user, assignee=assignee),
        done=lambda _: said(request, f"工单 {case.number} 已归入“{brand.name}”{sent}", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def order_detach(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.access_brand_order_for_user(request.user, pk)
    return _with_reason(
        request,
        DetachForm(request.POST),
        link.brand_id,
        lambda reason: do_detach_order(link, actor=request.user, reason=reason),
        "已移出",
    )


@login_required
def communities(request: AuthedRequest) -> HttpResponse:
    area = _area(request)
    return render(
        request,
        "brands/communities.html",
        {"area": area, "rows": selectors.community_brands(request.user, area)},
    )


# --- surveys ------------------------------------------------------------------------------


@login_required
def campaign_list(request: AuthedRequest) -> HttpResponse:
    return _campaigns_page(request)


def _campaigns_page(request: HttpRequest, bound: CampaignForm | None = None) -> HttpResponse:
    """The survey list; `bound` is a new survey's form a refusal shows again."""
    user: Any = request.user
    campaigns = list(selectors.campaigns_visible_to(user)[:200])
    can_create = user.scope is not None and is_brand_staff(user, user.scope)
    form = bound
    if form is None and can_create:
        today = timezone.localdate()
        form = CampaignForm(initial={"area": user.scope_id, "start_date": today, "end_date": today})
    context = {"campaigns": campaigns, "form": form}
    return render(request, "brands/campaigns.html", context, status=422 if bound else 200)


@login_required
@require_POST
def campaign_create(request: AuthedRequest) -> HttpResponse:
    form = CampaignForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _campaigns_page(request, form)
    d = form.cleaned_data
    area = get_in_scope(Place.objects.visible_to(request.user), pk=d["area"])
    return run_action(
        request,
        lambda: do_create_campaign(
            actor=request.user,
            name=d["name"],
            area=area,
            start_date=d["start_date"],
            end_date=d["end_date"],
            team=d["team"],
        ),
        done=lambda campaign: said(
            request,
            f"已发起需求调研“{campaign.name}”",
            redirect("brands:campaign", pk=campaign.pk),
        ),
        refused=lambda: _campaigns_page(request, form),
    )


@login_required
def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = selectors.access_campaign_for_user(request.user, pk)
    q = request.GET.get("q", "")
    households = list(selectors.households_for_survey(request.user, campaign, q)[:30]) if q else []
    return render(
        request,
        "brands/campaign.html",
        {
            "campaign": campaign,
            "figures": selectors.campaign_figures(request.user, campaign),
            "records": list(selectors.campaign_records(request.user, campaign)[:100]),
            "q": q,
            "households": households,
        },
    )


@login_required
def survey_record(request: AuthedRequest, pk: int, household: int) -> HttpResponse:
    """The phone page of a door-to-door survey: tick the household's needs, save."""
    campaign = selectors.access_campaign_for_user(request.user, pk)
    place = get_in_scope(selectors.households_for_survey(request.user, campaign), pk=household)
    record = (
        selectors.records_visible_to(request.user)
        .filter(campaign=campaign, household=place)
        .first()
    )
    existing = {n.category_id: n.persons for n in record.needs.all()} if record else {}
    # Survey teams ask about services (便民服务 and its children), not hazards or disputes.
    categories = list(category_list().filter(parent__code="service")) or list(category_list())
    form = SurveyForm(
        request.POST or None,
        categories=categories,
        initial_needs=existing,
        initial={"notes": record.notes if record else ""},
    )

    def page() -> HttpResponse:
        members = list(place.people.filter(active=True).prefetch_related("care_tags"))
        context = {"campaign": campaign, "place": place, "form": form, "members": members}
        return render(request, "brands/survey_record.html", context)

    if request.method != "POST" or not form.is_valid():
        return page()
    text = f"已登记{place.name}的需求（{len(form.needs())}项）"
    return run_action(
        request,
        lambda: do_record_survey(
            campaign,
            place,
            actor=request.user,
            needs=form.needs(),
            notes=form.cleaned_data["notes"],
        ),
        done=lambda _: said(request, text, redirect("brands:campaign", pk=campaign.pk)),
        refused=page,
    )


@login_required
@require_POST
def need_convert(request: AuthedRequest, pk: int) -> HttpResponse:
    need = selectors.access_need_for_user(request.user, pk)
    back = redirect("brands:campaign", pk=need.record.campaign_id)
    return run_action(
        request,
        lambda: do_convert_need(need, actor=request.user),
        done=lambda case: said(request, f"已转为点单 {case.number}", back),
        refused=lambda: back,
    )


@login_required
def service_list(request: AuthedRequest) -> HttpResponse:
    area = _area(request)
    campaign = None
    if request.GET.get("campaign"):
        campaign = selectors.access_campaign_for_user(request.user, request.GET["campaign"])
    rows = selectors.service_list(request.user, area, campaign)
    if request.GET.get("format") == "xlsx":
        audit.record(
            actor=request.user,
            verb=AuditVerb.EXPORT,
            obj=area,
            changes={"export": "service_list", "campaign": getattr(campaign, "pk", None)},
        )
        out = BytesIO()
        service_list_xlsx(area, campaign, rows).save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="service-list-{area.code}.xlsx"'
        return response
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "brands/services.html",
        {
            "area": area,
            "campaign": campaign,
            "rows": rows,
            "export_url": f"{reverse('brands:services')}?{query.urlencode()}",
            "totals": {
                "households": selectors.latest_records(request.user, area, campaign).count(),
                "persons": sum(r.persons for r in rows),
            },
        },
    )
