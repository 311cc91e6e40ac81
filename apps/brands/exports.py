"""The service list (服务清单) as an Excel workbook (openpyxl)."""

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.cells import safe_row
from apps.places.models import Place

from .selectors import ServiceRow

HEADERS = ["服务类别", "需求户数", "需求人数", "已转点单", "技能匹配志愿者", "承接品牌", "共建单位"]


def service_list_xlsx(area: Place, campaign: Any, rows: list[ServiceRow]) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "服务清单"
    title = f"{area.name}服务清单" + (f"（{campaign.name}）" if campaign else "")
    sheet.append(safe_row([title]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            safe_row(
                [
                    row.category.name,
                    row.households,
                    row.persons,
                    row.orders,
                    row.volunteers,
                    "、".join(b.name for b in row.brands),
                    "、".join(row.organisations),
                ]
            )
        )
    for column, width in zip("ABCDEFG", (16, 10, 10, 10, 14, 28, 40), strict=True):
        sheet.column_dimensions[column].width = width
    return book
