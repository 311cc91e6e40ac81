"""Personal data in templates, shown as far as the viewer's right goes (ADR 0016)."""

from datetime import date
from typing import Any

from django import template
from django.utils.formats import date_format

from apps.core import crypto

register = template.Library()


@register.filter
def birth_for(value: date | None, user: Any) -> str:
    """The birth date to those who may reveal personal data, the year (1985年) to the others:
    with the masked ID number beside it, a full date would give back eight hidden digits."""
    shown = crypto.shown_birth(value, full=bool(getattr(user, "can_reveal_personal_data", False)))
    if shown is None:
        return ""
    if isinstance(shown, date):
        return date_format(shown, "Y-m-d")
    return f"{shown}年"
