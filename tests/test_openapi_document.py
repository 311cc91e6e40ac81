"""The OpenAPI document is one valid JSON object per level: no key twice. The common error
answers were once added under "422" beside ninja's own 422 (an int key), and Swagger UI
refused the whole document ("duplicated mapping key")."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_openapi_document_names_each_key_once():
    repeated: list[list[str]] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in items]
        repeated.extend([[k] for k in set(keys) if keys.count(k) > 1])
        return dict(items)

    doc = json.loads(Client().get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
    assert repeated == []
    create = doc["paths"]["/api/v1/cases/"]["post"]["responses"]
    assert {"401", "403", "404", "422"} <= set(create)
