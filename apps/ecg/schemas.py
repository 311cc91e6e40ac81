from datetime import date, datetime
from typing import Any

from ninja import Schema

from apps.core.schemas import ErrorOut  # noqa: F401  (re-exported for the routers)


class ExamIn(Schema):
    """Patient and format details sent with the files (multipart form fields)."""

    clinic: int
    patient_name: str
    patient_sex: str = ""
    patient_age: int | None = None
    patient_birth_date: date | None = None
    id_number: str = ""
    symptoms: str = ""
    symptom_onset_at: datetime | None = None
    reason: str = ""
    fs: float | None = None
    units: str = ""
    lead_names: str = ""  # comma separated, for a CSV without a header row


class ExamOut(Schema):
    id: int
    number: str
    clinic_id: int
    clinic_name: str
    patient_name: str
    patient_sex: str
    patient_age: int | None
    id_number_masked: str
    uploaded_at: datetime
    status: str
    status_label: str
    read_error: str
    signal_format: str
    fs: float | None
    leads: list[str]
    duration_s: float
    priority: int
    suspected_critical: bool
    flag_codes: list[str]
    claimed_by_id: int | None
    released_at: datetime | None

    @staticmethod
    def resolve_clinic_name(obj: Any) -> str:
        return obj.clinic.name

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return obj.get_status_display()


class ExamDetailOut(ExamOut):
    screening: dict[str, Any]


class AcknowledgeIn(Schema):
    read_back: str


class NoticeOut(Schema):
    id: int
    critical_id: int
    role: str
    sent_at: datetime
    due_at: datetime
    acked_at: datetime | None
    read_back: str
    escalation_level: int


class CriticalOut(Schema):
    id: int
    exam_id: int
    items: str
    confirmed_by_id: int
    confirmed_at: datetime
    acknowledged_at: datetime | None
    status: str
    notices: list[NoticeOut]

    @staticmethod
    def resolve_notices(obj: Any) -> list[Any]:
        return list(obj.notices.all())


class ReferralStepIn(Schema):
    step: str
    at: datetime | None = None
    decision: str = ""
    destination: int | None = None
    treatment: str = ""
    outcome: str = ""
    note: str = ""
