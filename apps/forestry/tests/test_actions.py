"""Forestry actions: patrol tasks generated set-based and idempotently, a patrol's life (start,
batches resent, pause/resume, finish, measured on the server, tasks done), GPX upload with
Chinese errors and nothing lost, events → cases routed and escalated, signboards, plantings."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.cases.models import Case
from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.forestry import actions
from apps.forestry.choices import EventKind, PatrolStatus, TaskStatus
from apps.forestry.models import ForestEvent, Patrol, PatrolTask, Signboard, TrackBatch
from apps.notifications.models import Notification

from .conftest import LAT0, LNG0

pytestmark = pytest.mark.django_db

M_LAT = 1 / 111_195.0


def fixes(t0: float, n: int, *, start_m: float = 0.0, every: float = 15.0, step_m: float = 18.0):
    """`n` fixes walking north through the zone, one every `every` seconds."""
    return [
        [t0 + k * every, LAT0 + (start_m + k * step_m) * M_LAT, LNG0 + 0.005, 5] for k in range(n)
    ]


def test_period_bounds():
    day = dt.date(2026, 5, 14)  # a Thursday
    assert actions.period_bounds("day", day) == (day, day)
    assert actions.period_bounds("week", day) == (dt.date(2026, 5, 11), dt.date(2026, 5, 17))
    assert actions.period_bounds("month", day) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert actions.period_bounds("quarter", day) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert actions.period_bounds("quarter", dt.date(2026, 12, 3))[1] == dt.date(2026, 12, 31)


def test_tasks_generated_once_per_holder_and_period(forest):
    day = dt.date(2026, 5, 14)
    made = actions.generate_patrol_tasks(day)
    assert made == 6  # 3 chiefs + 2 rangers of the zone, 1 ranger of the other zone
    assert actions.generate_patrol_tasks(day) == 0
    village = PatrolTask.objects.get(level=DutyKind.FOREST_CHIEF_VILLAGE)
    assert (village.period_start, village.due_date) == (dt.date(2026, 5, 11), dt.date(2026, 5, 17))
    county = PatrolTask.objects.get(level=DutyKind.FOREST_CHIEF_COUNTY)
    assert county.due_date == dt.date(2026, 6, 30)
    # the next day: new ranger tasks only; yesterday's open ranger tasks are missed
    assert actions.generate_patrol_tasks(day + dt.timedelta(days=1)) == 3
    assert PatrolTask.objects.filter(status=TaskStatus.MISSED, due_date=day).count() == 3


def test_ended_duty_gets_no_task(forest):
    Duty.objects.filter(person=forest.user("ranger2").person).update(end_date=dt.date(2026, 5, 1))
    actions.generate_patrol_tasks(dt.date(2026, 5, 14))
    assert not PatrolTask.objects.filter(person=forest.user("ranger2").person).exists()


def test_patrol_life_measured_on_the_server_and_task_done(forest):
    ranger = forest.user("ranger1")
    actions.generate_patrol_tasks(timezone.localdate())
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    t0 = timezone.now().timestamp()
    batch = fixes(t0, 300)
    assert actions.do_add_points(patrol, batch[:150], key="b1", actor=ranger) == (150, True)
    assert actions.do_add_points(patrol, batch[:150], key="b1", actor=ranger)[1] is False
    actions.do_add_points(patrol, batch[150:], key="b2", actor=ranger)
    assert TrackBatch.objects.filter(patrol=patrol).count() == 2
    actions.do_pause_patrol(patrol, actor=ranger)
    with pytest.raises(ValidationError, match="不能暂停"):
        actions.do_pause_patrol(patrol, actor=ranger)
    actions.do_resume_patrol(patrol, actor=ranger)
    done = actions.do_finish_patrol(patrol, actor=ranger)
    assert done.status == PatrolStatus.FINISHED
    assert abs(done.distance_m - 299 * 18) < 0.02 * 299 * 18
    assert done.duration_s == pytest.approx(299 * 15)
    assert 0 < done.coverage < 0.5
    assert done.track and len(done.track[0]) > 10
    task = PatrolTask.objects.get(person=ranger.person, level=DutyKind.RANGER)
    assert task.status == TaskStatus.DONE and task.patrol == done


def test_patrol_walked_by_two_rangers_counted_once(forest):
    a, b = forest.user("ranger1"), forest.user("ranger2")
    actions.generate_patrol_tasks(timezone.localdate())
    patrol = actions.do_start_patrol(forest.zone, actor=a)
    t0 = timezone.now().timestamp()
    actions.do_add_points(patrol, fixes(t0, 300), key="a1", actor=a)
    actions.do_add_points(patrol, fixes(t0 + 3, 300), key="b1", actor=b)
    done = actions.do_finish_patrol(patrol, actor=a)
    assert abs(done.distance_m - 299 * 18) < 0.02 * 299 * 18  # not twice
    assert PatrolTask.objects.filter(level=DutyKind.RANGER, status=TaskStatus.DONE).count() == 2


def test_late_batch_after_finish_is_kept_and_remeasured(forest):
    ranger = forest.user("ranger1")
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    t0 = timezone.now().timestamp()
    actions.do_add_points(patrol, fixes(t0, 100), key="1", actor=ranger)
    actions.do_finish_patrol(patrol, actor=ranger)
    first = Patrol.objects.get(pk=patrol.pk).distance_m
    actions.do_add_points(patrol, fixes(t0 + 1500, 100, start_m=1800), key="2", actor=ranger)
    assert Patrol.objects.get(pk=patrol.pk).distance_m > first * 1.8


@pytest.mark.parametrize(
    "raw,message",
    [
        ([], "非空"),
        ([[1.78e9, 95, 115, 5]], "纬度 95.0 超出范围"),
        ([[1.78e9, 26.9, 115.2], [1.78e9, "x", 1]], "第2个定位点含有不是数字的值"),
        ([[1.78e9, 26.9]], "第1个定位点格式不对"),
        ([[5, 26.9, 115.2]], "时间无效"),
    ],
)
def test_bad_batch_refused_and_nothing_lost(forest, raw, message):
    ranger = forest.user("ranger1")
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    actions.do_add_points(patrol, fixes(timezone.now().timestamp(), 20), key="ok", actor=ranger)
    with pytest.raises(ValidationError, match=message):
        actions.do_add_points(patrol, raw, key="bad", actor=ranger)
    assert list(TrackBatch.objects.filter(patrol=patrol).values_list("key", flat=True)) == ["ok"]


def test_one_open_patrol_at_a_time_and_scope(forest):
    ranger = forest.user("ranger1")
    actions.do_start_patrol(forest.zone, actor=ranger)
    with pytest.raises(ValidationError, match="还有一次巡护未结束"):
        actions.do_start_patrol(forest.zone, actor=ranger)
    with pytest.raises(PermissionDenied, match="不在您的管辖范围"):
        actions.do_start_patrol(forest.zone, actor=forest.user("other_ranger"))
    with pytest.raises(PermissionDenied, match="只有林长和护林员"):
        actions.do_start_patrol(
            forest.zone, actor=forest.user("ranger1").__class__.objects.get(username="staff_a")
        )


GPX = """<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
{points}
</trkseg></trk></gpx>"""


def gpx_file(points: str, name: str = "walk.gpx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, GPX.format(points=points).encode(), "application/gpx+xml")


def trkpts(n: int) -> str:
    start = dt.datetime(2026, 5, 14, 1, 0, tzinfo=dt.UTC)
    return "\n".join(
        f'<trkpt lat="{LAT0 + k * 18 * M_LAT:.7f}" lon="{LNG0 + 0.005}">'
        f"<time>{start + dt.timedelta(seconds=15 * k):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for k in range(n)
    )


def test_gpx_upload_makes_a_finished_patrol(forest):
    ranger = forest.user("ranger1")
    patrol = actions.do_upload_gpx(forest.zone, gpx_file(trkpts(200)), actor=ranger)
    assert patrol.status == PatrolStatus.FINISHED and patrol.source == "gpx"
    assert abs(patrol.distance_m - 199 * 18) < 0.02 * 199 * 18


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "是空的"),
        (b"<gpx><trk>", "不是有效的 XML"),
        (b"<kml></kml>", "根元素是 <kml>"),
        (
            GPX.format(
                points='<trkpt lat="26.9" lon="115.2"></trkpt><trkpt lat="26.9" lon="115.2"/>'
            ).encode(),
            "第1个轨迹点没有时间",
        ),
        (
            GPX.format(
                points='<trkpt lat="abc" lon="115.2"><time>2026-05-14T01:00:00Z</time></trkpt>'
            ).encode(),
            "第1个轨迹点缺少或写错了经纬度",
        ),
        (GPX.format(points="").encode(), "没有轨迹点"),
        (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>', "不允许的 XML"),
    ],
)
def test_bad_gpx_refused_in_chinese_and_nothing_written(forest, content, message):
    ranger = forest.user("ranger1")
    earlier = actions.do_upload_gpx(forest.zone, gpx_file(trkpts(20)), actor=ranger)
    with pytest.raises(ValidationError, match=message):
        actions.do_upload_gpx(forest.zone, SimpleUploadedFile("bad.gpx", content), actor=ranger)
    assert list(Patrol.objects.values_list("pk", flat=True)) == [earlier.pk]
    assert TrackBatch.objects.filter(patrol=earlier).count() == 1


def png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    return SimpleUploadedFile("fire.png", buffer.getvalue(), "image/png")


def test_event_becomes_a_case_routed_to_the_zone_chief(forest, django_capture_on_commit_callbacks):
    ranger = forest.user("ranger1")
    patrol = actions.do_start_patrol(forest.zone, actor=ranger)
    with django_capture_on_commit_callbacks(execute=True):
        event = actions.do_report_event(
            forest.zone,
            EventKind.FIRE,
            actor=ranger,
            description="山脚有烧荒余火",
            lat=LAT0 + 0.001,
            lng=LNG0 + 0.002,
            photo=png(),
            patrol=patrol,
        )
    case = Case.objects.get(pk=event.case_id)
    assert case.category.code == "forest-fire" and case.place == forest.zone
    assert case.priority == "urgent" and case.attachments.count() == 1
    assert event.routed_level == DutyKind.FOREST_CHIEF_VILLAGE
    told = set(
        Notification.objects.filter(object_id=str(case.pk)).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"f_village_chief", "f_ranger2"} <= told
    assert "f_town_chief" not in told and "f_ranger1" not in told  # not told of their own report


def test_event_escalates_up_the_chief_levels(forest, django_capture_on_commit_callbacks):
    event = actions.do_report_event(forest.zone, EventKind.LOGGING, actor=forest.user("ranger1"))
    case = event.case
    later = case.respond_by + dt.timedelta(minutes=1)
    assert actions.escalate_events(later) == 1
    event.refresh_from_db()
    assert event.routed_level == DutyKind.FOREST_CHIEF_TOWN
    assert actions.escalate_events(later) == 0  # the next step waits one response time
    much_later = later + (case.respond_by - case.created_at) * 2
    ForestEvent.objects.filter(pk=event.pk).update(updated_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_events(much_later) == 1
    event.refresh_from_db()
    assert event.routed_level == DutyKind.FOREST_CHIEF_COUNTY
    assert actions.escalate_events(much_later + dt.timedelta(days=9)) == 0  # at the top
    told = Notification.objects.filter(recipient__username="f_county_chief", kind="case.escalated")
    assert told.exists()


def test_event_from_a_resident_at_a_signboard(forest):
    board = actions.do_register_signboard(
        forest.zone, actor=forest.user("town_chief"), code="LZ-001"
    )
    event = actions.do_report_event(
        forest.zone,
        EventKind.WILDLIFE,
        actor=None,
        signboard=board,
        reporter_name="王大爷",
        reporter_phone="13912345678",
        description="看到野猪",
    )
    assert event.case.source == "qr" and event.signboard == board


def test_signboard_flagged_for_reprint_when_its_chief_changes(forest):
    chief = forest.user("town_chief")
    board = actions.do_register_signboard(forest.zone, actor=chief, code="LZ-002")
    assert actions.needs_reprint(board)
    actions.do_mark_printed([board], actor=chief)
    board.refresh_from_db()
    assert not actions.needs_reprint(board)
    assert ["乡级林长", "乡林长"] in board.printed_chiefs
    Duty.objects.filter(person=forest.user("village_chief").person).update(
        end_date=dt.date(2025, 1, 1)
    )
    assert actions.needs_reprint(Signboard.objects.get(pk=board.pk))
    with pytest.raises(ValidationError, match="已被使用"):
        actions.do_register_signboard(forest.zone, actor=chief, code="LZ-002")


def test_planting_ledger_checks_its_fields(forest):
    chief = forest.user("town_chief")
    row = actions.do_record_planting(
        forest.zone,
        actor=chief,
        kind="voluntary",
        area_mu="12.5",
        count=800,
        species="杉木",
        date=dt.date(2026, 3, 12),
    )
    assert row.area_mu == pytest.approx(12.5)
    with pytest.raises(ValidationError) as refused:
        actions.do_record_planting(
            forest.zone, actor=chief, kind="x", area_mu="-1", count="a", species="", date=None
        )
    assert set(refused.value.message_dict) == {"kind", "area_mu", "count", "species", "date"}
    with pytest.raises(PermissionDenied):
        actions.do_record_planting(
            forest.zone,
            actor=forest.user("ranger1"),
            kind="voluntary",
            area_mu=1,
            count=1,
            species="杉木",
            date=dt.date(2026, 3, 12),
        )


def test_reserve_forest_targets_and_progress_from_the_ledger(forest, world):
    """国家储备林: a target per zone and year; the indicator reads the achieved 亩 from the
    planting ledger (same kind, same year, under the zone), a surplus in one zone does not
    hide a shortfall in another, and a wrong target is refused with the field named."""
    from apps.forestry import indicators
    from apps.stats.indicators import REGISTRY

    chief = forest.user("town_chief")
    actions.do_set_planting_target(forest.zone, actor=chief, year=2026, area_mu="100")
    actions.do_set_planting_target(forest.other_zone, actor=chief, year=2026, area_mu="50")
    for place, mu, day in [
        (forest.zone, "30", dt.date(2026, 3, 12)),
        (forest.zone, "20", dt.date(2026, 4, 2)),
        (forest.zone, "99", dt.date(2025, 11, 2)),  # last year: not this year's progress
        (forest.other_zone, "80", dt.date(2026, 3, 12)),  # surplus: counts 50 of 50
    ]:
        actions.do_record_planting(
            place, actor=chief, kind="reserve", area_mu=mu, count=0, species="杉木", date=day
        )
    actions.do_record_planting(
        forest.zone,
        actor=chief,
        kind="afforestation",
        area_mu="500",
        count=0,
        species="马尾松",
        date=dt.date(2026, 3, 1),
    )
    rows = {r["place"]: r for r in indicators.target_progress(world.county, 2026)}
    assert rows[forest.zone.name]["target"] == 100 and rows[forest.zone.name]["done"] == 50
    assert rows[forest.other_zone.name]["done"] == 80
    assert indicators.reserve_progress(world.county, 2026) == pytest.approx(100 / 150, abs=1e-4)
    assert indicators.reserve_progress(forest.zone, 2026) == 0.5
    assert indicators.reserve_progress(world.county, 2027) is None
    # a second call changes the target, it does not add one
    actions.do_set_planting_target(forest.zone, actor=chief, year=2026, area_mu="200")
    assert indicators.reserve_progress(forest.zone, 2026) == 0.25
    assert REGISTRY["forest_reserve_progress"].unit == "%"
    with pytest.raises(ValidationError) as refused:
        actions.do_set_planting_target(forest.zone, actor=chief, year=2026, area_mu="0")
    assert "目标面积" in str(refused.value)
    with pytest.raises(PermissionDenied):
        actions.do_set_planting_target(
            forest.zone, actor=forest.user("ranger1"), year=2026, area_mu=5
        )
