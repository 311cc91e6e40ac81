from typing import Any

from django import template

from ..choices import LAMP_CSS, Lamp

register = template.Library()


@register.filter
def lamp_css(value: Any) -> str:
    return LAMP_CSS.get(Lamp(int(value or 0)), "green")


@register.filter
def lamp_label(value: Any) -> str:
    return str(Lamp(int(value or 0)).label)
