"""Each ledger exported by an account that may reveal personal data imports again unchanged."""

from datetime import date

import pytest

from apps.core import crypto
from apps.core.validators import sex_from_id
from apps.duties.models import Duty
from apps.ledgers.actions import do_export_ledger
from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.orgs.models import CompoundProfile, Organisation
from apps.people.models import CareTag, PartyMember, Person, Skill
from apps.places.models import Place
from apps.volunteers.models import Volunteer

from .conftest import run_import


def round_trip(world, tmp_path, kind, delete, suffix=".xlsx"):
    admin = world.user("admin")
    path = tmp_path / f"export{suffix}"
    exported = do_export_ledger(kind, path, actor=admin)
    delete()
    job = run_import(path, kind, admin)
    assert job.errors == []
    assert (job.status, job.rows_imported) == (ImportJob.Status.DONE, exported)
    return exported


def test_it_round_trips_households(world, tmp_path):
    before = set(Place.objects.filter(kind="household").values_list("code", "name", "parent"))
    assert (
        round_trip(
            world,
            tmp_path,
            LedgerKind.HOUSEHOLDS,
            lambda: Place.objects.filter(kind="household").delete(),
            ".csv",
        )
        == 2
    )
    after = set(Place.objects.filter(kind="household").values_list("code", "name", "parent"))
    assert after == before


def test_it_round_trips_residents(world, tmp_path, resident_a, resident_b):
    resident_a.care_tags.set(CareTag.objects.filter(name__in=["独居老人", "高龄"]))
    resident_b.sex = sex_from_id(crypto.decrypt(resident_b.id_number_enc))
    resident_b.save()
    fields = (
        "name",
        "sex",
        "relation",
        "id_number_index",
        "phone_index",
        "place_id",
        "name_initials",
    )
    before = set(Person.objects.values_list(*fields))
    assert (
        round_trip(world, tmp_path, LedgerKind.RESIDENTS, lambda: Person.objects.all().delete())
        == 2
    )
    assert set(Person.objects.values_list(*fields)) == before
    assert Person.objects.get(name="张桂英").birth_date == date(1945, 1, 1)  # from the ID
    tags = Person.objects.get(name="张桂英").care_tags.values_list("name", flat=True)
    assert sorted(tags) == ["独居老人", "高龄"]


def test_it_round_trips_party_members(world, tmp_path, resident_a):
    branch = Organisation.objects.create(
        kind="party_branch", name="红门社区第一党支部", place=world.community_a
    )
    PartyMember.objects.create(
        person=resident_a,
        branch=branch,
        group_name="第一组",
        is_central_household=True,
        employment="retired",
        joined_on=date(1970, 7, 1),
        report_community=world.community_a,
    )
    fields = (
        "person",
        "branch",
        "group_name",
        "is_central_household",
        "employment",
        "joined_on",
        "report_community",
    )
    before = set(PartyMember.objects.values_list(*fields))
    round_trip(
        world, tmp_path, LedgerKind.PARTY_MEMBERS, lambda: PartyMember.objects.all().delete()
    )
    assert set(PartyMember.objects.values_list(*fields)) == before


def test_it_round_trips_volunteers(world, tmp_path, resident_a):
    volunteer = Volunteer.objects.create(
        person=resident_a,
        certificates=[{"name": "持证社工", "number": "S1"}],
        availability={"mon": ["08:00-12:00"], "sat": ["00:00-24:00"]},
        registered_on=date(2024, 3, 5),
    )
    volunteer.skills.set(Skill.objects.filter(name__in=["理发", "医疗护理"]))
    round_trip(world, tmp_path, LedgerKind.VOLUNTEERS, lambda: Volunteer.objects.all().delete())
    again = Volunteer.objects.get(person=resident_a)
    assert again.certificates == volunteer.certificates
    assert again.availability == volunteer.availability
    assert again.registered_on == date(2024, 3, 5)
    assert sorted(again.skills.values_list("name", flat=True)) == ["医疗护理", "理发"]


def test_it_round_trips_compounds(world, tmp_path):
    company = Organisation.objects.create(
        kind="property_company", name="安居物业", place=world.grid_a
    )
    CompoundProfile.objects.create(
        compound=world.compound_a,
        property_model="company",
        property_company=company,
        built_year=2008,
    )
    Organisation.objects.create(
        kind="owner_committee", name="幸福小区业主委员会", place=world.compound_a
    )

    def delete():
        CompoundProfile.objects.all().delete()
        Organisation.objects.filter(kind="owner_committee").delete()

    round_trip(world, tmp_path, LedgerKind.COMPOUNDS, delete)
    profile = CompoundProfile.objects.get(compound=world.compound_a)
    assert (profile.property_model, profile.property_company, profile.built_year) == (
        "company",
        company,
        2008,
    )
    assert Organisation.objects.filter(kind="owner_committee", place=world.compound_a).exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_it_round_trips_duties(world, tmp_path, resident_a, suffix):
    Duty.objects.create(
        person=resident_a,
        place=world.household_a,
        kind="baolian",
        start_date=date(2024, 1, 1),
        end_date=date(2025, 12, 31),
        note="每月走访",
    )
    Duty.objects.create(
        person=resident_a, place=world.building_a, kind="building_head", start_date=date(2024, 1, 1)
    )
    fields = ("person", "place", "kind", "start_date", "end_date", "note")
    before = set(Duty.objects.values_list(*fields))
    assert (
        round_trip(world, tmp_path, LedgerKind.DUTIES, lambda: Duty.objects.all().delete(), suffix)
        == 2
    )
    assert set(Duty.objects.values_list(*fields)) == before
