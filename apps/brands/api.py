"""/api/v1/brands: service brands (list, detail, funds ledger, attributing an order), demand
surveys and the service list. Handlers call selectors and actions only; refusals become
403/422 through the API's exception handlers, objects outside the scope 404."""

from django.contrib.auth import get_user_model
from ninja import Router, Status

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.cases.models import Case
from apps.orgs.models import Organisation
from apps.places.models import Place

from . import selectors
from .actions import do_attribute_order, do_record_fund_entry, do_reverse_fund_entry
from .models import Brand, BrandOrder, FundEntry
from .schemas import (
    AttributeIn,
    BrandOrderOut,
    BrandOut,
    CampaignOut,
    FundEntryIn,
    FundEntryOut,
    ReverseIn,
    ServiceRowOut,
)

router = Router(tags=["brands 服务品牌"])


def _brand_out(brand: Brand, figures: selectors.BrandFigures) -> BrandOut:
    return BrandOut(
        id=brand.pk,
        name=brand.name,
        area_id=brand.area_id,
        area=brand.area.name,
        active=brand.active,
        communities=[c.pk for c in brand.communities.all()],
        categories=[c.code for c in brand.categories.all()],
        target_tags=[t.code for t in brand.target_tags.all()],
        partners=[o.name for o in brand.partners.all()],
        volunteers=figures.volunteers,
        orders=figures.orders,
        resolved=figures.resolved,
        person_times=figures.person_times,
        activities=figures.activities,
        funds_received=brand.funds_received,
        funds_spent=brand.funds_spent,
        funds_advanced=brand.funds_advanced,
        balance=brand.balance,
    )


def _entry_out(entry: FundEntry) -> FundEntryOut:
    return FundEntryOut(
        id=entry.pk,
        kind=entry.kind,
        amount=entry.amount,
        occurred_on=entry.occurred_on,
        purpose=entry.purpose,
        voucher=entry.voucher,
        source_id=entry.source_id,
        reverses_id=entry.reverses_id,
        created_by=str(entry.created_by or ""),
    )


@router.get("/", response=list[BrandOut])
def brand_list(request: AuthedRequest) -> list[BrandOut]:
    brands = list(
        selectors.brands_visible_to(request.user).prefetch_related(
            "communities", "categories", "target_tags", "partners"
        )
    )
    figures = selectors.brand_figures(brands)
    return [_brand_out(b, figures[b.pk]) for b in brands]


@router.get("/surveys", response=list[CampaignOut])
def campaign_list(request: AuthedRequest) -> list[CampaignOut]:
    out = []
    for c in selectors.campaigns_visible_to(request.user)[:500]:
        figures = selectors.campaign_figures(request.user, c)
        out.append(
            CampaignOut(
                id=c.pk,
                name=c.name,
                area_id=c.area_id,
                start_date=c.start_date,
                end_date=c.end_date,
                team=c.team,
                households=figures.households,
                persons=figures.persons,
            )
        )
    return out


@router.get("/services", response=list[ServiceRowOut])
def service_list(
    request: AuthedRequest, place: int, campaign: int | None = None
) -> list[ServiceRowOut]:
    area = get_in_scope(Place.objects.visible_to(request.user), pk=place)
    chosen = selectors.access_campaign_for_user(request.user, campaign) if campaign else None
    return [
        ServiceRowOut(
            category=r.category.code,
            category_name=r.category.name,
            households=r.households,
            persons=r.persons,
            orders=r.orders,
            volunteers=r.volunteers,
            brands=[b.name for b in r.brands],
            organisations=r.organisations,
        )
        for r in selectors.service_list(request.user, area, chosen)
    ]


@router.get("/{pk}", response=BrandOut)
def brand_detail(request: AuthedRequest, pk: int) -> BrandOut:
    brand = selectors.access_brand_for_user(request.user, pk)
    return _brand_out(brand, selectors.brand_figures([brand])[brand.pk])


@router.get("/{pk}/funds", response=list[FundEntryOut])
def fund_list(request: AuthedRequest, pk: int) -> list[FundEntryOut]:
    brand = selectors.access_brand_for_user(request.user, pk)
    return [_entry_out(e) for e in selectors.fund_entries(brand)]


@router.post("/{pk}/funds", response={201: FundEntryOut})
def fund_add(request: AuthedRequest, pk: int, payload: FundEntryIn) -> Status:
    brand = selectors.access_brand_for_user(request.user, pk)
    source = None
    if payload.source_id is not None:
        source = get_in_scope(brand.partners.all(), pk=payload.source_id)
    entry = do_record_fund_entry(
        brand,
        actor=request.user,
        kind=payload.kind,
        amount=payload.amount,
        occurred_on=payload.occurred_on,
        purpose=payload.purpose,
        voucher=payload.voucher,
        source=source if isinstance(source, Organisation) else None,
    )
    return Status(201, _entry_out(entry))


@router.post("/funds/{pk}/reverse", response={201: FundEntryOut})
def fund_reverse(request: AuthedRequest, pk: int, payload: ReverseIn) -> Status:
    entry = selectors.access_fund_entry_for_user(request.user, pk)
    return Status(
        201, _entry_out(do_reverse_fund_entry(entry, actor=request.user, reason=payload.reason))
    )


@router.post("/{pk}/orders", response={201: BrandOrderOut})
def attribute_order(request: AuthedRequest, pk: int, payload: AttributeIn) -> Status:
    brand = selectors.access_brand_for_user(request.user, pk)
    case = get_in_scope(Case.objects.visible_to(request.user), pk=payload.case_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=payload.assignee_id).first()
    link: BrandOrder = do_attribute_order(brand, case, actor=request.user, assignee=assignee)
    case.refresh_from_db()
    return Status(
        201,
        BrandOrderOut(
            id=link.pk,
            brand_id=brand.pk,
            case_id=case.pk,
            case_number=case.number,
            status=case.status,
        ),
    )
