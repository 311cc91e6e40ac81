"""Excel exports (openpyxl): the volunteer list as filtered, and the 双报告 monthly report."""

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
REPORT_HEAD = ["单位", "报到社区", "月份", "服务党员(人)", "服务次数", "服务时长(小时)"]


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


def dual_report_workbook(lines: Iterable[Any], month_label: str) -> bytes:
    """`lines`: objects with organisation, community, members, services and hours."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("双报告")
    ws.append(REPORT_HEAD)
    for line in lines:
        ws.append(
            safe_row(
                [
                    line.organisation.name,
                    line.community.name,
                    month_label,
                    line.members,
                    line.services,
                    float(line.hours),
                ]
            )
        )
    return _save(wb)
