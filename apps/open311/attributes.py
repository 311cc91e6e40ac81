"""A category's form fields as Open311 service attributes, and the checking of submitted values.

The catalogue stores each field as `{"code", "label", "datatype", "required", "values",
"description"}`; Open311 clients and the resident portal both read and fill them through here.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from apps.cases.models import Category

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LISTS = ("singlevaluelist", "multivaluelist")
MAX_VALUE_CHARS = 500


def _values(field: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    for item in field.get("values") or field.get("choices") or []:
        if isinstance(item, Mapping):
            out.append({"key": str(item.get("key", "")), "name": str(item.get("name", ""))})
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            out.append({"key": str(item[0]), "name": str(item[1])})
        else:
            out.append({"key": str(item), "name": str(item)})
    return out


def service_attributes(category: Category) -> list[dict[str, Any]]:
    """The Open311 attribute definitions of `category`, in the order of its form fields."""
    attributes = []
    for order, field in enumerate(category.form_fields or [], start=1):
        datatype = field.get("datatype") or "string"
        attributes.append(
            {
                "variable": bool(field.get("variable", True)),
                "code": str(field["code"]),
                "datatype": datatype if datatype in DATATYPES else "string",
                "required": bool(field.get("required", False)),
                "datatype_description": field.get("datatype_description") or None,
                "order": order,
                "description": str(field.get("label") or field.get("description") or field["code"]),
                "values": _values(field),
            }
        )
    return attributes


def _check(attribute: Mapping[str, Any], values: list[str]) -> tuple[Any, str | None]:
    datatype = attribute["datatype"]
    label = attribute["description"]
    if any(len(v) > MAX_VALUE_CHARS for v in values):
        return None, f"“{label}”过长"
    if datatype in LISTS:
        keys = {v["key"] for v in attribute["values"]}
        if any(v not in keys for v in values):
            return None, f"“{label}”的取值不在可选范围内"
        return (values if datatype == "multivaluelist" else values[0]), None
    value = values[0]
    if datatype == "number":
        try:
            return float(value), None
        except ValueError:
            return None, f"“{label}”应为数字"
    if datatype == "datetime":
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return None, f"“{label}”应为日期时间（如 2026-05-01T09:30）"
    return value, None


def clean_attributes(
    category: Category, submitted: Mapping[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(values by code, errors by code) for the submitted `{code: [value, …]}`; codes the
    category does not define are ignored."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for attribute in service_attributes(category):
        code = attribute["code"]
        values = [v.strip() for v in submitted.get(code, []) if v and v.strip()]
        if not values:
            if attribute["required"] and attribute["variable"]:
                errors[code] = f"请填写“{attribute['description']}”"
            continue
        value, error = _check(attribute, values)
        if error:
            errors[code] = error
        else:
            cleaned[code] = value
    return cleaned, errors
