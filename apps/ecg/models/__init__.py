from .critical import CriticalNotice, CriticalValue, Referral
from .exam import EcgCentre, Exam, ExamFile
from .report import DiagnosisTerm, Report

__all__ = [
    "CriticalNotice",
    "CriticalValue",
    "DiagnosisTerm",
    "EcgCentre",
    "Exam",
    "ExamFile",
    "Referral",
    "Report",
]
