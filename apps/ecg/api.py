"""/api/v1/ecg/: upload, exams, signal, reading queue, claim, critical values. Handlers call
selectors and actions only."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from apps.accounts.permissions import Cap, can
from apps.accounts.requests import AuthedRequest
from apps.people.api import _action_errors
from apps.places.models import Place

from . import selectors, storage
from .actions import MAX_UPLOAD_BYTES, do_claim_exam, do_upload_exam
from .critical import do_acknowledge_notice, do_record_referral_step
from .models import CriticalNotice
from .schemas import (
    AcknowledgeIn,
    CriticalOut,
    ErrorOut,
    ExamDetailOut,
    ExamIn,
    ExamOut,
    NoticeOut,
    ReferralStepIn,
)

router = Router(tags=["心电"])


def _call(func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except DjangoValidationError as exc:
        raise _action_errors(exc) from exc


@router.get("/exams", response=list[ExamOut], summary="心电检查列表")
def list_exams(request: AuthedRequest, status: str = "") -> Any:
    return selectors.exam_list(request.user, status)[:200]


@router.post(
    "/exams", response={201: ExamDetailOut, 403: ErrorOut, 413: ErrorOut}, summary="上传心电图"
)
def upload_exam(
    request: AuthedRequest, payload: Form[ExamIn], files: File[list[UploadedFile]]
) -> Any:
    if sum(f.size or 0 for f in files) > MAX_UPLOAD_BYTES:
        # Sized from the streamed temporary files, before any is read into memory.
        raise HttpError(413, f"文件过大（上限 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB）")
    clinic = Place.objects.visible_to(request.user).filter(pk=payload.clinic).first()
    lead_names = [x.strip() for x in payload.lead_names.split(",") if x.strip()] or None
    exam = _call(
        do_upload_exam,
        actor=request.user,
        clinic=clinic,
        files={f.name: f.read() for f in files},
        patient={
            "name": payload.patient_name,
            "sex": payload.patient_sex,
            "age": payload.patient_age,
            "birth_date": payload.patient_birth_date,
            "id_number": payload.id_number,
            "symptoms": payload.symptoms,
            "symptom_onset_at": payload.symptom_onset_at,
            "reason": payload.reason,
        },
        fs=payload.fs,
        units=payload.units,
        lead_names=lead_names,
    )
    return Status(201, selectors.access_exam_for_user(request.user, exam.pk))


@router.get("/exams/{int:pk}", response=ExamDetailOut, summary="心电检查详情（含自动筛查）")
def get_exam(request: AuthedRequest, pk: int) -> Any:
    return selectors.access_exam_for_user(request.user, pk)


@router.get("/exams/{int:pk}/signal", summary="标准化信号（整数微伏，供查看器）")
def get_signal(request: AuthedRequest, pk: int, start: float = 0, seconds: float = 10) -> Any:
    exam = selectors.access_exam_for_user(request.user, pk)
    if not exam.signal_file:
        raise HttpError(404, exam.read_error or "没有信号")
    sig = storage.load_signal(exam.signal_file)
    return storage.viewer_payload(sig, max(0.0, start), min(60.0, max(1.0, seconds)))


@router.get("/queue", response=list[ExamOut], summary="阅片队列（疑似危急优先）")
def queue(request: AuthedRequest) -> Any:
    if not can(request.user, Cap.ECG_READ):
        raise HttpError(403, "只有心电诊断医师可以查看阅片队列")
    return selectors.reading_queue(request.user)[:200]


@router.post("/exams/{int:pk}/claim", response={200: ExamOut, 403: ErrorOut}, summary="认领")
def claim(request: AuthedRequest, pk: int) -> Any:
    exam = selectors.access_exam_for_user(request.user, pk)
    return _call(do_claim_exam, exam, actor=request.user)


@router.get("/critical", response=list[CriticalOut], summary="危急值登记")
def critical_register(request: AuthedRequest) -> Any:
    return selectors.critical_register(request.user)[:200]


@router.get("/notices", response=list[NoticeOut], summary="我的待确认危急值通知")
def my_notices(request: AuthedRequest) -> Any:
    return selectors.my_open_notices(request.user)


@router.post(
    "/notices/{int:pk}/acknowledge",
    response={200: NoticeOut, 403: ErrorOut},
    summary="确认接收危急值（复述）",
)
def acknowledge(request: AuthedRequest, pk: int, payload: AcknowledgeIn) -> Any:
    notice = CriticalNotice.objects.filter(pk=pk, recipient_id=request.user.pk).first()
    if notice is None:
        raise HttpError(404, "未找到该通知")
    return _call(do_acknowledge_notice, notice, actor=request.user, read_back=payload.read_back)


@router.post(
    "/critical/{int:pk}/referral",
    response={200: CriticalOut, 403: ErrorOut},
    summary="记录转诊环节",
)
def referral(request: AuthedRequest, pk: int, payload: ReferralStepIn) -> Any:
    critical = selectors.access_critical_for_user(request.user, pk)
    data = payload.dict()
    destination = data.pop("destination")
    data["destination"] = Place.objects.filter(pk=destination).first() if destination else None
    _call(do_record_referral_step, critical, actor=request.user, **data)
    return selectors.access_critical_for_user(request.user, pk)


@router.get("/stats", summary="统计：按年、按机构按月、时效")
def stats(request: AuthedRequest) -> Any:
    user = request.user
    return {
        "per_year": selectors.exams_per_year(user),
        "per_clinic_month": selectors.exams_per_clinic_month(user),
        "turnaround": selectors.turnaround(user),
        "alerts": selectors.alert_times(user),
        "critical_per_year": selectors.critical_per_year(user),
    }
