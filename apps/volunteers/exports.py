"""Excel export (openpyxl) of the volunteer list as filtered."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from apps.core.cells import safe_row

from .selectors import star_level, star_name

VOLUNTEER_HEAD = [
    "姓名",
    "所在地",
    "状态",
    "技能",
    "证书",
    "认定时长(小时)",
    "星级",
    "积分余额",
    "爽约次数",
    "注册日期",
]


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def volunteers_workbook(rows: Iterable[Any]) -> bytes:
    """`rows` from selectors.volunteer_rows (annotated); phones are never exported."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("志愿者")
    ws.append(VOLUNTEER_HEAD)
    for v in rows:
        ws.append(
            safe_row(
                [
                    v.person.name,
                    v.person.place.name,
                    v.get_status_display(),
                    "、".join(s.name for s in v.skills.all()),
                    "、".join(str(c.get("name", "")) for c in v.certificates or []),
                    float(v.approved_hours),
                    star_name(star_level(v.approved_hours)),
                    v.balance,
                    v.no_show_count,
                    v.registered_on.isoformat() if v.registered_on else "",
                ]
            )
        )
    return _save(wb)
