"""Validation of Chinese identifiers, with messages a clerk can act on."""

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def id_number_error(value: str) -> str | None:
    """Return a Chinese message for an invalid GB 11643 citizen ID number, or None if valid."""
    value = normalise_id_number(value)
    if not _ID_RE.match(value):
        return "身份证号应为18位：前17位数字，最后一位数字或X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    expected = id_check_char(value[:17])
    if value[17] != expected:
        return f"身份证号校验位错误（应为{expected}）"
    return None


def birth_date_from_id(value: str) -> date | None:
    value = normalise_id_number(value)
    if id_number_error(value):
        return None
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex_from_id(value: str) -> str:
    value = normalise_id_number(value)
    return "M" if int(value[16]) % 2 else "F"


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", (value or "").strip()).replace("+86", "")


def phone_error(value: str) -> str | None:
    value = normalise_phone(value)
    if _MOBILE_RE.match(value) or _LANDLINE_RE.match(value):
        return None
    return "电话号码格式不正确（手机号11位，座机如0797-1234567）"


# C0 control characters other than tab, newline and carriage return: XML 1.0 cannot carry them
# (one such character made a whole Open311 requests.xml unreadable), and no person types them.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control_chars(value: str) -> str:
    return _CONTROL_RE.sub("", value)


class ControlCharsStripped:
    """A form mixin for intake from the public (portal, Open311 POST): control characters are
    removed from every text value before the form's own checks run."""

    cleaned_data: dict

    def _clean_fields(self) -> None:
        super()._clean_fields()  # type: ignore[misc]
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, str):
                self.cleaned_data[name] = strip_control_chars(value)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                self.cleaned_data[name] = [strip_control_chars(v) for v in value]


# A form's one-time token (resubmitting the same page makes one record, not two).
FORM_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
