"""Loading the tiny demo county: the tree, the people, the figures, the logins."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core import crypto
from apps.core.models import AuditEvent
from apps.core.testing.factories import make_place
from apps.core.validators import birth_date_from_id, id_number_error, sex_from_id
from apps.demo.generator import DEMO_PASSWORD, DemoRefused, generate, load_if_empty
from apps.duties.choices import DutyKind
from apps.duties.models import Duty
from apps.orgs.choices import OrgKind
from apps.orgs.models import CompoundProfile, Membership, Organisation
from apps.people.models import PartyMember, Person
from apps.places.choices import ALLOWED_PARENTS, PlaceKind
from apps.places.models import Place, path_segment, place_code_error
from apps.volunteers.models import Volunteer

POLYGON_KINDS = {PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID}


class Rollback(Exception):
    pass


def snapshot() -> dict[str, list]:
    """What must repeat for a seed: codes, names, ID-number and phone blind indexes."""
    return {
        "places": sorted(Place.objects.values_list("code", "name", "kind")),
        "people": sorted(
            Person.objects.values_list("place__code", "name", "id_number_index", "phone_index")
        ),
        "orgs": sorted(Organisation.objects.values_list("kind", "name", "place__code")),
        "duties": sorted(Duty.objects.values_list("kind", "place__code", "person__name")),
        "users": sorted(User.objects.values_list("username", "role", "scope__code")),
    }


def load_and_roll_back(seed: int) -> dict[str, list]:
    try:
        with transaction.atomic():
            generate("tiny", seed)
            taken = snapshot()
            raise Rollback
    except Rollback:
        return taken


@pytest.mark.django_db
def test_it_generates_the_same_county_for_the_same_seed():
    first = load_and_roll_back(2026)
    assert not Place.objects.exists()
    second = load_and_roll_back(2026)
    other = load_and_roll_back(2027)
    assert first == second
    assert first["people"] != other["people"]


def test_it_issues_valid_unique_id_numbers(tiny):
    # Residents carry ID numbers; the mediators the mediation demo adds (judges, police …)
    # are registered by name and office only.
    people = list(Person.objects.exclude(id_number_enc=""))
    assert len(people) == tiny["counts"]["people"]
    numbers = [crypto.decrypt(p.id_number_enc) for p in people]
    assert all(id_number_error(n) is None for n in numbers)
    assert len(set(numbers)) == len(numbers)
    for person, number in zip(people, numbers, strict=True):
        assert number.startswith("360732")
        assert birth_date_from_id(number) == person.birth_date
        assert sex_from_id(number) == person.sex
        assert person.name_initials and person.id_number_masked.endswith(number[-1:])


def test_it_builds_a_valid_place_tree(tiny):
    places = {p.pk: p for p in Place.objects.all()}
    for place in places.values():
        parent = places.get(place.parent_id)
        if parent is None:
            assert place.kind == PlaceKind.PROVINCE and place.path == path_segment(place.pk)
            continue
        if place.kind in (PlaceKind.CITY, PlaceKind.PROVINCE):
            assert (place.code, place.name) in {("360700000000", "赣州市")}
            assert place_code_error(place.kind, place.code, parent) is None
            continue
        assert parent.kind in ALLOWED_PARENTS[place.kind], place.code
        assert place_code_error(place.kind, place.code, parent) is None, place.code
        assert place.path == parent.path + path_segment(place.pk)
        assert place.depth == parent.depth + 1
        if place.kind in POLYGON_KINDS:
            assert place.geometry["type"] in {"Polygon", "MultiPolygon"}
        assert place.lng is not None and 115.0 < place.lng < 115.9, place.code
        assert place.lat is not None and 26.0 < place.lat < 26.7, place.code


def test_it_loads_the_real_county_and_its_special_places(tiny):
    county = Place.objects.get(kind=PlaceKind.COUNTY)
    assert (county.code, county.name) == ("360732000000", "兴国县")
    assert county.geometry["type"] == "MultiPolygon"
    assert Place.objects.filter(kind=PlaceKind.HOSPITAL, name="兴国县人民医院").exists()
    for town in Place.objects.filter(kind=PlaceKind.TOWN):
        assert town.children.filter(kind=PlaceKind.CLINIC).exists()
    kinds = set(Place.objects.values_list("kind", flat=True))
    assert kinds == set(PlaceKind.values)


def test_it_loads_the_tiny_figures(tiny):
    counts = tiny["counts"]
    assert 150 <= counts["households"] <= 260
    assert Place.objects.filter(kind=PlaceKind.HOUSEHOLD).count() == counts["households"]
    assert Place.objects.filter(kind=PlaceKind.COMMUNITY).count() == 3
    assert Duty.objects.filter(kind=DutyKind.BUILDING_HEAD).count() == 14
    assert Duty.objects.filter(kind=DutyKind.UNIT_HEAD).count() == 28
    assert Organisation.objects.filter(kind=OrgKind.OWNER_COMMITTEE).count() == 2
    assert Organisation.objects.filter(kind=OrgKind.PMC).count() == 2
    on_committees = Membership.objects.filter(
        organisation__kind=OrgKind.OWNER_COMMITTEE, person__party_member__isnull=False
    )
    assert on_committees.count() == counts["oc_party_members"] == 4
    assert CompoundProfile.objects.count() == 4
    compounds = Place.objects.filter(kind=PlaceKind.COMPOUND)
    for compound in compounds:
        assert compound.organisations.filter(kind=OrgKind.PARTY_BRANCH).exists()


def test_it_gives_people_roles_tags_and_duties(tiny):
    added = tiny["counts"]["mediation_mediators"]
    assert Person.objects.count() == tiny["counts"]["people"] + added
    heads = Person.objects.filter(place__kind=PlaceKind.HOUSEHOLD, relation="head")
    assert heads.count() == tiny["counts"]["households"]
    assert Person.objects.filter(care_tags__code="aged").exists()
    assert Person.objects.filter(care_tags__code="alone_elderly").exists()
    assert PartyMember.objects.filter(branch__kind=OrgKind.PARTY_BRANCH).count() > 10
    assert Volunteer.objects.filter(skills__isnull=False).exists()
    assert (
        Duty.objects.filter(kind=DutyKind.GRID_WORKER).count()
        == Place.objects.filter(kind=PlaceKind.GRID).count()
    )
    households = Place.objects.filter(kind=PlaceKind.HOUSEHOLD)
    covered = households.filter(duties__kind=DutyKind.BAOLIAN).distinct().count()
    assert 0 < covered < households.count()  # coverage reports have gaps to show
    for duty in Duty.objects.filter(kind=DutyKind.BAOLIAN).select_related("person")[:50]:
        assert PartyMember.objects.filter(person=duty.person).exists()


def test_it_gives_every_role_a_login(tiny):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert {login["role"] for login in tiny["logins"]} == set(Role.values)
    assert authenticate(username="grid01", password=DEMO_PASSWORD) is not None
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.scope.kind == PlaceKind.COUNTY
    expected_scope = {
        Role.COUNTY_LEADER: {PlaceKind.COUNTY},
        Role.ECG_PHYSICIAN: {PlaceKind.COUNTY},
        Role.TOWN_STAFF: {PlaceKind.TOWN},
        Role.CLINIC_DOCTOR: {PlaceKind.TOWN},
        Role.COMMUNITY_STAFF: {PlaceKind.COMMUNITY},
        Role.GRID_WORKER: {PlaceKind.GRID},
        Role.RANGER: {PlaceKind.FOREST_ZONE},
    }
    for role, kinds in expected_scope.items():
        for user in User.objects.filter(role=role).select_related("scope"):
            assert user.scope.kind in kinds, user.username
    for user in User.objects.filter(role=Role.PARTY_MEMBER):
        assert PartyMember.objects.filter(person=user.person).exists()


def test_it_writes_one_audit_event(tiny):
    event = AuditEvent.objects.get(verb="import", object_type="demo")
    assert event.changes["households"] == tiny["counts"]["households"]


@pytest.mark.django_db
def test_it_refuses_a_database_in_use():
    make_place(PlaceKind.COUNTY, "兴国县")
    with pytest.raises(DemoRefused, match="数据库中已有数据"):
        generate("tiny", 2026)
    with pytest.raises(DemoRefused, match="县区已存在"):
        generate("tiny", 2026, force=True)
    assert Place.objects.count() == 1


@pytest.mark.django_db
def test_it_loads_only_into_an_empty_database():
    assert load_if_empty("tiny") is not None
    assert load_if_empty("tiny") is None
    assert Place.objects.filter(kind=PlaceKind.COUNTY).count() == 1


@pytest.mark.django_db
def test_the_command_prints_progress_counts_and_logins(capsys):
    call_command("demo", size="tiny", seed=5)
    out = capsys.readouterr().out
    assert "[1/1]" in out and "小区 4" in out
    assert f"密码均为 {DEMO_PASSWORD}" in out and "grid01" in out
    with pytest.raises(CommandError, match="拒绝写入演示数据"):
        call_command("demo", size="tiny")


def test_its_three_officers_each_hold_only_their_own_work(tiny):
    """三员分立 on the demo county: the system administrator is no superuser (a superuser also
    holds the security administrator's work), and none of the three does another's."""
    from apps.accounts.permissions import Cap, has_role_for

    work = {
        "admin": {Cap.ACCOUNTS_MANAGE},
        "secadmin": {Cap.ACCOUNTS_ASSIGN_ROLES, Cap.ACCOUNTS_RESET_2FA, Cap.ACCOUNTS_ROTATE_KEYS},
        "auditor": {Cap.AUDIT_READ, Cap.AUDIT_EXPORT},
    }
    every = set().union(*work.values())
    for username, own in work.items():
        user = User.objects.get(username=username)
        assert not user.is_superuser, username
        assert {cap for cap in every if has_role_for(user, cap)} == own, username
