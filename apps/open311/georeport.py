"""Gongzhi's cases in GeoReport v2 terms: services from categories, requests from cases,
updates (mySociety's extension) from case events.

Only what a reporting client needs leaves the system: no staff names, no reporter's phone or
name, only the public labels of statuses and steps.
"""

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from apps.cases.choices import OPEN_STATUSES, Action, CaseKind, Status
from apps.cases.models import Case, CaseEvent, Category
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .attributes import service_attributes

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["application/json", "text/xml"]

# mySociety's update statuses for each case status.
UPDATE_STATUS = {
    Status.SUBMITTED: "open",
    Status.ACCEPTED: "investigating",
    Status.ESCALATED: "internal_referral",
    Status.RETURNED: "investigating",
    Status.DISPATCHED: "action_scheduled",
    Status.CLAIMED: "action_scheduled",
    Status.IN_PROGRESS: "in_progress",
    Status.RESOLVED: "fixed",
    Status.EVALUATED: "fixed",
    Status.CLOSED: "closed",
    Status.MERGED: "duplicate",
    Status.CANCELLED: "no_further_action",
}


def when(value: dt.datetime | None) -> str | None:
    """W3C date-time in the server's time zone, e.g. 2026-05-01T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def statuses_for(value: str) -> list[str]:
    """The case statuses behind GeoReport's `open` or `closed`."""
    opened = sorted(str(s) for s in OPEN_STATUSES)
    return opened if value == "open" else sorted(set(Status.values) - set(opened))


def service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(category.form_fields),
        "type": "realtime",
        "keywords": "，".join(category.materials_list) or None,
        "group": category.parent.name if category.parent_id else None,
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": service_attributes(category)}


def service_notice(category: Category) -> str:
    limit = category.limit_text("resolve")
    materials = "、".join(category.materials_list)
    notice = f"办结时限{limit}"
    return f"{notice}；请备齐：{materials}" if materials else notice


def media_url(case: Case, absolute: Any) -> str | None:
    photos = list(case.attachments.all())
    if photos:
        return absolute(photos[0].file.url)
    url = (case.attributes or {}).get("media_url")
    return str(url) if url else None


def request(case: Case, absolute: Any) -> dict[str, Any]:
    """One case as a GeoReport request; `absolute` turns a path into a full URL."""
    place = case.place
    lat = case.lat if case.lat is not None else place.lat
    lng = case.lng if case.lng is not None else place.lng
    agency = case.handling_unit.name
    if case.department_id:
        agency = f"{agency}·{case.department.name}"
    updated = case.closed_at if case.status == Status.CLOSED else case.updated_at
    return {
        "service_request_id": str(case.pk),
        "status": open_or_closed(case.status),
        "status_notes": Status(case.status).label,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description or case.title,
        "agency_responsible": agency,
        "service_notice": service_notice(case.category),
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(updated or case.updated_at),
        "expected_datetime": when(case.resolve_by),
        "address": place.address or place.name,
        "address_id": place.code,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": media_url(case, absolute),
    }


def update(event: CaseEvent) -> dict[str, Any]:
    """One step of a case as a mySociety service request update."""
    status = event.to_status or event.case.status
    text = Action(event.action).label
    if event.to_status and event.to_status != event.from_status:
        text = f"{text}：{Status(event.to_status).label}"
    return {
        "update_id": str(event.pk),
        "service_request_id": str(event.case_id),
        "status": UPDATE_STATUS.get(Status(status), "open"),
        "updated_datetime": when(event.at),
        "description": text,
        "media_url": None,
    }


# Public read mode (GONGZHI_OPEN311_PUBLIC_READ): what anyone may read without a key.
# Only matters of public space: a dispute between neighbours, an errand or a service order is
# about people, never public.
PUBLIC_KINDS = (CaseKind.NEED, CaseKind.HAZARD, CaseKind.EVENT)
# A request is located by its area, never by the home: household, unit and building are
# replaced by the compound (or grid, or community) that holds them.
PRIVATE_PLACES = {PlaceKind.HOUSEHOLD, PlaceKind.UNIT, PlaceKind.BUILDING}
PUBLIC_DESCRIPTION_CHARS = 200
_DIGITS = re.compile(r"[0-9０-９][0-9０-９ -]{5,}[0-9０-９Xx]")  # phones, ID and card numbers
_ROOM = re.compile(
    r"[0-9０-９A-Za-z]+\s*(?:[-－#号]\s*)?[0-9０-９]*\s*(?:室|栋|幢|单元|号楼|楼|户|房)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def public_area(place: Place) -> Place:
    """The first place at or above `place` that is not a home (needs parents loaded)."""
    area = place
    while area.kind in PRIVATE_PLACES and area.parent is not None:
        area = area.parent
    return area


def public_description(case: Case, names: list[str]) -> str:
    """The public part of the description: its first paragraph, before the address line Open311
    adds, without names of the people on the case, numbers of 7 digits or more (phones, IDs),
    e-mail addresses, and building, unit or room numbers; at most 200 characters."""
    text = (case.description or case.title).split("\n地址：")[0].strip()
    text = text.split("\n")[0].strip() or case.category.name
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, "某某")
    text = _EMAIL.sub("***", text)
    text = _DIGITS.sub("***", text)
    text = _ROOM.sub("***", text)
    if len(text) > PUBLIC_DESCRIPTION_CHARS:
        text = text[: PUBLIC_DESCRIPTION_CHARS - 1] + "…"
    return text


def public_request(case: Case, names: list[str]) -> dict[str, Any]:
    """One case as anyone may read it: area, category, status, dates and the public part of
    the description. No reporter, no staff, no household or room, no photo, no coordinates
    of the home (the area's own point)."""
    area = public_area(case.place)
    updated = case.closed_at if case.status == Status.CLOSED else case.updated_at
    return {
        "service_request_id": str(case.pk),
        "status": open_or_closed(case.status),
        "status_notes": Status(case.status).label,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": public_description(case, names),
        "agency_responsible": case.handling_unit.name,
        "service_notice": service_notice(case.category),
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(updated or case.updated_at),
        "expected_datetime": when(case.resolve_by),
        "address": area.name,
        "address_id": area.code,
        "zipcode": None,
        "lat": area.lat,
        "long": area.lng,
        "media_url": None,
    }
