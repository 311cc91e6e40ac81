"""The role × capability table (apps/accounts/permissions.py): pinned whole, so a change to who
may do what is a deliberate edit of this test; `require` refuses in plain Chinese (a missing
role, then a place outside the scope); and no app writes a guard of its own any more."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.accounts.permissions import TABLE, Cap, can, refusal, require, roles_with, table_text

APPS = Path(__file__).resolve().parents[2]
ROLE_SET = re.compile(r"^[A-Z_]*(ROLES|STAFF)[A-Z_]* = (frozenset\(|\{)", re.M)

# The whole table. Columns: CL county_leader, DH dept_handler, TS town_staff, CS community_staff,
# GW grid_worker, PM party_member, VO volunteer, CD clinic_doctor, EP ecg_physician,
# FC forest_chief, RA ranger, PO project_official, PU project_unit, VA village_accountant,
# VS village_supervisor, AA agency_accountant, AD admin, SA security_admin, AU auditor,
# SU a superuser account.
EXPECTED = """
                             CL DH TS CS GW PM VO CD EP FC RA PO PU VA VS AA AD SA AU SU
accounts.assign_roles         .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  x
accounts.issue_api_keys       .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
accounts.manage               .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
accounts.reset_2fa            .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  x
accounts.rotate_keys          .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  x
activities.create             .  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
activities.manage             .  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
audit.export                  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .
audit.read                    .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .
brands.manage                 .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
brands.survey                 .  .  x  x  x  x  x  .  .  .  .  .  .  .  .  .  x  .  .  x
care.record_contact           .  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
cases.dispatch                x  x  x  x  x  .  .  .  .  .  .  x  .  .  .  .  x  .  .  x
cases.handle                  .  x  x  x  x  x  x  .  .  x  x  .  .  .  .  .  .  .  .  .
cases.intake                  x  x  x  x  x  x  x  .  .  x  x  x  .  .  .  .  x  .  .  x
cases.supervise               x  .  x  .  .  .  .  .  .  .  .  x  .  .  .  .  x  .  .  x
collective.approve            .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  x  .  .  .  .
collective.close_period       .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  x  .  .  x
collective.configure          .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  x  .  .  x
collective.keep_books         .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  x  x  .  .  x
collective.view               x  .  x  x  .  .  .  .  .  .  .  .  .  x  x  x  x  .  .  x
duties.manage                 .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
ecg.configure                 .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
ecg.follow_critical           .  .  .  .  .  .  .  x  x  .  .  .  .  .  .  .  .  .  .  .
ecg.read                      .  .  .  .  .  .  .  .  x  .  .  .  .  .  .  .  x  .  .  x
ecg.upload                    .  .  .  .  .  .  .  x  .  .  .  .  .  .  .  .  x  .  .  x
ecg.use                       x  .  .  .  .  .  .  x  x  .  .  .  .  .  .  .  x  .  .  x
errands.handle                .  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
forestry.manage               x  .  x  .  .  .  .  .  .  x  .  .  .  .  .  .  x  .  .  x
forestry.patrol               .  .  .  .  .  .  .  .  .  x  x  .  .  .  .  .  .  .  .  .
forestry.view                 x  .  x  x  .  .  .  .  .  x  x  .  .  .  .  .  x  .  .  x
governance.use                x  x  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
ledgers.export                x  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
ledgers.import                .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
mediation.manage              .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
mediation.run                 x  x  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
meetings.organise             x  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
notifications.configure       .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
orgs.edit                     .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
people.edit                   .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
people.reveal                 .  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
places.edit                   .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
projects.advance              .  .  .  .  .  .  .  .  .  .  .  x  .  .  .  .  .  .  .  x
projects.manage               .  .  .  .  .  .  .  .  .  .  .  x  .  .  .  .  x  .  .  x
projects.raise_blocker        .  .  .  .  .  .  .  .  .  .  .  x  .  .  .  .  .  .  .  x
projects.record_note          .  x  .  .  .  .  .  .  .  .  .  x  x  .  .  .  .  .  .  x
projects.view                 x  x  .  .  .  .  .  .  .  .  .  x  x  .  .  .  x  .  .  x
reports.request               x  x  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
services.dual                 .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
services.list_volunteers      x  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
services.manage_rewards       .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
services.review_applications  .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
services.review_hours         .  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
visits.plan                   x  .  x  x  .  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
visits.record                 .  .  x  x  x  .  .  .  .  .  .  .  .  .  .  .  x  .  .  x
"""


def test_it_pins_the_whole_role_capability_table():
    print(table_text())
    assert table_text() == EXPECTED.strip("\n")


def test_every_capability_has_a_rule_and_a_chinese_refusal():
    assert set(TABLE) == set(Cap)
    for cap, rule in TABLE.items():
        assert re.search(r"[\u4e00-\u9fff]", rule.denied), cap


def test_no_app_writes_a_private_require_helper_or_a_role_set():
    sources = [
        p for p in APPS.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    helpers = [
        f"{p.relative_to(APPS)}" for p in sources if re.search(r"def _require_", p.read_text())
    ]
    role_sets = [
        f"{p.relative_to(APPS)}: {m.group(0)}"
        for p in sources
        if p.name != "permissions.py"
        for m in ROLE_SET.finditer(p.read_text())
    ]
    assert helpers == []
    assert role_sets == []


@pytest.mark.django_db
def test_it_refuses_a_role_without_the_capability_in_plain_words(world):
    volunteer = world.user("volunteer_a")
    with pytest.raises(PermissionDenied) as refused:
        require(volunteer, Cap.ORGS_EDIT, world.community_a)
    assert str(refused.value.args[0]) == "您的角色不能修改组织台账"
    assert not can(volunteer, Cap.ORGS_EDIT)
    assert not can(AnonymousUser(), Cap.CASES_INTAKE)


@pytest.mark.django_db
def test_it_refuses_a_place_outside_the_scope_with_its_own_message(world):
    outsider = world.user("outsider_b")
    assert can(outsider, Cap.ORGS_EDIT)
    assert can(outsider, Cap.ORGS_EDIT, world.community_b)
    with pytest.raises(PermissionDenied) as refused:
        require(outsider, Cap.ORGS_EDIT, world.household_a)
    assert str(refused.value.args[0]) == "该组织不在您的管辖范围内"


@pytest.mark.django_db
def test_the_message_names_what_was_refused_and_where(world):
    with pytest.raises(PermissionDenied) as refused:
        require(world.user("outsider_b"), Cap.BRANDS_MANAGE, world.community_a, what="创建服务品牌")
    assert (
        str(refused.value.args[0])
        == "您不能创建服务品牌：只有红门社区及上级的社区、街道工作人员可以操作"
    )


@pytest.mark.django_db
def test_a_second_way_in_is_asked_only_when_the_table_refuses(world):
    asked = []

    def organiser() -> bool:
        asked.append(True)
        return True

    require(world.user("community_a"), Cap.ACTIVITIES_MANAGE, world.grid_a, unless=organiser)
    assert asked == []
    require(world.user("volunteer_a"), Cap.ACTIVITIES_MANAGE, world.grid_a, unless=organiser)
    assert asked == [True]


def test_a_superuser_holds_only_the_capabilities_the_table_gives_it():
    assert "admin" not in roles_with(Cap.CASES_HANDLE)
    assert "superuser" not in roles_with(Cap.CASES_DISPATCH)
    assert refusal(Cap.CASES_INTAKE) == "您的角色不能登记事项"
