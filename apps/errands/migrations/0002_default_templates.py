from django.db import migrations


# A frozen copy of the app's constant (as it stood when this was frozen, issue 13): a migration
# must not change when the app's code changes later.
DEFAULT_TEMPLATES = [('insurance-payment',
  '医保缴费',
  'insurance-payment',
  [('核对参保信息与缴费档次', '村（社区）便民服务站'),
   ('代缴或陪同缴纳城乡居民医保', '乡镇社保所 / 手机“赣服通”'),
   ('取回缴费凭证并告知居民', '居民家中')]),
 ('medical-errand',
  '就医陪办',
  'medical-errand',
  [('预约挂号', '县人民医院'), ('陪同就诊、检查', '县人民医院'), ('办理医保报销', '县医保服务中心')]),
 ('certificates',
  '开具证明',
  'certificates',
  [('收齐材料（身份证、户口簿）', '居民家中'),
   ('村（社区）开具并盖章', '村（社区）居委会'),
   ('到乡镇审核盖章', '乡镇便民服务中心'),
   ('送达居民', '居民家中')]),
 ('elderly-allowance',
  '高龄津贴申领',
  'elderly-care',
  [('核对年龄与户籍', '村（社区）便民服务站'), ('填写申请表并代为提交', '乡镇民政所'), ('告知发放时间', '居民家中')])]


def seed(apps, schema_editor):
    template_model = apps.get_model("errands", "ErrandTemplate")
    category_model = apps.get_model("cases", "Category")
    for code, name, category_code, steps in DEFAULT_TEMPLATES:
        template_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category_model.objects.filter(code=category_code).first(),
                "steps": [{"name": s, "office": o} for s, o in steps],
            },
        )


def unseed(apps, schema_editor):
    template_model = apps.get_model("errands", "ErrandTemplate")
    template_model.objects.filter(code__in=[t[0] for t in DEFAULT_TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("errands", "0001_initial"),
        ("cases", "0002_default_catalogue"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
