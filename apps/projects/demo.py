"""Key projects of the demo: the two provincial road projects the article tracks (G7021 and
G105, their stretches in the demo county) and a spread of city and county key projects at
every stage, some late; two blockers on G105 filed through the case engine; the logins
project01 (the city's 重点项目专班) and unit01 (G105's project unit).

Written in bulk (projects, stages, history); only the blockers go through the actions."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.accounts.choices import Role
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .actions import do_raise_blocker, plan_stages
from .choices import ProjectLevel, ProjectType, StageEventKind, StageStatus
from .models import Project, ProjectStage, StageEvent, StageTemplate
from .workdays import due_date, workday_number

DEMO_ORDER = 80
# The demo's shared password (apps.demo.accounts.DEMO_PASSWORD; demo sits above this app).
DEMO_LOGIN_PASSWORD = "Gongzhi@2026"
SPREAD = {"tiny": 6, "small": 16, "county": 48}
ROADS = (
    (
        "G7021-XG",
        "G7021 高速公路兴国段",
        ProjectLevel.PROVINCE,
        "江西省交通投资集团有限公司",
        Decimal("486000"),
        Decimal("1260"),
        Decimal("610"),
        150,
    ),
    (
        "G105-XG",
        "G105 国道兴国段改建工程",
        ProjectLevel.PROVINCE,
        "赣州市交通建设投资有限公司",
        Decimal("128000"),
        Decimal("420"),
        Decimal("190"),
        95,
    ),
)
KINDS = (
    (ProjectType.INDUSTRY, "{town}电子信息产业园标准厂房"),
    (ProjectType.INDUSTRY, "{town}绿色食品加工基地"),
    (ProjectType.ENERGY, "{town}农光互补光伏电站"),
    (ProjectType.WATER, "{town}灌区续建配套与节水改造"),
    (ProjectType.URBAN, "{town}城市更新片区改造"),
    (ProjectType.SOCIAL, "{town}中心学校扩建"),
    (ProjectType.TRANSPORT, "{town}至县城快速通道"),
    (ProjectType.SOCIAL, "{town}养老服务中心"),
)


def populate_demo(county: Place, size: str, seed: int, say: Any) -> dict[str, int]:
    rng = random.Random(f"{seed}/projects")
    templates = list(StageTemplate.objects.filter(active=True).order_by("position"))
    if not templates:
        return {}
    say("重点项目…")
    today = timezone.localdate()
    towns = list(Place.objects.filter(parent=county, kind=PlaceKind.TOWN).order_by("path"))
    departments = list(
        Organisation.objects.filter(
            kind=OrgKind.DEPARTMENT, place=county, name__in=["县自然资源局", "县住建局"]
        )
    )
    specs = [
        (code, name, level, ProjectType.TRANSPORT, unit, invest, agri, farm, county, days)
        for code, name, level, unit, invest, agri, farm, days in ROADS
    ]
    for n in range(SPREAD.get(size, SPREAD["small"])):
        town = towns[n % len(towns)] if towns else county
        kind, pattern = KINDS[n % len(KINDS)]
        agri = Decimal(rng.randrange(20, 400))
        specs.append(
            (
                f"XG{today.year}-{n + 1:03d}",
                pattern.format(town=town.name),
                ProjectLevel.CITY if n % 3 == 0 else ProjectLevel.COUNTY,
                kind,
                f"兴国县{pattern.format(town='')[:4]}建设有限公司",
                Decimal(rng.randrange(3000, 90000)),
                agri,
                (agri * Decimal(rng.randrange(20, 60)) / 100).quantize(Decimal("0.01")),
                town,
                rng.randrange(20, 420),
            )
        )
    projects = Project.objects.bulk_create(
        [
            Project(
                code=code,
                name=name,
                level=level,
                type=kind,
                investment_wan=invest,
                owner_unit=unit,
                bureau="赣州市自然资源局",
                place=place,
                lng=place.lng,
                lat=place.lat,
                land_agricultural_mu=agri,
                land_farmland_mu=farm,
                land_construction_mu=(agri / 4).quantize(Decimal("0.01")),
                start_date=due_date(today - dt.timedelta(days=days), 0),
            )
            for code, name, level, kind, unit, invest, agri, farm, place, days in specs
        ]
    )
    link = Project.departments.through
    link.objects.bulk_create(
        [link(project_id=p.pk, organisation_id=d.pk) for p in projects for d in departments]
    )
    stages, events = _pipelines(projects, templates, today, rng)
    official, _unit = _logins(county, projects[1])
    blockers = _blockers(official, projects[1], departments)
    return {
        "projects": len(projects),
        "stages": stages,
        "stage_events": events,
        "blockers": blockers,
    }


def _pipelines(
    projects: list[Project], templates: list[StageTemplate], today: dt.date, rng: random.Random
) -> tuple[int, int]:
    """Each project's stages from its start: stages whose plan has passed are done (most on
    time, some late), the one running now is active (some already late), later ones pending."""
    rows: list[ProjectStage] = []
    history: list[tuple[ProjectStage, str, dt.date, str]] = []
    now = timezone.now()
    for project in projects:
        for template, begin, end in plan_stages(project.start_date, templates):
            stage = ProjectStage(
                project=project,
                template=template,
                position=template.position,
                planned_start=begin,
                planned_end=end,
                due_workday=workday_number(end),
                owner_name=rng.choice(["李明", "王强", "刘芳", "陈刚", "曾丽", "钟华"]),
                team=f"{project.name[:8]}用地保障专班",
            )
            slip = rng.choice([-3, 0, 0, 2, 5, 9, 18])
            finished = due_date(end, max(slip, 0)) if slip >= 0 else end - dt.timedelta(slip)
            if begin <= today:
                stage.status, stage.actual_start = StageStatus.ACTIVE, begin
                history.append((stage, StageEventKind.START, begin, StageStatus.PENDING))
            if stage.status == StageStatus.ACTIVE and finished < today and rng.random() < 0.85:
                stage.status, stage.actual_end = StageStatus.DONE, min(finished, today)
                stage.done_workday = workday_number(stage.actual_end)
                history.append((stage, StageEventKind.COMPLETE, stage.actual_end, "active"))
            rows.append(stage)
    ProjectStage.objects.bulk_create(rows, batch_size=2000)
    StageEvent.objects.bulk_create(
        [
            StageEvent(
                stage=stage,
                kind=kind,
                on_date=on,
                at=now,
                actor_label="演示数据",
                from_status=before,
                to_status=StageStatus.ACTIVE if kind == StageEventKind.START else StageStatus.DONE,
            )
            for stage, kind, on, before in history
        ],
        batch_size=2000,
    )
    return len(rows), len(history)


def _logins(county: Place, road: Project) -> tuple[Any, Any]:
    user_model = get_user_model()
    city = county.parent if county.parent_id else county
    # Every demo account shares one password: reuse the hash the demo's admin already has
    # (hashing costs about a second), else hash it once.
    password = user_model.objects.filter(username="admin").values_list(
        "password", flat=True
    ).first() or make_password(DEMO_LOGIN_PASSWORD)
    official, _ = user_model.objects.get_or_create(
        username="project01",
        defaults={
            "role": Role.PROJECT_OFFICIAL,
            "scope": city,
            "display_name": "重点项目专班",
            "password": password,
        },
    )
    unit, _ = user_model.objects.get_or_create(
        username="unit01",
        defaults={
            "role": Role.PROJECT_UNIT,
            "scope": county,
            "display_name": "G105项目单位",
            "password": password,
        },
    )
    road.unit_accounts.add(unit)
    return official, unit


def _blockers(official: Any, road: Project, departments: list[Organisation]) -> int:
    if not departments:
        return 0
    stage = road.stages.filter(status=StageStatus.ACTIVE).order_by("position").first()
    if stage is None:
        return 0
    issues = ("红线内部分林地未完成占用林地审批", "两户征收补偿协议尚未签订")
    for title, department in zip(issues, departments, strict=False):
        do_raise_blocker(actor=official, stage=stage, department=department, title=title)
    return min(len(issues), len(departments))
