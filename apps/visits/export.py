"""Coverage of one cycle for an area as CSV or Excel (openpyxl): the figures, the assignees,
the households not visited (with who held them and the reasons given) and those with no holder.
"""

import io
from collections.abc import Iterator

from openpyxl import Workbook

from apps.core.cells import SafeWriter, safe_row
from apps.places.models import Place

from . import selectors
from .models import VisitCycle

LIST_HEAD = ["类别", "户/地点", "走访人", "状态", "未能入户原因"]
ASSIGNEE_HEAD = ["走访人", "应走访", "已走访", "未能入户", "逾期未访", "走访率(%)", "是否达标"]


def _list_rows(cycle: VisitCycle, area: Place) -> Iterator[list[str]]:
    missing = list(selectors.not_visited(cycle, area))
    held = selectors.tasks_by_place(cycle, missing)
    for place in missing:
        for task in held.get(place.pk, []):
            yield [
                "未走访",
                selectors.place_label(place),
                task.assignee.name,
                task.get_status_display(),
                task.reason,
            ]
    for place in selectors.without_holder(cycle, area).iterator(chunk_size=2000):
        yield ["无责任人", selectors.place_label(place), "", "", ""]


def _summary(cover: selectors.CycleCoverage) -> list[list[object]]:
    return [
        ["计划", cover.cycle.plan.name],
        ["走访日", f"{cover.cycle.occurrence:%Y-%m-%d}"],
        ["截止日", f"{cover.cycle.window_end:%Y-%m-%d}"],
        ["区域", cover.area.name],
        ["户/地点总数", cover.targets],
        ["应走访", cover.due],
        ["已走访", cover.visited],
        ["未走访", cover.not_visited],
        ["无责任人", cover.no_holder],
        ["走访率(%)", cover.percent if cover.percent is not None else ""],
    ]


def _assignee_rows(cover: selectors.CycleCoverage) -> list[list[object]]:
    return [
        [
            r.name,
            r.due,
            r.done,
            r.unreachable,
            r.missed,
            r.percent,
            "未达标" if r.below_target else "达标",
        ]
        for r in cover.assignees
    ]


def coverage_csv(cycle: VisitCycle, area: Place) -> bytes:
    """UTF-8 with a BOM (Excel on Windows opens it in Chinese): the summary, then the lists."""
    cover = selectors.cycle_coverage(cycle, area)
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerows(_summary(cover))
    writer.writerow([])
    writer.writerow(LIST_HEAD)
    writer.writerows(_list_rows(cycle, area))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def coverage_xlsx(cycle: VisitCycle, area: Place) -> bytes:
    """Sheets 汇总, 按走访人, 未走访及无责任人."""
    cover = selectors.cycle_coverage(cycle, area)
    book = Workbook(write_only=True)
    for title, head, rows in (
        ("汇总", None, _summary(cover)),
        ("按走访人", ASSIGNEE_HEAD, _assignee_rows(cover)),
        ("未走访及无责任人", LIST_HEAD, _list_rows(cycle, area)),
    ):
        sheet = book.create_sheet(title)
        if head:
            sheet.append(safe_row(head))
            sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
