"""Parsers for one cell of a ledger: each turns a raw value (str, number, date from Excel)
into a Python value or raises CellError with a Chinese message for the clerk."""

import re
from datetime import date, datetime
from typing import Any

from apps.core.validators import id_number_error, normalise_id_number, normalise_phone, phone_error

from .choices import LIST_SEPARATORS

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SPLIT_RE = re.compile("[" + re.escape(LIST_SEPARATORS) + "]")
YES = {"是", "有", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "n", "no", "false", "0", "×"}


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the clerk as is."""


def as_text(value: Any) -> str:
    """A cell as stripped text; whole floats (Excel's numbers) lose their “.0”."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def text(value: Any) -> str:
    return as_text(value)


def code(value: Any) -> str:
    """A place code: digits with an optional letter (S, C, M, H, F) for special places."""
    result = as_text(value).upper()
    if not re.fullmatch(r"[0-9A-Z]+", result):
        raise CellError("编码只能包含数字和字母")
    return result


def id_number(value: Any) -> str:
    if isinstance(value, float) and value > 1e15:
        raise CellError("身份证号被Excel当作数字保存而丢失了末几位，请把该列设为文本格式")
    result = normalise_id_number(as_text(value))
    if "*" in result:
        raise CellError("身份证号已打码，无法导入，请使用完整号码")
    error = id_number_error(result)
    if error:
        raise CellError(error)
    return result


def phone(value: Any) -> str:
    result = normalise_phone(as_text(value))
    if "*" in result:
        raise CellError("电话号码已打码，无法导入，请使用完整号码")
    error = phone_error(result)
    if error:
        raise CellError(error)
    return result


def a_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = as_text(value)
    if re.fullmatch(r"\d{8}", raw):
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    match = _DATE_RE.match(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError(f"日期“{raw}”无效，应如 2024-03-01") from None


def yes_no(value: Any) -> bool:
    raw = as_text(value).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise CellError(f"“{raw}”应填“是”或“否”")


def number(value: Any) -> float:
    try:
        return float(as_text(value))
    except ValueError:
        raise CellError(f"“{as_text(value)}”不是数字") from None


def whole_number(value: Any) -> int:
    result = number(value)
    if not result.is_integer() or result < 0:
        raise CellError(f"“{as_text(value)}”应为不小于0的整数")
    return int(result)


def names(value: Any) -> list[str]:
    """“独居老人、高龄” → ["独居老人", "高龄"]; duplicates dropped, order kept."""
    return list(dict.fromkeys(p.strip() for p in _SPLIT_RE.split(as_text(value)) if p.strip()))


def choice(labels: dict[str, str], what: str):
    """A parser accepting a choice's Chinese label (or its stored value)."""
    allowed = "、".join(labels)

    def parse(value: Any) -> str:
        raw = as_text(value)
        if raw in labels:
            return labels[raw]
        if raw in labels.values():
            return raw
        raise CellError(f"未知的{what}“{raw}”，可选：{allowed}")

    return parse


WEEKDAYS = {
    "周一": "mon",
    "周二": "tue",
    "周三": "wed",
    "周四": "thu",
    "周五": "fri",
    "周六": "sat",
    "周日": "sun",
}
_SLOT_RE = re.compile(r"^(周[一二三四五六日])\s*(全天|\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2})$")


def availability(value: Any) -> dict[str, list[str]]:
    """“周一08:00-12:00、周六全天” → {"mon": ["08:00-12:00"], "sat": ["00:00-24:00"]}."""
    result: dict[str, list[str]] = {}
    for item in names(value):
        match = _SLOT_RE.match(item)
        if match is None:
            raise CellError(f"可服务时间“{item}”格式不正确，应如“周一08:00-12:00、周六全天”")
        slot = "00:00-24:00" if match[2] == "全天" else match[2].replace(" ", "")
        result.setdefault(WEEKDAYS[match[1]], []).append(slot)
    return result


def format_availability(value: dict[str, list[str]]) -> str:
    days = {v: k for k, v in WEEKDAYS.items()}
    return "、".join(
        f"{days[day]}{'全天' if slot == '00:00-24:00' else slot}"
        for day in WEEKDAYS.values()
        for slot in value.get(day, [])
    )


_CERT_RE = re.compile(r"^([^（(]+)(?:[（(]([^）)]*)[）)])?$")


def certificates(value: Any) -> list[dict[str, str]]:
    """“持证社工（S123）、急救员” → [{"name": "持证社工", "number": "S123"}, …]."""
    result = []
    for item in names(value):
        match = _CERT_RE.match(item)
        if match is None:
            raise CellError(f"证书“{item}”格式不正确，应如“持证社工（证书编号）”")
        result.append({"name": match[1].strip(), "number": (match[2] or "").strip()})
    return result


def format_certificates(value: list[dict[str, str]]) -> str:
    return "、".join(
        f"{c.get('name', '')}（{c['number']}）" if c.get("number") else c.get("name", "")
        for c in value or []
    )
