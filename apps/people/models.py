from typing import Any

from django.db import models

from apps.core import crypto
from apps.core.models import TimeStamped
from apps.core.text import pinyin_initials
from apps.core.validators import normalise_id_number, normalise_phone
from apps.places.scope import ScopedQuerySet

from .choices import PartyEmployment, Relation, Sex


class CareTag(models.Model):
    """An entry of the managed list of care tags (独居老人, 高龄, 留守儿童 …). `weight` raises the
    priority of visits and orders for people who carry it."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    weight = models.PositiveSmallIntegerField("关注权重", default=10)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "关爱标签"
        ordering = ["-weight", "code"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A volunteer skill from the managed list (医疗护理, 法律咨询 …)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "技能"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Person(TimeStamped):
    """A natural person known to Gongzhi: a resident of a household, or someone registered at a
    place (a volunteer, a staff member). Roles (party member, volunteer, staff account) hang off
    the person, so one person may hold several.

    ID-card number and phone are personal information: stored encrypted, with a blind index for
    exact lookup and duplicate detection and a mask for lists; read in full only via
    `people.actions.do_reveal_person`, which checks the role and writes an audit event.
    """

    scope_path = "place"

    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("拼音首字母", max_length=32, db_index=True, editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    place = models.ForeignKey(
        "places.Place", verbose_name="所属户/地点", on_delete=models.PROTECT, related_name="people"
    )
    relation = models.CharField("与户主关系", max_length=20, choices=Relation.choices, blank=True)
    care_tags = models.ManyToManyField(
        CareTag, verbose_name="关爱标签", blank=True, related_name="people"
    )
    id_number_enc = models.TextField("身份证号(密文)", blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    phone_enc = models.TextField("电话(密文)", blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField("电话", max_length=20, blank=True, editable=False)
    phone_suffix = models.CharField(
        "电话后四位", max_length=4, blank=True, editable=False, db_index=True
    )
    trade = models.CharField(
        "从业行业",
        max_length=30,
        blank=True,
        help_text="在业者的行业，如种植、养殖、物流、旅游服务、外出务工；村集体经济的劳动力按行业统计读此项",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    active = models.BooleanField("在册", default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["place_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="person_id_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.place.path

    def set_id_number(self, value: str) -> None:
        value = normalise_id_number(value)
        self.id_number_enc = crypto.encrypt(value)
        self.id_number_index = crypto.blind_index(value)
        self.id_number_masked = crypto.mask_id_number(value)

    def set_phone(self, value: str) -> None:
        value = normalise_phone(value)
        self.phone_enc = crypto.encrypt(value)
        self.phone_index = crypto.blind_index(value)
        self.phone_masked = crypto.mask_phone(value)
        self.phone_suffix = value[-4:]

    def set_name(self, value: str) -> None:
        self.name = value.strip()
        self.name_initials = pinyin_initials(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.name_initials:
            self.name_initials = pinyin_initials(self.name)
        super().save(*args, **kwargs)


class PartyMember(TimeStamped):
    """A person's party membership: branch, group, 党员中心户, in service or retired, and the
    community where an in-service member registered (双报到)."""

    scope_path = "person__place"

    person = models.OneToOneField(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="party_member"
    )
    branch = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所在支部",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_members",
    )
    group_name = models.CharField("党小组", max_length=50, blank=True)
    is_central_household = models.BooleanField("党员中心户", default=False)
    employment = models.CharField(
        "在职状态",
        max_length=20,
        choices=PartyEmployment.choices,
        default=PartyEmployment.IN_SERVICE,
    )
    workplace = models.CharField("工作单位", max_length=100, blank=True)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    report_community = models.ForeignKey(
        "places.Place",
        verbose_name="双报到社区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_party_members",
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党员"

    def __str__(self) -> str:
        return self.person.name

    @property
    def audit_scope_path(self) -> str:
        return self.person.place.path
