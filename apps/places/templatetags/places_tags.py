from datetime import date

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
def percent(part: int, whole: int) -> str:
    """1 of 3 -> "33.3%"; an empty whole reads as "—"."""
    return f"{100 * part / whole:.1f}%" if whole else "—"
