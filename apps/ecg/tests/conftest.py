"""ECG fixtures: a clinic in the town of the `world`, a clinic in another town, the county
hospital, the centre, and the people who work the loop."""

from dataclasses import dataclass
from typing import Any

import pytest

from apps.accounts.choices import Role
from apps.core.testing.factories import make_place, make_user
from apps.ecg.models import EcgCentre
from apps.places.choices import PlaceKind


@dataclass
class Network:
    clinic: Any
    other_clinic: Any
    hospital: Any
    centre: EcgCentre
    doctor: Any
    other_doctor: Any
    physician: Any
    checker: Any
    emergency: Any
    head: Any


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def network(world) -> Network:
    clinic = make_place(PlaceKind.CLINIC, "潋江镇卫生院", world.town)
    other_town = make_place(PlaceKind.TOWN, "长冈乡", world.county)
    other_clinic = make_place(PlaceKind.CLINIC, "长冈乡卫生院", other_town)
    hospital = make_place(PlaceKind.HOSPITAL, "兴国县人民医院", world.county)
    doctor = make_user("doc_a", Role.CLINIC_DOCTOR, world.town, display_name="刘医生")
    other_doctor = make_user("doc_b", Role.CLINIC_DOCTOR, other_town, display_name="钟医生")
    physician = make_user("ecg_1", Role.ECG_PHYSICIAN, world.county, display_name="陈医师")
    checker = make_user("ecg_2", Role.ECG_PHYSICIAN, world.county, display_name="黄医师")
    emergency = make_user("er_1", Role.CLINIC_DOCTOR, hospital, display_name="急诊李医生")
    head = make_user("ecg_head", Role.ECG_PHYSICIAN, world.county, display_name="中心主任")
    centre = EcgCentre.objects.create(
        county=world.county, hospital=hospital, head=head, ack_minutes=10, phone_minutes=5
    )
    centre.emergency_team.set([emergency])
    return Network(
        clinic,
        other_clinic,
        hospital,
        centre,
        doctor,
        other_doctor,
        physician,
        checker,
        emergency,
        head,
    )


PATIENT = {"name": "王建国", "sex": "M", "age": 62, "symptoms": "胸痛2小时", "reason": "胸痛"}
