"""The demo contribution (the article's two road projects and a spread) and the indicators."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.testing.factories import make_place
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.projects.demo import populate_demo
from apps.projects.models import Blocker, Project, StageEvent
from apps.stats.indicators import Scope, get


def test_the_demo_loads_the_road_projects_fast_and_the_indicators_read_them(clock, city):
    county = city["wuning"]
    for name in ("罗坪镇", "石门楼镇"):
        make_place(PlaceKind.TOWN, name, county)
    for name in ("县自然资源局", "县住建局"):
        Organisation.objects.create(kind=OrgKind.DEPARTMENT, name=name, place=county)
    with CaptureQueriesContext(connection) as queries:
        counts = populate_demo(county, "tiny", 2026, lambda line: None)
    # bulk writes: the queries do not grow with the number of projects (the two blockers
    # through the case engine are most of them)
    assert len(queries) < 150, len(queries)
    assert counts["projects"] == 8 and counts["stages"] == 48 and counts["blockers"] == 2
    assert {"G7021-XG", "G105-XG"} <= set(Project.objects.values_list("code", flat=True))
    assert counts["stage_events"] > 0  # the moves, plus one event per blocker
    assert StageEvent.objects.count() == counts["stage_events"] + counts["blockers"]
    road = Project.objects.get(code="G105-XG")
    assert list(road.unit_accounts.values_list("username", flat=True)) == ["unit01"]
    assert Blocker.objects.filter(project=road).count() == 2
    scope = Scope(None, city["city"], dt.date(2025, 1, 1), dt.date(2025, 9, 1))
    lamps = get("projects_by_lamp").compute(scope)
    assert sum(row["n"] for row in lamps) == Project.objects.filter(status="active").count()
    assert get("projects_blockers_open").compute(scope) == 2
    assert get("projects_blockers_resolved").compute(scope) == 0
    rate = get("projects_stages_on_time").compute(scope)
    assert rate is None or 0 <= rate <= 1
