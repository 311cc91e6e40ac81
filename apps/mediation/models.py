"""Dispute mediation (矛盾纠纷调解): the mediators of an area (三官一律 and 人民调解员), the
mediation of a dispute case with its sessions, and the outcome — an agreement (调解协议), or
no agreement and where the dispute was referred. The case itself runs through the case
engine; an agreement lets its handler resolve it there."""

from django.conf import settings
from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import MediationStatus, MediatorKind, Referral


class Mediator(TimeStamped):
    """A person who mediates disputes in an area: a judge, prosecutor, police officer or
    lawyer (三官一律) or a people's mediator, with the unit they come from."""

    scope_path = "area"

    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="mediators"
    )
    area = models.ForeignKey(
        "places.Place", verbose_name="服务区域", on_delete=models.PROTECT, related_name="mediators"
    )
    kind = models.CharField("类型", max_length=20, choices=MediatorKind.choices)
    unit = models.CharField("工作单位", max_length=100, blank=True)
    active = models.BooleanField("在岗", default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "调解员"
        ordering = ["area__path", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MediatorKind.values), name="mediator_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["person", "area", "kind"], name="mediator_unique_per_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_kind_display()}）"

    @property
    def audit_scope_path(self) -> str:
        return self.area.path


class Mediation(TimeStamped):
    """The mediation of one dispute case: its mediators and parties, and the outcome."""

    scope_path = "case__place"

    case = models.OneToOneField(
        "cases.Case", verbose_name="纠纷事项", on_delete=models.PROTECT, related_name="mediation"
    )
    mediators = models.ManyToManyField(Mediator, verbose_name="调解员", related_name="mediations")
    parties = models.JSONField("当事人", default=list, help_text='如 ["张三", "李四"]')
    status = models.CharField(
        "调解状态", max_length=10, choices=MediationStatus.choices, default=MediationStatus.OPEN
    )
    agreement = models.TextField("协议内容", blank=True)
    agreed_on = models.DateField("协议日期", null=True, blank=True)
    failure_reason = models.CharField("未达成原因", max_length=200, blank=True)
    referral = models.CharField("分流去向", max_length=20, choices=Referral.choices, blank=True)
    referral_note = models.CharField("分流说明", max_length=200, blank=True)
    concluded_at = models.DateTimeField("调解结束时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "纠纷调解"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MediationStatus.values),
                name="mediation_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MediationStatus.AGREED)
                | (~models.Q(agreement="") & models.Q(agreed_on__isnull=False)),
                name="mediation_agreement_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 调解"

    @property
    def audit_scope_path(self) -> str:
        return self.case.place.path


class MediationSession(TimeStamped):
    """One sitting of a mediation: date, place, who took part, what was said."""

    scope_path = "mediation__case__place"

    mediation = models.ForeignKey(
        Mediation, verbose_name="调解", on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField("日期")
    location = models.CharField("地点", max_length=100)
    participants = models.CharField("参加人员", max_length=300)
    notes = models.TextField("调解记录", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "调解会"
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.mediation} {self.held_on:%Y-%m-%d}"

    @property
    def audit_scope_path(self) -> str:
        return self.mediation.case.place.path
