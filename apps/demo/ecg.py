"""Tele-ECG history for the demo county: exams from the township clinics, read at the county
hospital's ECG centre by the demo's ECG physicians (`apps.ecg.demo`).

The ECG demo goes through the ECG actions exam by exam (synthesis, screening, report, audit
rows), which costs 0.1–0.2 s per exam, so the counts stay modest: two exams per township
clinic per month over three months for the county size (120 exams), four for the tiny one.
"""

import random
from collections.abc import Callable
from typing import Any

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.places.choices import PlaceKind
from apps.places.models import Place, subtree_q

# Exams per township clinic per month, by size.
PER_CLINIC_MONTH = {"tiny": 4, "small": 3, "county": 2, "large": 1}
MONTHS = 3


def generate_ecg(
    county: Place, size: str, seed: int, say: Callable[[str], None] = lambda _line: None
) -> dict[str, Any]:
    """Exams, reports and critical values for the county's township clinics; counts."""
    from apps.ecg.demo import generate_ecg_demo

    places = Place.objects.filter(subtree_q(county, "")).order_by("code")
    clinics = [
        p
        for p in places.filter(kind=PlaceKind.CLINIC)
        if (p.attributes or {}).get("type") == "township_clinic"
    ]
    hospital = places.filter(kind=PlaceKind.HOSPITAL).first()
    physicians = list(User.objects.filter(role=Role.ECG_PHYSICIAN).order_by("id"))
    doctors = list(
        User.objects.filter(role=Role.CLINIC_DOCTOR).select_related("scope").order_by("id")
    )
    if not (clinics and hospital and physicians and doctors):
        return {}
    counts = generate_ecg_demo(
        random.Random(f"{seed}/ecg"),
        clinics,
        hospital,
        physicians,
        doctors,
        months=MONTHS,
        per_clinic_month=PER_CLINIC_MONTH.get(size, 2),
    )
    say(
        f"  心电：{counts['exams']} 份检查（{len(clinics)} 个卫生院），"
        f"已出报告 {counts['released']} 份，危急值 {counts['critical']} 例"
    )
    return {f"ecg_{k}": v for k, v in counts.items()}
