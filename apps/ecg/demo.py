"""Demo data for the tele-ECG network: a few months of exams from the clinics, with synthetic
ECGs of known rhythm, read and reported by the centre's physicians, critical values alerted,
acknowledged and referred — so the queue, the viewer and the critical path can be tried at
once. Everything goes through the actions; only the timestamps are moved into the past
afterwards (a demo has no other way to have a history).

The demo generator calls `generate_ecg_demo(rng, clinics, hospital, physicians, doctors)`.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.tasks import capture_tasks
from apps.places.choices import PlaceKind

from . import synth
from .actions import (
    do_check_report,
    do_claim_exam,
    do_save_report,
    do_screen_exam,
    do_submit_report,
    do_upload_exam,
)
from .critical import do_acknowledge_notice, do_record_referral_step
from .models import CriticalNotice, CriticalValue, EcgCentre, Exam, Referral, Report
from .writers import to_csv

# (rhythm, options, weight, report terms, conclusion)
CASES: list[tuple[str, dict[str, Any], float, list[str], str]] = [
    ("sinus", {"rate": 72}, 50, ["normal"], "窦性心律，正常心电图"),
    ("sinus", {"rate": 54}, 8, ["sinus_brady"], "窦性心动过缓"),
    ("sinus", {"rate": 112}, 8, ["sinus_tachy"], "窦性心动过速"),
    ("af", {"rate": 95}, 8, ["af"], "心房颤动"),
    ("long_qt", {"rate": 62, "qt": 0.5}, 3, ["long_qt"], "窦性心律，QT间期延长"),
    ("stemi", {"rate": 88}, 2, ["sinus", "c_stemi"], "窦性心律，急性前壁ST段抬高型心肌梗死"),
    ("vt", {"rate": 180}, 1.5, ["c_vt"], "持续性室性心动过速"),
    ("avb3", {"rate": 38}, 1.5, ["c_avb3"], "三度房室传导阻滞，室性逸搏心律"),
    (
        "pause",
        {"rate": 66, "pause_seconds": 3.4},
        1,
        ["sinus", "c_pause"],
        "窦性停搏，长RR间期3.4秒",
    ),
    ("vf", {}, 0.5, ["c_vf"], "心室颤动"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅"
GIVEN = "建国秀英桂兰春生志强丽华明福玉珍海燕金凤小红德胜文军淑芬永红美玲国平"
TREATMENT = {
    "c_stemi": "pci",
    "c_vt": "cardioversion",
    "c_vf": "cardioversion",
    "c_avb3": "pacing",
    "c_pause": "pacing",
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _doctor_for(clinic: Any, doctors: list[Any]) -> Any:
    covering = [d for d in doctors if d.scope_id and clinic.is_within(d.scope)]
    return covering[0] if covering else doctors[0]


def _centre(hospital: Any, physicians: list[Any], doctors: list[Any]) -> EcgCentre:
    county = next((p for p in hospital.ancestors() if p.kind == PlaceKind.COUNTY), hospital)
    centre, _ = EcgCentre.objects.get_or_create(
        county=county, defaults={"hospital": hospital, "head": physicians[0]}
    )
    team = [d for d in doctors if d.scope_id == hospital.pk]
    if team:
        centre.emergency_team.add(*team)
    return centre


def generate_ecg_demo(
    rng: random.Random,
    clinics: list[Any],
    hospital: Any,
    physicians: list[Any],
    doctors: list[Any],
    months: int = 3,
    per_clinic_month: int = 6,
) -> dict[str, int]:
    """Create `months` of exams per clinic; return counts. The last day's exams stay in the
    queue unread, so the reading queue has work when the demo starts."""
    _centre(hospital, physicians, doctors)
    weights = [c[2] for c in CASES]
    now = timezone.now()
    counts = {"exams": 0, "released": 0, "critical": 0}
    with capture_tasks():  # the demo runs the screening itself; no notifications go out
        for clinic in clinics:
            doctor = _doctor_for(clinic, doctors)
            for _ in range(months * per_clinic_month):
                case = rng.choices(CASES, weights)[0]
                age = rng.randint(18, 90)
                when = now - timedelta(
                    days=rng.uniform(0, 30 * months), minutes=rng.uniform(0, 600)
                )
                fresh = now - when < timedelta(days=1)
                _one(rng, case, clinic, doctor, physicians, age, when, fresh, counts)
    return counts


@transaction.atomic
def _one(
    rng: random.Random,
    case: tuple[str, dict[str, Any], float, list[str], str],
    clinic: Any,
    doctor: Any,
    physicians: list[Any],
    age: int,
    when: Any,
    fresh: bool,
    counts: dict[str, int],
) -> None:
    rhythm, options, _, terms, conclusion = case
    sig = synth.generate(rhythm, fs=250, seed=rng.randrange(10**6), noise=0.015, **options)
    patient = {
        "name": _name(rng),
        "sex": rng.choice("MF"),
        "age": age,
        "symptoms": rng.choice(["胸闷", "心悸", "胸痛", "头晕", "体检", ""]),
        "reason": rng.choice(["体检", "门诊", "随访", "急诊"]),
    }
    exam = do_upload_exam(
        actor=doctor, clinic=clinic, files={"ecg.csv": to_csv(sig)}, patient=patient
    )
    do_screen_exam(exam.pk)
    counts["exams"] += 1
    Exam.objects.filter(pk=exam.pk).update(uploaded_at=when, screened_at=when)
    if fresh:
        return
    reader, checker = rng.sample(physicians, 2) if len(physicians) > 1 else (physicians[0],) * 2
    do_claim_exam(exam, actor=reader)
    do_save_report(
        exam, actor=reader, measurements=_measured(exam), term_codes=terms, conclusion=conclusion
    )
    do_submit_report(exam, actor=reader)
    critical = any(t.startswith("c_") for t in terms)
    turnaround = timedelta(minutes=rng.uniform(3, 12) if critical else rng.uniform(8, 90))
    released = when + turnaround
    if critical and checker != reader:
        do_check_report(exam, actor=checker, approve=True)
    Exam.objects.filter(pk=exam.pk).update(claimed_at=when + turnaround / 3, released_at=released)
    Report.objects.filter(exam=exam).update(
        submitted_at=released - timedelta(minutes=1), checked_at=released, released_at=released
    )
    counts["released"] += 1
    if critical:
        counts["critical"] += 1
        _critical_path(rng, exam, terms, when + turnaround * 0.6)


def _measured(exam: Exam) -> dict[str, Any]:
    exam.refresh_from_db()
    return dict(exam.screening.get("measurements", {}))


def _critical_path(rng: random.Random, exam: Exam, terms: list[str], confirmed: Any) -> None:
    critical = CriticalValue.objects.get(exam=exam)
    CriticalValue.objects.filter(pk=critical.pk).update(confirmed_at=confirmed)
    for notice in CriticalNotice.objects.filter(critical=critical).select_related("recipient"):
        do_acknowledge_notice(notice, actor=notice.recipient, read_back=critical.items)
        acked = confirmed + timedelta(minutes=rng.uniform(0.5, 8))
        CriticalNotice.objects.filter(pk=notice.pk).update(
            sent_at=confirmed, due_at=confirmed + timedelta(minutes=10), acked_at=acked
        )
    CriticalValue.objects.filter(pk=critical.pk).update(
        acknowledged_at=confirmed + timedelta(minutes=1)
    )
    actor = exam.uploaded_by
    critical.refresh_from_db()
    do_record_referral_step(critical, actor=actor, step="decision", decision="refer")
    for step in ("transfer", "arrival"):
        do_record_referral_step(critical, actor=actor, step=step)
    term = next(t for t in terms if t.startswith("c_"))
    do_record_referral_step(
        critical, actor=actor, step="treatment", treatment=TREATMENT.get(term, "drugs")
    )
    do_record_referral_step(
        critical,
        actor=actor,
        step="outcome",
        outcome=rng.choices(["discharged", "transferred", "died"], [90, 8, 2])[0],
    )
    decided = confirmed + timedelta(minutes=rng.uniform(2, 6))
    transfer = decided + timedelta(minutes=rng.uniform(3, 10))
    arrival = transfer + timedelta(minutes=rng.uniform(12, 35))
    treated = arrival + timedelta(minutes=rng.uniform(25, 70))
    Referral.objects.filter(critical=critical).update(
        decided_at=decided,
        transfer_started_at=transfer,
        arrived_at=arrival,
        treatment_at=treated,
        outcome_at=treated + timedelta(days=rng.uniform(3, 10)),
    )
