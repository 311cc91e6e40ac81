"""The default pipeline of six stages and the catalogue category blockers are filed under.

The data is written out here (not imported from live code), so the migration stays what it
was when later code changes."""

from django.db import migrations

STAGES = (
    ("survey", "需求摸排", 1, 10, "project_official", False,
     "项目建议书或可研批复\n项目用地范围示意图\n用地需求清单（面积、地类、时序）"),
    ("approval", "用地预审/报批", 2, 30, "project_official", False,
     "建设项目用地预审与选址意见书申请表\n勘测定界图及技术报告\n土地利用现状分类面积汇总表\n"
     "耕地占补平衡落实材料\n社会稳定风险评估报告"),
    ("acquisition", "征地拆迁/征收", 3, 40, "dept_handler", False,
     "征收土地预公告\n土地现状调查结果确认表\n征地补偿安置方案\n补偿款到位凭证"),
    ("ownership", "权属调查", 4, 15, "dept_handler", True,
     "权属来源证明\n界址点成果表\n权属调查表（权利人签字）"),
    ("supply", "土地供应", 5, 20, "project_official", False,
     "供地方案\n划拨决定书或出让合同\n土地价款缴纳凭证"),
    ("tracking", "落地跟踪", 6, 30, "project_unit", False,
     "开工许可或施工许可证\n用地批后监管记录"),
)


def forward(apps, schema_editor):
    StageTemplate = apps.get_model("projects", "StageTemplate")
    Category = apps.get_model("cases", "Category")
    for code, name, position, sla, role, parallel, materials in STAGES:
        StageTemplate.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "sla_workdays": sla,
                "owner_role": role,
                "parallel": parallel,
                "materials": materials,
                "yellow_days": 7,
                "orange_days": 15,
            },
        )
    Category.objects.get_or_create(
        code="project-blocker",
        defaults={
            "name": "重点项目卡点",
            "description": "重点项目推进中的卡点问题，由责任部门限时办结",
            "response_amount": 1,
            "response_unit": "workdays",
            "resolve_amount": 10,
            "resolve_unit": "workdays",
            "default_level": "county",
            "sort": 900,
        },
    )


def backward(apps, schema_editor):
    apps.get_model("projects", "StageTemplate").objects.filter(
        code__in=[s[0] for s in STAGES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("cases", "0006_case_landmark")]

    operations = [migrations.RunPython(forward, backward)]
