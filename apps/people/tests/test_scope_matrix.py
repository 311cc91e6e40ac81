"""An account of community A can neither list, read, change nor export (reveal) anything of
community B: 404 through the pages, the API and the admin, refusal through the actions."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.testing.factories import OrganisationFactory, make_place, make_user
from apps.orgs.actions import do_add_member, do_set_compound_profile, do_update_organisation
from apps.orgs.models import CompoundProfile, Membership
from apps.people.actions import (
    do_reveal_person,
    do_set_party_member,
    do_update_person,
)
from apps.people.models import PartyMember
from apps.places.choices import PlaceKind
from apps.volunteers.actions import do_register_volunteer
from apps.volunteers.models import Volunteer


@dataclass
class B:
    person: Any
    party_member: Any
    volunteer: Any
    organisation: Any
    membership: Any
    compound: Any
    profile: Any


@pytest.fixture
def b(world, resident_b) -> B:
    org = OrganisationFactory(kind="party_branch", name="将军社区党支部", place=world.community_b)
    compound = make_place(PlaceKind.COMPOUND, "将军小区", world.grid_b)
    return B(
        person=resident_b,
        party_member=PartyMember.objects.create(person=resident_b, branch=org),
        volunteer=Volunteer.objects.create(person=resident_b),
        organisation=org,
        membership=Membership.objects.create(organisation=org, person=resident_b),
        compound=compound,
        profile=CompoundProfile.objects.create(compound=compound, property_model="company"),
    )


@pytest.fixture
def staff_a(world) -> Client:
    client = Client()
    client.force_login(world.user("community_a"))
    return client


@pytest.fixture
def admin_a(world) -> Client:
    client = Client()
    client.force_login(make_user("admin_a", Role.ADMIN, world.community_a, is_staff=True))
    return client


class TestPages:
    def test_it_lists_nothing_of_b(self, staff_a, b):
        for name in ("people:list", "people:party_members", "people:volunteers", "orgs:list"):
            response = staff_a.get(reverse(name))
            assert response.context["page"].paginator.count == 0, name
        coverage = staff_a.get(reverse("orgs:list")).context["coverage"]
        assert coverage.compounds == 1  # only community A's own 幸福小区

    def test_it_reads_nothing_of_b(self, staff_a, b):
        urls = [
            reverse("people:detail", args=[b.person.pk]),
            reverse("people:edit", args=[b.person.pk]),
            reverse("orgs:detail", args=[b.organisation.pk]),  # also its memberships
            reverse("orgs:compound", args=[b.compound.pk]),  # also its profile
        ]
        for url in urls:
            assert staff_a.get(url).status_code == 404, url

    def test_it_changes_and_reveals_nothing_of_b(self, staff_a, b, reveals):
        edit = staff_a.post(reverse("people:edit", args=[b.person.pk]), {"name": "改"})
        reveal = staff_a.post(reverse("people:reveal", args=[b.person.pk]), {"field": "phone"})
        assert (edit.status_code, reveal.status_code) == (404, 404)
        assert reveals(b.person) == 0
        b.person.refresh_from_db()
        assert b.person.name == "李春生"

    def test_it_filters_nothing_into_b(self, staff_a, b):
        response = staff_a.get(reverse("people:list"), {"place": b.compound.pk})
        assert response.context["page"].paginator.count == 0
        assert "地点不存在或不在您的管辖范围内" in response.content.decode()


class TestApi:
    def test_it_lists_nothing_of_b(self, staff_a, b):
        for role in ("", "party_member", "volunteer"):
            assert (
                staff_a.get("/api/v1/people/", {"role": role} if role else {}).json()["count"] == 0
            )
        assert staff_a.get("/api/v1/orgs/").json()["count"] == 0

    def test_it_reads_nothing_of_b(self, staff_a, b):
        assert staff_a.get(f"/api/v1/people/{b.person.pk}").status_code == 404
        assert staff_a.get(f"/api/v1/orgs/{b.organisation.pk}").status_code == 404
        coverage = staff_a.get("/api/v1/orgs/compounds/coverage", {"place": b.compound.pk})
        assert coverage.status_code == 404

    def test_it_changes_and_reveals_nothing_of_b(self, staff_a, b, reveals):
        patch = staff_a.patch(
            f"/api/v1/people/{b.person.pk}", {"name": "改"}, content_type="application/json"
        )
        reveal = staff_a.post(f"/api/v1/people/{b.person.pk}/reveal?field=phone")
        assert (patch.status_code, reveal.status_code) == (404, 404)
        assert reveals(b.person) == 0
        child = staff_a.post(
            "/api/v1/orgs/",
            {
                "kind": "party_branch",
                "name": "新支部",
                "place": b.compound.pk,
                "parent": b.organisation.pk,
            },
            content_type="application/json",
        )
        assert child.status_code == 422


ADMIN_MODELS = [
    ("people", "person", "person"),
    ("people", "partymember", "party_member"),
    ("volunteers", "volunteer", "volunteer"),
    ("orgs", "organisation", "organisation"),
    ("orgs", "membership", "membership"),
    ("orgs", "compoundprofile", "profile"),
]


class TestAdmin:
    @pytest.mark.parametrize(("app", "model", "attr"), ADMIN_MODELS)
    def test_it_lists_nothing_of_b(self, admin_a, b, app, model, attr):
        response = admin_a.get(reverse(f"admin:{app}_{model}_changelist"))
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []

    @pytest.mark.parametrize(("app", "model", "attr"), ADMIN_MODELS)
    def test_it_reads_changes_and_deletes_nothing_of_b(self, admin_a, b, app, model, attr):
        pk = getattr(b, attr).pk
        for view in ("change", "delete", "history"):
            url = reverse(f"admin:{app}_{model}_{view}", args=[pk])
            assert admin_a.get(url).status_code == 404, url
            assert admin_a.post(url, {"post": "yes"}).status_code == 404, url
        assert type(getattr(b, attr)).objects.filter(pk=pk).exists()


class TestActions:
    def test_it_refuses_every_write_on_b(self, world, b):
        staff = world.user("community_a")
        with pytest.raises(PermissionDenied):
            do_update_person(b.person, actor=staff, note="x")
        with pytest.raises(PermissionDenied):
            do_reveal_person(b.person, "phone", actor=staff)
        with pytest.raises(PermissionDenied):
            do_set_party_member(b.person, actor=staff)
        with pytest.raises(PermissionDenied):
            do_register_volunteer(b.person, actor=staff)
        with pytest.raises(PermissionDenied):
            do_update_organisation(b.organisation, actor=staff, name="改")
        with pytest.raises(PermissionDenied):
            do_add_member(b.organisation, b.person, actor=staff)
        with pytest.raises(ValidationError):
            do_set_compound_profile(b.compound, actor=staff, property_model="none")
