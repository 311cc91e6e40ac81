"""/api/v1/docs works on an intranet without Internet: Swagger UI is served from this site
(static/vendor/swagger-ui, with its licence), and the page is behind login as the README says.
The OpenAPI schema itself stays readable by API-key clients."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_docs_page_needs_a_login(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs")


def test_the_docs_page_references_no_other_host(client, world):
    client.force_login(world.user("volunteer_a"))
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui/swagger-ui.css" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "an asset from another host"
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html and '"url": "/api/v1/openapi.json"' in html


def test_the_vendored_files_and_their_licence_are_there():
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "SOURCE"):
        assert finders.find(f"vendor/swagger-ui/{name}"), name
    with open(finders.find("vendor/swagger-ui/LICENSE"), encoding="utf-8") as licence:
        assert "Apache License" in licence.read()


def test_the_schema_is_still_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "共治 Gongzhi API"
