"""Boundaries for the persona county (squares around 兴国县's seat), a category and the
submit helper shared by the resident-page tests."""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from apps.cases.models import Category
from apps.places.models import Place

TOKEN = "form-token-0123456789abcdef"


def square(lng0: float, lat0: float, lng1: float, lat1: float) -> dict:
    ring = [[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def set_area(place: Place, geometry: dict, lnglat: tuple[float, float] | None = None) -> None:
    place.geometry = geometry
    if lnglat:
        place.lng, place.lat = lnglat
    place.save()


@pytest.fixture
def mapped(world):
    """Town 115.30–115.40 × 26.30–26.40; community A the western half, B the eastern; grid A
    the south-west quarter; the compound 幸福小区 at its centre, 1栋 beside it."""
    set_area(world.county, square(115.2, 26.2, 115.5, 26.5))
    set_area(world.town, square(115.30, 26.30, 115.40, 26.40))
    set_area(world.community_a, square(115.30, 26.30, 115.35, 26.40))
    set_area(world.community_b, square(115.35, 26.30, 115.40, 26.40))
    set_area(world.grid_a, square(115.30, 26.30, 115.35, 26.35), (115.325, 26.325))
    set_area(world.grid_b, square(115.35, 26.30, 115.40, 26.40))
    world.compound_a.lng, world.compound_a.lat = 115.3200, 26.3200
    world.compound_a.save()
    world.building_a.lng, world.building_a.lat = 115.3201, 26.3201
    world.building_a.save()
    return world


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category(db) -> Category:
    category, _ = Category.objects.update_or_create(
        code="portal-elderly",
        defaults={
            "name": "助老服务",
            "default_level": "community",
            "materials": "老人身份证\n户口簿",
        },
    )
    return category


def photo(colour: str = "red") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


def submit(client: Client, category: Category, **fields):
    data = {
        "description": "家里老人行动不便，需要帮忙代买药品",
        "name": "张阿姨",
        "phone": "13912345678",
        "form_token": TOKEN,
        **fields,
    }
    return client.post(f"/portal/report/{category.code}/", data)
