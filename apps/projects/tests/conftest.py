"""A city with two counties, departments, and the accounts of the key-project work."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.accounts.choices import Role
from apps.core.testing.factories import make_place, make_user
from apps.orgs.choices import OrgKind
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.projects.actions import do_register_project

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock():
    """Freeze the clock at a Beijing moment; `clock(moment)` moves it."""
    travellers = []

    def travel(moment: dt.datetime) -> None:
        while travellers:
            travellers.pop().stop()
        t = time_machine.travel(moment.replace(tzinfo=moment.tzinfo or SHANGHAI), tick=False)
        t.start()
        travellers.append(t)

    travel(dt.datetime(2025, 9, 1, 9, 0))
    yield travel
    while travellers:
        travellers.pop().stop()


@pytest.fixture
def city(db):
    province = make_place(PlaceKind.PROVINCE, "江西省", code="360000000000")
    city = make_place(PlaceKind.CITY, "九江市", province, code="360400000000")
    wuning = make_place(PlaceKind.COUNTY, "武宁县", city, code="360423000000")
    xiushui = make_place(PlaceKind.COUNTY, "修水县", city, code="360424000000")
    return {"province": province, "city": city, "wuning": wuning, "xiushui": xiushui}


@pytest.fixture
def dept(city):
    return Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="武宁县自然资源局", place=city["wuning"]
    )


@pytest.fixture
def people(city):
    return {
        "city_official": make_user("city_po", Role.PROJECT_OFFICIAL, city["city"]),
        "wuning_official": make_user("wuning_po", Role.PROJECT_OFFICIAL, city["wuning"]),
        "xiushui_official": make_user("xiushui_po", Role.PROJECT_OFFICIAL, city["xiushui"]),
        "unit": make_user("unit_g105", Role.PROJECT_UNIT, city["wuning"]),
        "handler": make_user("dept_h", Role.DEPT_HANDLER, city["wuning"]),
    }


def register(actor, place, code, name="G105国道武宁段改建工程", start=dt.date(2025, 9, 1), **kw):
    fields = {
        "code": code,
        "name": name,
        "level": "province",
        "type": "transport",
        "investment_wan": Decimal("125000"),
        "owner_unit": "江西省交通投资集团",
        "bureau": "九江市自然资源局",
        "land_agricultural_mu": Decimal("320"),
        "land_farmland_mu": Decimal("150"),
        "land_construction_mu": Decimal("80"),
        "land_unused_mu": Decimal("12"),
        "start_date": start,
    }
    fields.update(kw)
    return do_register_project(actor=actor, place=place, **fields)


@pytest.fixture
def g105(clock, city, people, dept):
    project = register(people["city_official"], city["wuning"], "G105-WN", departments=[dept.pk])
    project.unit_accounts.add(people["unit"])
    return project
