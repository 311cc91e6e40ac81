"""The parameters of GeoReport calls: the filters of GET requests and updates, and the fields
of POST requests. Errors are plain sentences, sent back as the spec's error list."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.validators import ControlCharsStripped, normalise_phone, phone_error

MAX_SPAN = dt.timedelta(days=90)
MAX_ROWS = 1000


def _moment(value: str, name: str) -> dt.datetime:
    parsed = parse_datetime(value.strip().replace(" ", "+")) if value else None
    if parsed is None:
        raise ValidationError(f"{name} 应为 W3C 日期时间，如 2026-05-01T00:00:00+08:00")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _csv(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def error_texts(form: forms.Form, *, named: bool = False) -> list[str]:
    """The form's errors as sentences, prefixed with the parameter's name when `named`."""
    return [
        f"{field}：{message}" if named and field != "__all__" else str(message)
        for field, messages in form.errors.items()
        for message in messages
    ]


class PeriodForm(forms.Form):
    """start_date / end_date: at most 90 days apart; the last 90 days when neither is given."""

    start_date = forms.CharField(required=False)
    end_date = forms.CharField(required=False)

    def clean_start_date(self) -> dt.datetime | None:
        value = self.cleaned_data["start_date"]
        return _moment(value, "start_date") if value else None

    def clean_end_date(self) -> dt.datetime | None:
        value = self.cleaned_data["end_date"]
        return _moment(value, "end_date") if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start, end = data.get("start_date"), data.get("end_date")
        if start is None:
            end = end or timezone.now()
            start = end - MAX_SPAN
        elif end is None:
            end = start + MAX_SPAN
        if end < start:
            raise ValidationError("end_date 不能早于 start_date")
        if end - start > MAX_SPAN:
            raise ValidationError("start_date 与 end_date 相隔不能超过 90 天")
        data["start_date"], data["end_date"] = start, end
        return data


class RequestFilter(PeriodForm):
    """GET requests: service_request_id (a list, overriding everything else), service_code,
    status (open, closed), start_date, end_date."""

    service_request_id = forms.CharField(required=False)
    service_code = forms.CharField(required=False)
    status = forms.CharField(required=False)

    def clean_service_request_id(self) -> list[int]:
        ids = _csv(self.cleaned_data["service_request_id"])
        if not all(i.isdigit() and len(i) < 18 for i in ids):
            raise ValidationError("service_request_id 应为以逗号分隔的编号")
        return [int(i) for i in ids]

    def clean_service_code(self) -> list[str]:
        return _csv(self.cleaned_data["service_code"])

    def clean_status(self) -> list[str]:
        values = [v.lower() for v in _csv(self.cleaned_data["status"])]
        if any(v not in ("open", "closed") for v in values):
            raise ValidationError("status 只能是 open 或 closed")
        return values


class RequestForm(ControlCharsStripped, forms.Form):
    """POST requests. A location is required: lat and long, address_string or address_id."""

    service_code = forms.CharField(max_length=40, error_messages={"required": "缺少 service_code"})
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=200)
    address_id = forms.CharField(required=False, max_length=40)
    description = forms.CharField(required=False, max_length=4000)
    email = forms.EmailField(required=False, max_length=200)
    phone = forms.CharField(required=False, max_length=30)
    first_name = forms.CharField(required=False, max_length=30)
    last_name = forms.CharField(required=False, max_length=30)
    device_id = forms.CharField(required=False, max_length=100)
    account_id = forms.CharField(required=False, max_length=100)
    media_url = forms.URLField(required=False, max_length=500)

    def clean_phone(self) -> str:
        value = normalise_phone(self.cleaned_data["phone"])
        if value and phone_error(value):
            raise ValidationError(phone_error(value) or "")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lat") is not None and data.get("long") is not None
        if not (has_point or data.get("address_string") or data.get("address_id")):
            raise ValidationError("请提供位置：lat 和 long、address_string 或 address_id")
        return data

    @property
    def reporter_name(self) -> str:
        # Chinese order: family name first.
        d = self.cleaned_data
        return f"{d.get('last_name', '')}{d.get('first_name', '')}".strip()
