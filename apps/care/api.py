"""/api/v1/care: pairings (list, detail, create), contacts, the care group of an area."""

import datetime as dt
from typing import Any, cast

from django.http import Http404
from django.utils import timezone
from ninja import Router
from ninja.errors import ValidationError as ApiValidationError
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.accounts.scoping import get_in_scope
from apps.cases.models import Category
from apps.core.paging import PageNumberPagination
from apps.people.models import Person
from apps.people.selectors import access_person_for_user
from apps.places.api import action_errors
from apps.places.schemas import ErrorOut
from apps.places.selectors import access_place_for_user

from . import selectors
from .actions import do_create_pairing, do_record_contact
from .filters import CareGroupFilter, PairingFilter
from .models import Pairing
from .schemas import CareGroupOut, ContactIn, ContactOut, PairingDetailOut, PairingIn, PairingOut

router = Router(tags=["care 结对关爱"])
GROUP_ROWS = 500


def _bad_filter(form: Any) -> None:
    """A place outside the scope is 404 (as on the pages); other bad criteria are 422."""
    if form.is_bound and not form.is_valid():
        if "place" in form.errors:
            raise Http404("未找到，或不在您的管辖范围内")
        raise ApiValidationError(
            [
                {"loc": ["query", k], "msg": "；".join(str(m) for m in v), "type": "value_error"}
                for k, v in form.errors.items()
            ]
        )


@router.get("/pairings", response=list[PairingOut])
@paginate(PageNumberPagination, page_size=100)
def list_pairings(request: AuthedRequest) -> Any:
    schools = selectors.schools_in_scope(request.user)
    form = PairingFilter(request.GET or None, user=request.user, schools=schools)
    _bad_filter(form)
    return selectors.pairing_list(request.user, form)


@router.get("/pairings/{int:pairing_id}", response=PairingDetailOut)
def get_pairing(request: AuthedRequest, pairing_id: int) -> Pairing:
    return selectors.access_pairing_for_user(request.user, pairing_id)


@router.post("/pairings", response={201: PairingOut, 403: ErrorOut, 422: ErrorOut})
def create_pairing(request: AuthedRequest, payload: PairingIn) -> tuple[int, Pairing]:
    person = access_person_for_user(request.user, payload.person)
    carer = get_in_scope(Person.objects.visible_to(request.user), pk=payload.carer)
    school = None
    if payload.school is not None:
        school = get_in_scope(selectors.schools_in_scope(request.user), pk=payload.school)
    with action_errors():
        pairing = do_create_pairing(
            actor=request.user,
            person=person,
            carer=carer,
            carer_kind=payload.carer_kind,
            school=school,
            start_date=payload.start_date,
            note=payload.note,
        )
    return 201, selectors.access_pairing_for_user(request.user, pairing.pk)


@router.post(
    "/pairings/{int:pairing_id}/contacts",
    response={201: ContactOut, 403: ErrorOut, 422: ErrorOut},
)
def record_contact(request: AuthedRequest, pairing_id: int, payload: ContactIn) -> tuple[int, Any]:
    pairing = selectors.access_pairing_for_user(request.user, pairing_id)
    category = None
    if payload.need_category:
        category = Category.objects.filter(code=payload.need_category, active=True).first()
    with action_errors():
        contact = do_record_contact(
            pairing,
            actor=request.user,
            kind=payload.kind,
            contacted_on=payload.contacted_on,
            notes=payload.notes,
            needs=payload.needs,
            need_category=category,
            need_title=payload.need_title,
        )
    return 201, contact


@router.get("/group", response=CareGroupOut)
def care_group(request: AuthedRequest) -> dict[str, Any]:
    """The care group of an area (default: the account's scope) or a school: figures and up
    to 500 rows, unpaired first, then the longest without contact."""
    schools = selectors.schools_in_scope(request.user)
    form = CareGroupFilter(request.GET or None, user=request.user, schools=schools)
    _bad_filter(form)
    data = form.cleaned_data if form.is_bound else {}
    if request.user.scope_id is None and not data.get("place"):
        raise Http404("请选择区域")
    place = data.get("place") or access_place_for_user(request.user, request.user.scope_id)
    today, days, tag = timezone.localdate(), form.stale_days(), form.tag_code()
    school = data.get("school")
    people = selectors.care_group_people(request.user, place, tag=tag, school=school, on=today)
    figures = selectors.care_group_figures(people, days=days, on=today)
    since = today - dt.timedelta(days=days)
    rows = [
        {
            "person": p.pk,
            "name": p.name,
            "household": p.place_id,
            "paired": p.paired,
            "carers": [r.carer.name for r in p.running],
            "last_contact": p.last_contact,
            "stale": p.paired and (p.last_contact is None or p.last_contact < since),
        }
        for p in cast(list[Any], list(selectors.care_group_rows(people, on=today)[:GROUP_ROWS]))
    ]
    return {
        "place": place.pk,
        "school": school.pk if school else None,
        "tag": tag,
        "days": days,
        **vars(figures),
        "percent": figures.percent,
        "rows": rows,
    }
