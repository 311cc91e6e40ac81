from django.db import models

from apps.duties.choices import DutyKind
from apps.places.choices import PlaceKind


class VisitKind(models.TextChoices):
    HOUSEHOLD = "household", "入户走访"
    GRID_PATROL = "grid_patrol", "网格巡查"
    HAZARD = "hazard", "隐患排查"
    SAFETY = "safety", "安全检查"


class TaskStatus(models.TextChoices):
    """planned → due (the window opens) → done | unreachable (未能入户, with a reason) | missed
    (the window closed). Only `done` counts as visited."""

    PLANNED = "planned", "待走访"
    DUE = "due", "走访中"
    DONE = "done", "已走访"
    UNREACHABLE = "unreachable", "未能入户"
    MISSED = "missed", "逾期未访"


class TaskKind(models.TextChoices):
    ROUND = "round", "周期走访"
    REINSPECT = "reinspect", "隐患复查"


class RectificationStatus(models.TextChoices):
    """open: waiting for the re-inspection; rectified: a re-inspection found it 已整改."""

    OPEN = "open", "整改中"
    RECTIFIED = "rectified", "已整改"


# Plans whose targets are places (grids, buildings …) and whose findings come from patrols.
PATROL_KINDS = ("grid_patrol", "hazard", "safety")
# Besides the places the duties are held on, hazard and safety inspections go to every
# compound and building under them (a grid worker inspects the compounds of the grid).
INSPECTION_TARGETS = {
    "hazard": (PlaceKind.COMPOUND, PlaceKind.BUILDING),
    "safety": (PlaceKind.COMPOUND, PlaceKind.BUILDING),
}

OPEN_TASK_STATUSES = (TaskStatus.PLANNED, TaskStatus.DUE, TaskStatus.UNREACHABLE)

# Allowed moves; `unreachable` stays open until the window closes, so a second attempt can
# still turn it into `done`.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.PLANNED: frozenset({TaskStatus.DUE, TaskStatus.DONE, TaskStatus.UNREACHABLE}),
    TaskStatus.DUE: frozenset({TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.MISSED}),
    TaskStatus.UNREACHABLE: frozenset({TaskStatus.DONE, TaskStatus.UNREACHABLE, TaskStatus.MISSED}),
    TaskStatus.DONE: frozenset(),
    TaskStatus.MISSED: frozenset(),
}

# Recurrence presets (RRULE bodies, dtstart = the plan's start date); any RRULE is accepted.
RECURRENCE_PRESETS = {
    "FREQ=WEEKLY;BYDAY=FR": "每周五",
    "FREQ=MONTHLY;BYMONTHDAY=1,16": "每半月（1日、16日）",
    "FREQ=MONTHLY;BYMONTHDAY=1": "每月1日",
}

DEFAULT_CHECKLIST = ["政策宣传", "民意记录", "安全提醒"]

# What a plan's tasks land on: households for household visits, otherwise the places the
# assignees' duties are held on (grids for grid workers, buildings for building heads …).
ASSIGNEE_KINDS = (
    DutyKind.BAOLIAN,
    DutyKind.GRID_WORKER,
    DutyKind.BUILDING_HEAD,
    DutyKind.UNIT_HEAD,
    DutyKind.PAIRING,
)
HOUSEHOLD_TARGETS = (PlaceKind.HOUSEHOLD,)

# Priority: the care-tag weights of the household's residents plus this much per open case.
OPEN_CASE_WEIGHT = 20
