"""The choices classes the pages compare a status, kind or source with, offered to every
template: `{% if m.status == MeetingStatus.CLOSED %}`, never a bare "closed" that goes stale
when a value is renamed (issue 13). Roles come from apps.accounts.context_processors.roles.

Portal stands at the top of the layers, so it may name the choices of every app below it.
Django's choices classes are never called by the template engine (do_not_call_in_templates).
"""

from typing import Any

from django.http import HttpRequest

from apps.activities.choices import ParticipantRole
from apps.brands.choices import FundKind
from apps.cases.choices import Action as CaseAction
from apps.cases.choices import CaseKind
from apps.cases.choices import Lamp as CaseLamp
from apps.cases.choices import Status as CaseStatus
from apps.collective.choices import VoucherStatus
from apps.dual.choices import DualServiceStatus, RegistrationStatus
from apps.ecg.choices import CriticalStatus, ExamStatus
from apps.errands.choices import StepStatus
from apps.ledgers.models import ImportJob
from apps.mediation.choices import MediationStatus
from apps.meetings.choices import ItemSource, MeetingStatus
from apps.notifications.choices import DeliveryStatus
from apps.places.choices import PlaceKind
from apps.projects.choices import DispatchReportStatus, StageStatus
from apps.visits.choices import TaskKind as VisitTaskKind
from apps.visits.choices import TaskStatus as VisitTaskStatus
from apps.volunteers.choices import ApplicationStatus

CHOICES: dict[str, Any] = {
    "ApplicationStatus": ApplicationStatus,
    "CaseAction": CaseAction,
    "CaseKind": CaseKind,
    "CaseLamp": CaseLamp,
    "CaseStatus": CaseStatus,
    "CriticalStatus": CriticalStatus,
    "DeliveryStatus": DeliveryStatus,
    "DispatchReportStatus": DispatchReportStatus,
    "DualServiceStatus": DualServiceStatus,
    "ExamStatus": ExamStatus,
    "FundKind": FundKind,
    "ImportStatus": ImportJob.Status,
    "ItemSource": ItemSource,
    "MediationStatus": MediationStatus,
    "MeetingStatus": MeetingStatus,
    "ParticipantRole": ParticipantRole,
    "PlaceKind": PlaceKind,
    "RegistrationStatus": RegistrationStatus,
    "StageStatus": StageStatus,
    "StepStatus": StepStatus,
    "VisitTaskKind": VisitTaskKind,
    "VisitTaskStatus": VisitTaskStatus,
    "VoucherStatus": VoucherStatus,
}


def choices(request: HttpRequest) -> dict[str, Any]:
    return CHOICES
