from django.core.exceptions import ValidationError
from django.db import models

from apps.core.models import TimeStamped
from apps.orgs.choices import OrgKind

from ..choices import Level, LimitUnit


class Category(TimeStamped):
    """An entry of the catalogue of matters (事项目录 / 服务清单): what a case is about, how fast
    it must be answered and resolved, who handles it by default, and what the resident must
    bring (一次性告知). Categories form a tree; cases use leaves and inner nodes alike.

    `skill_codes` lists the volunteer skills (`people.Skill` codes) that fit the matter; the
    dispatch suggestions match volunteers on them.

    `form_fields` lists the extra fields the matter needs, as Open311 attribute definitions:
    `[{"code": "floor", "label": "楼层", "datatype": "string", "required": false}]`.
    """

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.CharField("说明", max_length=200, blank=True)
    response_amount = models.PositiveIntegerField("响应时限", default=1)
    response_unit = models.CharField(
        "响应时限单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS
    )
    resolve_amount = models.PositiveIntegerField("办结时限", default=5)
    resolve_unit = models.CharField(
        "办结时限单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS
    )
    default_level = models.CharField(
        "默认办理层级", max_length=10, choices=Level.choices, default=Level.COMMUNITY
    )
    default_department = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="默认职能部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": OrgKind.DEPARTMENT},
    )
    materials = models.TextField("一次性告知材料", blank=True, help_text="每行一项")
    form_fields = models.JSONField("附加字段", default=list, blank=True)
    skill_codes = models.JSONField(
        "所需技能",
        default=list,
        blank=True,
        help_text='志愿者技能代码列表，派单建议据此匹配，如 ["plumbing", "repair"]',
    )
    sort = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项类别"
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_unit__in=LimitUnit.values),
                name="category_response_unit_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(resolve_unit__in=LimitUnit.values),
                name="category_resolve_unit_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(default_level__in=Level.values), name="category_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    def limit_text(self, which: str) -> str:
        amount = getattr(self, f"{which}_amount")
        unit = LimitUnit(getattr(self, f"{which}_unit")).label
        return f"{amount}个{unit}" if unit == "工作日" else f"{amount}{unit}"

    def clean(self) -> None:
        if self.default_department_id and self.default_department.kind != OrgKind.DEPARTMENT:
            raise ValidationError({"default_department": "默认职能部门必须是“职能部门”类组织"})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "上级类别不能是自己"})
        if not isinstance(self.form_fields, list) or not all(
            isinstance(f, dict) and f.get("code") for f in self.form_fields
        ):
            raise ValidationError({"form_fields": "附加字段应为列表，每项含 code"})
        if not isinstance(self.skill_codes, list) or not all(
            isinstance(c, str) and c for c in self.skill_codes
        ):
            raise ValidationError({"skill_codes": "所需技能应为技能代码列表"})
