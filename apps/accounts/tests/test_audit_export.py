"""The auditor's page and export (三员分立): the auditor alone reads and exports the trail,
with every row's hashes and the chain's verdict; formulas never run; the export is audited."""

import io

import pytest
from openpyxl import load_workbook

from apps.accounts.choices import Role
from apps.core import audit
from apps.core.models import AuditEvent
from apps.core.testing import client_as
from apps.core.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(world):
    return make_user("aud", Role.AUDITOR, world.county, is_staff=True)


@pytest.fixture
def events(world):
    audit.record(
        actor=world.user("admin"),
        verb="update",
        object_type="test.thing",
        object_repr='=HYPERLINK("x")',
        scope_path=world.county.path,
    )
    audit.record(  # outside the auditor's scope: another county
        actor=None, verb="update", object_type="test.thing", object_repr="外县", scope_path="999."
    )
    audit.seal()


def test_only_the_auditor_opens_the_page_and_the_export(world, auditor, events):
    for name in ("admin", "county_leader"):
        client = client_as(world.user(name))
        assert client.get("/accounts/audit/").status_code == 403
        assert client.get("/accounts/audit/export/").status_code == 403
    page = client_as(auditor).get("/accounts/audit/")
    assert page.status_code == 200 and "审计链校验：完整" in page.content.decode()


def test_the_csv_carries_hashes_and_the_verdict_without_formulas(world, auditor, events):
    response = client_as(auditor).get("/accounts/audit/export/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "审计链校验：完整"
    assert "'=HYPERLINK" in text and "外县" not in text
    event = AuditEvent.objects.get(object_repr__startswith="=HYPERLINK")
    assert event.hash in text and event.prev_hash in text
    assert AuditEvent.objects.filter(verb="export", actor=auditor).count() == 1


def test_the_excel_export(world, auditor, events):
    response = client_as(auditor).get("/accounts/audit/export/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["审计记录"].values)
    assert rows[0][0] == "序号" and any(r[6] == '\'=HYPERLINK("x")' for r in rows[1:])
    assert book["校验"]["A1"].value == "审计链校验：完整"
