"""Issue 14 item 7: edge input answers 4xx in Chinese on both engines, never a 500."""

from typing import Any

import pytest
from django.test import Client
from ninja import Schema

from apps.accounts.apikeys import do_create_api_key
from apps.cases.models import Case
from config.api import api

HUGE = "9223372036854775807"
PAGED = [
    "/api/v1/people/",
    "/api/v1/places/",
    "/api/v1/cases/",
    "/api/v1/orgs/",
    "/api/v1/notifications/",
    "/api/v1/duties/",
]


@pytest.fixture
def staff(world) -> Client:
    client = Client()
    client.force_login(world.user("town_staff"))
    return client


@pytest.mark.parametrize("url", PAGED)
def test_a_huge_page_number_is_a_422_not_a_500(staff, url):
    response = staff.get(url, {"page": HUGE})
    assert response.status_code == 422, response.content[:300]
    assert response.json()["detail"][0]["loc"][-1] == "page"


def test_every_paged_api_list_bounds_its_page_number(staff):
    """Every operation with a `page` parameter documents an upper bound (so a schemathesis
    run draws no number the database cannot hold)."""
    schema = api.get_openapi_schema()
    paged = []
    for path, item in schema["paths"].items():
        for op in item.values():
            for param in op.get("parameters", []):
                if param["name"] == "page":
                    paged.append(path)
                    assert param["schema"].get("maximum") == 1_000_000, path
    assert len(paged) >= 10


def test_an_ordinary_page_beyond_the_end_is_empty(staff):
    response = staff.get("/api/v1/people/", {"page": 999_999})
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_title_over_its_length_is_refused_with_422(world, staff):
    from apps.cases.models import Category

    category = Category.objects.create(code="misc", name="其他", default_level="community")
    response = staff.post(
        "/api/v1/cases/",
        {"category": category.code, "place": world.household_a.pk, "title": "长" * 1000},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content[:500]
    assert response.json()["message"] == "标题最多100个字符（现为1000个）"
    assert not Case.objects.exists()  # SQLite refuses too (ADR 0006)


def test_a_name_over_its_length_is_refused_on_every_engine(world, staff):
    response = staff.post(
        "/api/v1/people/",
        {"name": "名" * 51, "place": world.household_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "姓名最多50个字符（现为51个）"


@pytest.mark.parametrize(
    "url",
    ["/portal/?place=%00", "/portal/t/ab%00cd/", "/api/v1/people/?name=%00", "/people/?name=a%00"],
)
def test_a_nul_byte_is_a_400_in_chinese(world, staff, url):
    response = staff.get(url)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_a_nul_byte_in_a_json_body_is_a_400(world, staff):
    response = staff.post(
        "/api/v1/people/",
        '{"name": "a\\u0000b", "place": 1}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_wrong_api_key_on_post_is_a_401_not_a_csrf_403(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/people/", {"name": "x"}, content_type="application/json", HTTP_X_API_KEY="gz_wrong"
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "接口密钥无效、已吊销或已过期"


def test_a_right_api_key_on_post_needs_no_csrf(world):
    _, raw = do_create_api_key(name="对接", scope=world.community_a, actor=None)
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/people/", HTTP_X_API_KEY=raw)
    assert response.status_code == 200


def _schemas() -> dict[str, set[type]]:
    """Every Schema class the API uses, by the name OpenAPI gives its component."""
    seen: dict[str, set[type]] = {}

    def walk(model: Any) -> None:
        if not (isinstance(model, type) and issubclass(model, Schema)):
            return
        if model in seen.get(model.__name__, set()):
            return
        seen.setdefault(model.__name__, set()).add(model)
        for info in model.model_fields.values():
            for arg in _types(info.annotation):
                walk(arg)

    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                for model in (op.response_models or {}).values():
                    for arg in _types(model):
                        walk(arg)
                for model in op.models:
                    for info in model.model_fields.values():
                        for arg in _types(info.annotation):
                            walk(arg)
    return seen


def _types(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_types(arg))
    fields = getattr(annotation, "model_fields", None)
    if fields and not (isinstance(annotation, type) and issubclass(annotation, Schema)):
        for info in fields.values():  # ninja's generated response wrappers
            found.extend(_types(info.annotation))
    return found


def test_openapi_component_names_are_unique():
    clashes = {
        name: classes
        for name, classes in _schemas().items()
        if len(classes) > 1 and name != "NinjaResponseSchema"  # ninja's own per-operation wrapper
    }
    assert clashes == {}
    names = _schemas()
    for name in ("ErrorOut", "CodedErrorOut", "DecisionIn", "ReviewDecisionIn", "VisitCoverageOut"):
        assert name in names, name


def test_a_nul_byte_in_a_multipart_form_is_a_400(world):
    response = Client().post("/portal/report/streetlight/", {"description": "井盖\x00丢了"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/people/", "/places/", "/cases/", "/duties/", "/notifications/", "/orgs/"]
)
def test_a_huge_page_number_on_a_list_page_shows_the_last_page(staff, url):
    response = staff.get(url, {"page": HUGE})
    assert response.status_code == 200


def test_a_huge_community_id_on_the_portal_is_ignored(world):
    response = Client().get("/portal/places/", {"community": "9" * 25, "q": "幸福"})
    assert response.status_code == 200
