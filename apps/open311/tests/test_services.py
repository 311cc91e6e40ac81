"""Discovery, services and service definitions: public, schema-valid, in JSON and XML."""

import pytest
from django.test import Client

from apps.cases.models import Category

from .conftest import get_json, get_xml, validate

pytestmark = pytest.mark.django_db


def test_it_describes_itself(category):
    data = get_json(Client(), "/open311/v2/discovery.json", "discovery.json")
    endpoint = data["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert "text/xml" in endpoint["formats"]
    root = get_xml(Client(), "/open311/v2/discovery.xml")
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["application/json", "text/xml"]
    assert root.find("endpoints/endpoint/specification").text.endswith("GeoReport_v2")


def test_it_lists_the_active_categories_as_services(category):
    Category.objects.update_or_create(code="retired", defaults={"name": "停用", "active": False})
    services = get_json(Client(), "/open311/v2/services.json", "services.json")
    codes = {s["service_code"]: s for s in services}
    assert "retired" not in codes
    assert codes["streetlight"]["metadata"] is True
    assert codes["streetlight"]["service_name"] == "路灯报修"
    assert codes["streetlight"]["type"] == "realtime"
    plain = [s for s in services if s["service_code"] != "streetlight"]
    assert all(s["metadata"] is False for s in plain)  # the default catalogue has no fields
    root = get_xml(Client(), "/open311/v2/services.xml")
    assert root.tag == "services"
    xml_codes = [s.findtext("service_code") for s in root.findall("service")]
    assert xml_codes == [s["service_code"] for s in services]
    light = next(s for s in root.findall("service") if s.findtext("service_code") == "streetlight")
    assert light.findtext("metadata") == "true"


def test_it_defines_a_service_from_the_category_fields(category):
    data = get_json(Client(), "/open311/v2/services/streetlight.json", "service-definition.json")
    assert data["service_code"] == "streetlight"
    pole, kind, floors = data["attributes"]
    assert pole == {
        "variable": True,
        "code": "pole",
        "datatype": "string",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "灯杆编号",
        "values": [],
    }
    assert kind["values"] == [{"key": "off", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}]
    assert floors["datatype"] == "number" and floors["order"] == 3
    root = get_xml(Client(), "/open311/v2/services/streetlight.xml")
    assert root.tag == "service_definition"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["pole", "kind", "floors"]
    assert [v.findtext("key") for v in attributes[1].findall("values/value")] == ["off", "flicker"]
    assert attributes[0].findtext("required") == "true"


def test_it_answers_404_for_an_unknown_service(category):
    errors = get_json(Client(), "/open311/v2/services/nothing.json", "", expect=404)
    assert errors == [{"code": 404, "description": "service_code nothing 不存在"}]
    root = get_xml(Client(), "/open311/v2/services/nothing.xml", expect=404)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_it_checks_against_the_real_schemas():
    """The validator is no rubber stamp: a wrong status, a bad date or a missing field fail."""
    good = {
        "service_request_id": "1",
        "status": "open",
        "service_code": "x",
        "requested_datetime": "2026-05-01T09:30:00+08:00",
    }
    validate([good], "requests.json")
    for bad in (
        {**good, "status": "pending"},
        {**good, "requested_datetime": "yesterday"},
        {k: v for k, v in good.items() if k != "service_code"},
        {**good, "lat": "26.3"},
    ):
        with pytest.raises(AssertionError):
            validate([bad], "requests.json")
    with pytest.raises(AssertionError):
        validate([{"service_code": "x", "service_name": "y", "type": "realtime"}], "services.json")
