"""Gongzhi's cases in GeoReport v2 terms: services from categories, requests from cases,
updates (mySociety's extension) from case events.

Only what a reporting client needs leaves the system: no staff names, no reporter's phone or
name, only the public labels of statuses and steps.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.cases.choices import OPEN_STATUSES, Action, Status
from apps.cases.models import Case, CaseEvent, Category

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
