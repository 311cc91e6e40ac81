from django.db import models

from apps.core.models import TimeStamped
from apps.places.scope import ScopedQuerySet

from .choices import MemberRole, OrgKind, PropertyModel


class Organisation(TimeStamped):
    """An organisation attached to a place: party organisations (with their hierarchy), owner
    committees, property-management committees, property companies, co-building units,
    businesses, departments, clinics …"""

    scope_path = "place"

    kind = models.CharField("类型", max_length=30, choices=OrgKind.choices, db_index=True)
    name = models.CharField("名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name="所在地点",
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    active = models.BooleanField("存续", default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrgKind.values), name="org_kind_valid"
            ),
            models.UniqueConstraint(fields=["place", "kind", "name"], name="org_unique_per_place"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope_path(self) -> str:
        return self.place.path


class Membership(TimeStamped):
    """A person's seat in an organisation (e.g. a party member on an owner committee)."""

    scope_path = "organisation__place"

    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        "职务", max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    start_date = models.DateField("任职开始", null=True, blank=True)
    end_date = models.DateField("任职结束", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织成员"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person", "role"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_role_display()} {self.person}"

    @property
    def audit_scope_path(self) -> str:
        return self.organisation.place.path


class CompoundProfile(TimeStamped):
    """Governance facts of a residential compound (小区): its property model and the company or
    arrangement that serves it. Its party organisation, owner committee and property-management
    committee are Organisations attached to the compound."""

    scope_path = "compound"

    compound = models.OneToOneField(
        "places.Place",
        verbose_name="小区",
        on_delete=models.CASCADE,
        related_name="compound_profile",
    )
    property_model = models.CharField(
        "物业模式", max_length=20, choices=PropertyModel.choices, default=PropertyModel.NONE
    )
    property_company = models.ForeignKey(
        Organisation,
        verbose_name="物业服务企业",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_compounds",
    )
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    households_planned = models.PositiveIntegerField("规划户数", null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "小区治理信息"

    def __str__(self) -> str:
        return str(self.compound)

    @property
    def audit_scope_path(self) -> str:
        return self.compound.path
