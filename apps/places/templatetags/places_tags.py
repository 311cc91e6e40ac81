from datetime import date
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(birth_date: date | None) -> int | str:
    """Full years of age today, or "" when the birth date is unknown."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


@register.filter
def age_for(birth_date: date | None, user: Any) -> int | str:
    """Full years of age to those who may reveal personal data; to the others the difference
    of the years only, so the age shown beside a masked ID number tells no more than the birth
    year (ADR 0016)."""
    if not birth_date:
        return ""
    if getattr(user, "can_reveal_personal_data", False):
        return age(birth_date)
    return timezone.localdate().year - birth_date.year


@register.filter
def percent(part: int, whole: int) -> str:
    """1 of 3 -> "33.3%"; an empty whole reads as "—"."""
    return f"{100 * part / whole:.1f}%" if whole else "—"
