"""Issue 14 item 6: control characters never break requests.xml — stripped at intake (the one
validator of Open311 POST and the portal) and left out on output."""

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from apps.cases.actions import do_create_case
from apps.cases.models import Case

from .conftest import get_xml

pytestmark = pytest.mark.django_db
CONTROLS = "".join(chr(c) for c in (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))


def test_open311_post_strips_control_characters(world, category, key_a):
    response = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key_a,
            "service_code": "streetlight",
            "address_id": world.household_a.code,
            "description": f"楼下路灯\x01一直\x0b不亮{CONTROLS}",
            "attribute[pole]": "HM-017",
            "attribute[kind]": "off",
            "last_name": "张\x1f",
            "first_name": "桂英",
        },
    )
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get()
    assert case.description == "楼下路灯一直不亮"
    assert case.reporter_name == "张桂英"
    root = get_xml(Client(), "/open311/v2/requests.xml", api_key=key_a)
    assert root.findtext("request/description") == "楼下路灯一直不亮"


def test_stored_control_characters_are_left_out_of_the_feed(world, category, key_a):
    """A case filed another way (staff page, import) with such characters still gives a
    well-formed feed."""
    do_create_case(
        actor=world.user("community_a"),
        category=category,
        place=world.household_a,
        title="路灯\x01不亮",
        description=f"说明{CONTROLS}完",
        attributes={"pole": "HM\x0b-1", "kind": "off"},
    )
    response = Client().get("/open311/v2/requests.xml", {"api_key": key_a})
    root = ET.fromstring(response.content)  # raised "not well-formed" before
    assert root.findtext("request/description") == "说明完"


def test_the_portal_strips_control_characters(world, category):
    from apps.portal.forms import ReportForm

    form = ReportForm(
        category=category,
        data={"description": f"井盖\x01丢了{CONTROLS}", "name": "王\x0c芳", "form_token": "t" * 32},
    )
    form.is_valid()
    assert form.cleaned_data["description"] == "井盖丢了"
    assert form.cleaned_data["name"] == "王芳"
