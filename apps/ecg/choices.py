from django.db import models


class ExamStatus(models.TextChoices):
    RECEIVED = "received", "已接收"  # stored and readable, screening not done yet
    REJECTED = "rejected", "文件无法读取"  # kept as received, with the reason
    WAITING = "waiting", "待阅片"
    CLAIMED = "claimed", "阅片中"
    CHECKING = "checking", "待审核"  # a critical report waits for the second physician
    RELEASED = "released", "已发布"


OPEN_STATUSES = (ExamStatus.WAITING, ExamStatus.CLAIMED, ExamStatus.CHECKING)


class SignalFormat(models.TextChoices):
    WFDB = "wfdb", "WFDB"
    DICOM = "dicom", "DICOM"
    AECG = "aecg", "HL7 aECG"
    CSV = "csv", "CSV"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CHECKING = "checking", "待审核"
    RELEASED = "released", "已发布"


class TermCategory(models.TextChoices):
    RHYTHM = "rhythm", "心律"
    CONDUCTION = "conduction", "传导"
    ISCHEMIA = "ischemia", "缺血/梗死"
    MORPHOLOGY = "morphology", "形态"
    OTHER = "other", "其他"


class NoticeRole(models.TextChoices):
    CLINIC = "clinic", "送检医生"
    EMERGENCY = "emergency", "急诊团队"
    HEAD = "head", "心电中心负责人"


class CriticalStatus(models.TextChoices):
    ALERTED = "alerted", "已通知待确认"
    ACKNOWLEDGED = "acknowledged", "已确认接收"
    CLOSED = "closed", "已结案"


class ReferralStep(models.TextChoices):
    DECISION = "decision", "转诊决定"
    TRANSFER = "transfer", "开始转运"
    ARRIVAL = "arrival", "到达医院"
    TREATMENT = "treatment", "开始治疗"
    OUTCOME = "outcome", "转归"


REFERRAL_ORDER = [s.value for s in ReferralStep]


class ReferralDecision(models.TextChoices):
    REFER = "refer", "转诊至县医院"
    LOCAL = "local", "就地处理"
    DECLINED = "declined", "患者拒绝转诊"


class Treatment(models.TextChoices):
    PCI = "pci", "急诊PCI"
    THROMBOLYSIS = "thrombolysis", "溶栓"
    CARDIOVERSION = "cardioversion", "电复律/除颤"
    PACING = "pacing", "临时起搏"
    DRUGS = "drugs", "药物治疗"
    OTHER = "other", "其他"


class Outcome(models.TextChoices):
    DISCHARGED = "discharged", "好转出院"
    TRANSFERRED = "transferred", "转上级医院"
    DIED = "died", "死亡"
    OTHER = "other", "其他"


# Audit verbs are the core's; what happened is named in `changes["action"]`.
class EcgAction(models.TextChoices):
    UPLOAD = "upload", "上传"
    SCREEN = "screen", "自动筛查"
    CLAIM = "claim", "认领"
    UNCLAIM = "unclaim", "放弃认领"
    SAVE_REPORT = "save_report", "保存报告"
    SUBMIT_REPORT = "submit_report", "提交报告"
    CHECK = "check", "审核"
    RELEASE = "release", "发布"
    CONFIRM_CRITICAL = "confirm_critical", "确认危急值"
    ACKNOWLEDGE = "acknowledge", "确认接收危急值"
    ESCALATE = "escalate", "危急值升级"
    REFERRAL = "referral", "转诊记录"
    SETTINGS = "settings", "修改心电网络设置"


# Who reads, uploads and configures: apps/accounts/permissions.py (ecg.*).
