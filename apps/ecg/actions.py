"""Writes of the tele-ECG network: upload, screening, claim, report, check and release.

Every action runs in one transaction, locks the exam it changes, checks the actor's role and
scope, writes one audit event and queues its side effects (screening, notifications) on
commit. The critical-value loop (alerts, acknowledgement, escalation, referral) lives in
`critical.py`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.accounts.scoping import place_in_scope
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.tasks import enqueue
from apps.core.validators import id_number_error
from apps.notifications.services import notify
from apps.places.choices import PlaceKind
from apps.places.models import Place

from . import storage
from .choices import (
    EcgAction,
    ExamStatus,
    ReportStatus,
    Sex,
)
from .models import DiagnosisTerm, EcgCentre, Exam, ExamFile, Report
from .readers import EcgReadError, read_files
from .screening import screen

SYSTEM = "系统（自动筛查）"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
REPORT_FIELDS = ("heart_rate", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "axis_deg")


def centre_for(place: Place) -> EcgCentre | None:
    """The ECG centre of the county the place lies in."""
    county_ids = [p.pk for p in place.ancestors() if p.kind == PlaceKind.COUNTY]
    if place.kind == PlaceKind.COUNTY:
        county_ids.append(place.pk)
    return EcgCentre.objects.filter(county_id__in=county_ids).first()


# -- upload -----------------------------------------------------------------------------------


def _clean_patient(patient: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = (patient.get("name") or "").strip()
    if not name:
        errors["patient_name"] = "请填写患者姓名"
    sex = patient.get("sex") or ""
    if sex and sex not in Sex.values:
        errors["patient_sex"] = "性别只能是男或女"
    birth_date: date | None = patient.get("birth_date")
    age = patient.get("age")
    if birth_date is None and age in (None, ""):
        errors["patient_age"] = "请填写年龄或出生日期"
    if age not in (None, "") and not 0 <= int(age) <= 130:
        errors["patient_age"] = "年龄应在 0–130 岁之间"
    id_number = (patient.get("id_number") or "").strip()
    if id_number:
        message = id_number_error(id_number)
        if message:
            errors["id_number"] = message
    if errors:
        raise ValidationError(errors)
    if age in (None, "") and birth_date is not None:
        today = timezone.localdate()
        age = (
            today.year
            - birth_date.year
            - ((today.month, today.day) < (birth_date.month, birth_date.day))
        )
    return {
        "patient_name": name,
        "patient_sex": sex,
        "patient_birth_date": birth_date,
        "patient_age": int(age) if age not in (None, "") else None,
        "symptoms": (patient.get("symptoms") or "").strip()[:200],
        "symptom_onset_at": patient.get("symptom_onset_at"),
        "reason": (patient.get("reason") or "").strip()[:200],
        "id_number": id_number,
    }


def do_upload_exam(
    *,
    actor: User,
    clinic: Place,
    files: Mapping[str, bytes],
    patient: Mapping[str, Any],
    fs: float | None = None,
    units: str = "",
    lead_names: list[str] | None = None,
) -> Exam:
    """Keep the files as received, read them into the normalised signal, and queue the
    screening. A file that cannot be read still makes an exam (status 文件无法读取) with the
    reason, so the upload is on record either way."""
    require(actor, Cap.ECG_UPLOAD)
    if clinic is None or clinic.kind not in (PlaceKind.CLINIC, PlaceKind.HOSPITAL):
        raise ValidationError({"clinic": "请选择送检的卫生院或医院"})
    if not place_in_scope(actor, clinic):
        raise ValidationError({"clinic": "所选机构不在您的管辖范围内"})
    if not files:
        raise ValidationError({"files": "请上传心电文件"})
    if sum(len(c) for c in files.values()) > MAX_UPLOAD_BYTES:
        raise ValidationError({"files": "文件过大（上限 50 MB）"})
    data = _clean_patient(patient)
    id_number = data.pop("id_number")
    exam = Exam(clinic=clinic, uploaded_by=actor, **data)
    if id_number:
        exam.set_id_number(id_number)
    try:  # parsing is pure: done before the transaction so no lock is held meanwhile
        sig = read_files(files, fs=fs, units=units, lead_names=lead_names)
    except EcgReadError as exc:
        exam.status = ExamStatus.REJECTED
        exam.read_error = str(exc)[:300]
        sig = None
    with transaction.atomic():
        exam.uploaded_at = timezone.now()
        exam.save()
        _store(exam, files, sig)
        audit.record(
            actor=actor,
            verb=AuditVerb.CREATE,
            obj=exam,
            changes={
                "action": EcgAction.UPLOAD,
                "files": [{"name": n, "size": len(c)} for n, c in files.items()],
                "id_number": exam.id_number_masked,
                "read_error": exam.read_error,
            },
        )
    return exam


def _store(exam: Exam, files: Mapping[str, bytes], sig: Any) -> None:
    for name, content in files.items():
        ExamFile.objects.create(
            exam=exam,
            file=ContentFile(content, name=f"{exam.pk}-{name}"),
            original_name=name[:200],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    if sig is not None:
        exam.signal_format = sig.source_format
        exam.fs = sig.fs
        exam.n_samples = sig.n_samples
        exam.leads = sig.leads
        exam.read_notes = sig.notes
        exam.signal_file = storage.signal_file(sig, f"{exam.pk}.npz")
        exam.save(
            update_fields=["signal_format", "fs", "n_samples", "leads", "read_notes", "signal_file"]
        )
        exam_id = exam.pk
        transaction.on_commit(lambda: enqueue("ecg.screen", exam_id))


def do_screen_exam(exam_id: int) -> Exam | None:
    """Run the automatic screening once. The analysis runs outside the transaction (no lock
    held meanwhile); the write re-checks the status under a row lock, so a repeated or
    concurrent task finds the exam screened and stops."""
    exam = Exam.objects.select_related("clinic").filter(pk=exam_id).first()
    if exam is None or exam.status != ExamStatus.RECEIVED:
        return exam
    sig = storage.load_signal(exam.signal_file)
    centre = centre_for(exam.clinic)
    result = screen(
        sig,
        centre.thresholds if centre else None,
        sex=exam.patient_sex,
        age=exam.patient_age,
    )
    with transaction.atomic():
        exam = Exam.objects.select_for_update().select_related("clinic").get(pk=exam_id)
        if exam.status != ExamStatus.RECEIVED:
            return exam
        _save_screening(exam, result)
    return exam


def _save_screening(exam: Exam, result: dict[str, Any]) -> None:
    exam.screening = result
    exam.priority = result["priority"]
    exam.suspected_critical = result["critical"]
    exam.flag_codes = [f["code"] for f in result["flags"]]
    exam.screened_at = timezone.now()
    exam.status = ExamStatus.WAITING
    exam.save(
        update_fields=[
            "screening",
            "priority",
            "suspected_critical",
            "flag_codes",
            "screened_at",
            "status",
            "updated_at",
        ]
    )
    audit.record(
        actor=SYSTEM,
        verb=AuditVerb.UPDATE,
        obj=exam,
        changes={"action": EcgAction.SCREEN, "flags": exam.flag_codes, "priority": exam.priority},
    )
    if exam.suspected_critical:
        _alert_readers(exam)


def readers_for(place: Place) -> list[Any]:
    """The physicians whose scope covers the place (the county centre's readers)."""
    from django.contrib.auth import get_user_model

    covering = [*place.ancestors(), place]
    return list(
        get_user_model().objects.filter(role="ecg_physician", is_active=True, scope__in=covering)
    )


def _alert_readers(exam: Exam) -> None:
    """A suspected critical ECG is pushed to the physicians on duty at once."""
    from django.urls import reverse

    labels = "；".join(f["label"] for f in exam.critical_flags())
    notify(
        readers_for(exam.clinic),
        f"疑似危急心电图：{exam.clinic.name}",
        labels,
        url=reverse("ecg:detail", args=[exam.pk]),
        obj=exam,
    )


# -- reading ----------------------------------------------------------------------------------


def _locked(exam: Exam) -> Exam:
    return Exam.objects.select_for_update().select_related("clinic").get(pk=exam.pk)


@transaction.atomic
def do_claim_exam(exam: Exam, *, actor: User) -> Exam:
    """One physician takes the exam; a second claim (or a claim racing it) is refused."""
    require(actor, Cap.ECG_READ)
    exam = _locked(exam)
    require(actor, Cap.ECG_READ, exam.clinic)
    if exam.status == ExamStatus.CLAIMED and exam.claimed_by_id == actor.pk:
        return exam
    if exam.status != ExamStatus.WAITING:
        holder = f"（{exam.claimed_by}）" if exam.claimed_by_id else ""
        raise ValidationError(f"该检查当前为“{exam.get_status_display()}”{holder}，不能认领")
    now = timezone.now()
    won = Exam.objects.filter(pk=exam.pk, status=ExamStatus.WAITING).update(
        status=ExamStatus.CLAIMED, claimed_by=actor, claimed_at=now, updated_at=now
    )
    if not won:
        raise ValidationError("该检查刚被其他医师认领")
    exam.refresh_from_db()
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=exam,
        changes={"action": EcgAction.CLAIM, "status": ["waiting", "claimed"]},
    )
    return exam


@transaction.atomic
def do_unclaim_exam(exam: Exam, *, actor: User) -> Exam:
    require(actor, Cap.ECG_READ)
    exam = _locked(exam)
    if exam.status != ExamStatus.CLAIMED or exam.claimed_by_id != actor.pk:
        raise ValidationError("只有认领该检查的医师可以放弃认领")
    exam.status, exam.claimed_by, exam.claimed_at = ExamStatus.WAITING, None, None
    exam.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=exam, changes={"action": EcgAction.UNCLAIM}
    )
    return exam


def _terms(codes: Iterable[str]) -> list[DiagnosisTerm]:
    codes = [c for c in codes if c]
    found = {t.code: t for t in DiagnosisTerm.objects.filter(code__in=codes, active=True)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError({"terms": f"未知的诊断术语：{'、'.join(unknown)}"})
    return list(found.values())


@transaction.atomic
def do_save_report(
    exam: Exam,
    *,
    actor: User,
    measurements: Mapping[str, Any],
    term_codes: Iterable[str],
    free_text: str = "",
    conclusion: str = "",
) -> Report:
    """Write the draft report (measurements as corrected, terms, free text, conclusion)."""
    require(actor, Cap.ECG_READ)
    exam = _locked(exam)
    if exam.status != ExamStatus.CLAIMED or exam.claimed_by_id != actor.pk:
        raise ValidationError("请先认领该检查再书写报告")
    terms = _terms(term_codes)
    report = Report.objects.filter(exam=exam).first() or Report(exam=exam, author=actor)
    for name in REPORT_FIELDS:
        value = measurements.get(name)
        setattr(report, name, None if value in (None, "") else round(float(value)))
    report.free_text = free_text.strip()[:300]
    report.conclusion = conclusion.strip()
    report.author = actor
    report.critical = any(t.critical for t in terms)
    report.status = ReportStatus.DRAFT
    report.save()
    report.terms.set(terms)
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=report,
        changes={
            "action": EcgAction.SAVE_REPORT,
            "terms": [t.code for t in terms],
            "critical": report.critical,
        },
    )
    return report


@transaction.atomic
def do_submit_report(exam: Exam, *, actor: User) -> Report:
    """Submit the report. A routine report is released at once; a critical one confirms the
    critical value (alerting the clinic and the emergency team now) and waits for a second
    physician's check before release."""
    from .critical import confirm_critical

    require(actor, Cap.ECG_READ)
    exam = _locked(exam)
    report = Report.objects.select_for_update().filter(exam=exam).first()
    if exam.status != ExamStatus.CLAIMED or exam.claimed_by_id != actor.pk or report is None:
        raise ValidationError("只有认领该检查并已书写报告的医师可以提交")
    if not report.terms.exists() and not report.free_text and not report.conclusion:
        raise ValidationError("报告至少需要一条诊断或结论")
    now = timezone.now()
    report.submitted_at = now
    if report.critical:
        report.status = ReportStatus.CHECKING
        exam.status = ExamStatus.CHECKING
        report.save(update_fields=["status", "submitted_at", "updated_at"])
        exam.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            obj=report,
            changes={"action": EcgAction.SUBMIT_REPORT, "status": "checking"},
        )
        confirm_critical(exam, report, actor=actor, now=now)
        return report
    _release(exam, report, now)
    report.save(update_fields=["status", "submitted_at", "released_at", "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=report,
        changes={"action": EcgAction.RELEASE, "status": "released"},
    )
    return report


def _release(exam: Exam, report: Report, now: Any) -> None:
    from django.urls import reverse

    report.status = ReportStatus.RELEASED
    report.released_at = now
    exam.status = ExamStatus.RELEASED
    exam.released_at = now
    exam.save(update_fields=["status", "released_at", "updated_at"])
    notify(
        [exam.uploaded_by],
        f"心电报告已发布：{exam.patient_name}",
        report.conclusion[:100] or "请查看报告",
        url=reverse("ecg:detail", args=[exam.pk]),
        obj=exam,
    )


@transaction.atomic
def do_check_report(exam: Exam, *, actor: User, approve: bool, note: str = "") -> Report:
    """The second physician's check of a critical report: approve releases it, reject sends
    it back to the author with the reason."""
    require(actor, Cap.ECG_READ)
    exam = _locked(exam)
    require(actor, Cap.ECG_READ, exam.clinic)
    report = Report.objects.select_for_update().filter(exam=exam).first()
    if exam.status != ExamStatus.CHECKING or report is None:
        raise ValidationError("该报告不在待审核状态")
    if report.author_id == actor.pk:
        raise ValidationError("危急值报告须由另一位医师审核")
    now = timezone.now()
    report.checked_by, report.checked_at = actor, now
    if approve:
        _release(exam, report, now)
        changes = {"action": EcgAction.CHECK, "approved": True, "status": "released"}
    else:
        if not note.strip():
            raise ValidationError({"note": "退回时请写明理由"})
        report.status = ReportStatus.DRAFT
        exam.status = ExamStatus.CLAIMED
        exam.save(update_fields=["status", "updated_at"])
        changes = {"action": EcgAction.CHECK, "approved": False, "note": note.strip()}
    report.save()
    audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=report, changes=changes)
    return report


@transaction.atomic
def do_update_centre(centre: EcgCentre, *, actor: User, **fields: Any) -> EcgCentre:
    """Change the county's ECG network settings (time limits, thresholds)."""
    from .screening.thresholds import threshold_errors

    require(actor, Cap.ECG_CONFIGURE)
    centre = EcgCentre.objects.select_for_update().get(pk=centre.pk)
    if "thresholds" in fields:
        errors = threshold_errors(fields["thresholds"] or {})
        if errors:
            raise ValidationError({"thresholds": list(errors.values())})
    changes = audit.changed_fields(centre, fields)
    for name, value in fields.items():
        setattr(centre, name, value)
    centre.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=actor,
        verb=AuditVerb.UPDATE,
        obj=centre,
        changes={"action": EcgAction.SETTINGS, **changes},
    )
    return centre
