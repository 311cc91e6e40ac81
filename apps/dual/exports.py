"""Excel export (openpyxl) of the 双报告 monthly report."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from apps.core.cells import safe_row

REPORT_HEAD = ["单位", "报到社区", "月份", "服务党员(人)", "服务次数", "服务时长(小时)"]


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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
