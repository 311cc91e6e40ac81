"""Open311 fixtures: the public GeoReport v2 schemas, keys for community A and B, a category
with form fields, and helpers that check every response against the schemas or parse it."""

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from apps.accounts.apikeys import do_create_api_key
from apps.cases.models import Category

SCHEMAS = Path("/work/shared/data/open311")
BASE = "https://open311.example/"
FILES = [
    "services.json",
    "service.json",
    "service-definition.json",
    "requests.json",
    "request.json",
]

# Shapes the published schemas do not cover, written from the spec's text: the POST and token
# answers (Swagger's RequestResponse / TokenResponse), errors, discovery, and mySociety's
# service request updates.
OWN: dict[str, dict[str, Any]] = {
    "post-response.json": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["service_request_id"],
            "properties": {
                "service_request_id": {"type": "string"},
                "token": {"type": "string"},
                "service_notice": {"type": "string"},
                "account_id": {"type": "string"},
            },
        },
    },
    "tokens.json": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id", "token"],
            "properties": {
                "service_request_id": {"type": "string"},
                "token": {"type": "string"},
            },
        },
    },
    "errors.json": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
    "discovery.json": {
        "type": "object",
        "required": ["changeset", "contact", "endpoints"],
        "properties": {
            "changeset": {"type": "string", "format": "date-time"},
            "contact": {"type": "string"},
            "key_service": {"type": "string"},
            "endpoints": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["specification", "url", "changeset", "type", "formats"],
                    "properties": {
                        "specification": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "type": {"enum": ["production", "test"]},
                        "formats": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "updates.json": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["update_id", "service_request_id", "status", "updated_datetime"],
            "properties": {
                "update_id": {"type": "string"},
                "service_request_id": {"type": "string"},
                "status": {
                    "enum": [
                        "open",
                        "closed",
                        "fixed",
                        "in_progress",
                        "action_scheduled",
                        "investigating",
                        "duplicate",
                        "no_further_action",
                        "internal_referral",
                    ]
                },
                "updated_datetime": {"type": "string", "format": "date-time"},
                "description": {"type": "string"},
                "media_url": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        },
    },
}


def _registry() -> Registry:
    resources = []
    for name in FILES:
        contents = json.loads((SCHEMAS / name).read_text())
        resources.append((BASE + name, Resource.from_contents(contents, DRAFT4)))
    for name, contents in OWN.items():
        resources.append((BASE + name, Resource.from_contents(contents, DRAFT4)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(payload: Any, schema: str) -> None:
    """Validate `payload` against a schema named by file; its $refs resolve by file name."""
    contents = REGISTRY.contents(BASE + schema)
    validator = Draft4Validator(
        {"id": BASE + schema, **contents}, registry=REGISTRY, format_checker=FormatChecker()
    )
    errors = sorted(validator.iter_errors(payload), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def get_json(client: Client, url: str, schema: str, expect: int = 200, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == expect, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    validate(payload, schema if expect < 400 else "errors.json")
    return payload


def get_xml(client: Client, url: str, expect: int = 200, **params: Any) -> ET.Element:
    response = client.get(url, params)
    assert response.status_code == expect, response.content.decode()
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


@pytest.fixture
def category(db) -> Category:
    category, _ = Category.objects.update_or_create(
        code="streetlight",
        defaults={
            "name": "路灯报修",
            "default_level": "community",
            "materials": "路灯编号\n现场照片",
            "form_fields": [
                {"code": "pole", "label": "灯杆编号", "datatype": "string", "required": True},
                {
                    "code": "kind",
                    "label": "故障类型",
                    "datatype": "singlevaluelist",
                    "values": [{"key": "off", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
                },
                {"code": "floors", "label": "楼层数", "datatype": "number"},
            ],
        },
    )
    return category


@pytest.fixture
def key_a(world) -> str:
    _, raw = do_create_api_key(name="A 对接", scope=world.community_a, actor=None)
    return raw


@pytest.fixture
def key_b(world) -> str:
    _, raw = do_create_api_key(name="B 对接", scope=world.community_b, actor=None)
    return raw
