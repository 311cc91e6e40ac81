"""Least privilege by module: a role with a narrow job opens its own module and no other,
whatever its scope place (apps/accounts/modules.py). Found on the demo county: a project
company's account scoped to the county read the residents register (132,545 people), the ECG
exams and every case; so did the auditor and the security administrator."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.modules import ALWAYS, ONLY
from apps.core.testing import client_as
from apps.core.testing.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db

# pages of other modules that list the area's people, health records and cases
OTHERS = ["/people/", "/cases/", "/ecg/", "/visits/", "/care/mine/", "/orgs/"]


def test_the_table_is_pinned():
    """A change to who opens what is a decision: it shows up here."""
    assert {role: sorted(mods) for role, mods in ONLY.items()} == {
        Role.PROJECT_OFFICIAL: ["projects", "stats"],
        Role.PROJECT_UNIT: ["projects"],
        Role.VILLAGE_ACCOUNTANT: ["collective", "ledgers"],
        Role.VILLAGE_SUPERVISOR: ["collective"],
        Role.AGENCY_ACCOUNTANT: ["collective", "ledgers"],
        Role.FOREST_CHIEF: ["cases", "forestry", "reports", "stats"],
        Role.RANGER: ["cases", "forestry"],
        Role.CLINIC_DOCTOR: ["ecg"],
        Role.ECG_PHYSICIAN: ["ecg"],
        Role.SECURITY_ADMIN: [],
        Role.AUDITOR: [],
    }
    assert {"accounts", "notifications", "outbox", "portal", "open311", "demo", "admin"} == ALWAYS


@pytest.mark.parametrize(
    ("role", "own"),
    [
        (Role.PROJECT_UNIT, "/projects/"),
        (Role.PROJECT_OFFICIAL, "/projects/"),
        (Role.VILLAGE_ACCOUNTANT, "/collective/"),
        (Role.AGENCY_ACCOUNTANT, "/collective/"),
    ],
)
def test_a_narrow_role_opens_its_module_and_no_other(world, role, own):
    PersonFactory(name="张桂英", place=world.household_a, relation="head")
    user = make_user(f"narrow_{role}", role, world.county)
    client = client_as(user)
    page = client.get(own)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/people/"' not in body and 'href="/cases/"' not in body
    for url in OTHERS:
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "不使用" in refused.content.decode(), url
    assert "张桂英" not in client.get("/people/").content.decode()


def test_the_api_refuses_the_same_modules_in_chinese(world):
    client = client_as(make_user("unit_api", Role.PROJECT_UNIT, world.county))
    for url in ("/api/v1/people/", "/api/v1/cases/", "/api/v1/ecg/exams"):
        answer = client.get(url)
        assert answer.status_code == 403, url
        assert "项目单位" in answer.json()["detail"]


def test_the_auditor_lands_on_the_audit_trail_and_reads_no_records(world):
    client = client_as(make_user("audit_x", Role.AUDITOR, world.county))
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == "/accounts/audit/"
    assert landing.status_code == 200
    for url in [*OTHERS, "/stats/"]:
        assert client.get(url).status_code == 403, url


def test_a_ranger_reports_through_cases_but_reads_no_register(world):
    client = client_as(make_user("ranger_x", Role.RANGER, world.grid_a))
    assert client.get("/cases/").status_code == 200
    assert client.get("/people/").status_code == 403
    assert client.get("/ecg/").status_code == 403


def test_governance_roles_keep_every_module(world):
    client = client_as(world.user("community_a"))
    for url in ("/people/", "/cases/", "/visits/", "/orgs/"):
        assert client.get(url).status_code == 200, url
    body = client.get("/cases/").content.decode()
    assert 'href="/people/"' in body
