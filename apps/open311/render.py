"""Responses in the two formats of GeoReport v2: JSON, and XML with the spec's element names.

XML wraps a list in a plural element and each item in a singular one (`<services><service>`,
`<service_requests><request>`, `<errors><error>`); nested lists do the same (`<attributes>
<attribute>`, `<values><value>`, `<endpoints><endpoint>`, `<formats><format>`).
"""

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from apps.core.validators import strip_control_chars

# Singular element name of each list-valued field.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    """Element text; characters XML 1.0 cannot carry are left out, so one stored control
    character can never make the feed unreadable (intake strips them too)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return strip_control_chars(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, name), item)
    else:
        element.text = _text(value)


def to_xml(data: Any, root: str, item: str | None) -> bytes:
    element = ET.Element(root)
    if item is None:
        _fill(element, data)
    else:
        for row in data:
            _fill(ET.SubElement(element, item), row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def respond(data: Any, fmt: str, root: str, item: str | None, status: int = 200) -> HttpResponse:
    """`data` (a list of rows when `item` names them, else one object) in `fmt`."""
    if fmt == "xml":
        return HttpResponse(
            to_xml(data, root, item), status=status, content_type="text/xml; charset=utf-8"
        )
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error list: `[{"code": 400, "description": "…"}]`."""
    rows = [{"code": status, "description": text} for text in descriptions]
    return respond(rows, fmt, "errors", "error", status=status)
