from django.db import migrations


# A frozen copy of the app's constant (as it stood when this was frozen, issue 13): a migration
# must not change when the app's code changes later.
DEFAULT_CATEGORIES = [('service', '便民服务', '', (1, 'workdays'), (5, 'workdays'), 'community', ''),
 ('policy', '政策咨询', 'service', (1, 'workdays'), (3, 'workdays'), 'community', '居民身份证'),
 ('elderly-care',
  '养老服务',
  'service',
  (1, 'workdays'),
  (5, 'workdays'),
  'community',
  '老人身份证\n户口簿\n子女或监护人联系方式'),
 ('medical-errand',
  '医疗帮办',
  'service',
  (4, 'hours'),
  (3, 'workdays'),
  'community',
  '居民身份证\n医保卡（社保卡）\n既往病历或检查报告'),
 ('insurance-payment',
  '社保医保缴费',
  'service',
  (1, 'workdays'),
  (3, 'workdays'),
  'community',
  '居民身份证\n社保卡\n缴费年度及档次'),
 ('certificates',
  '证照办理',
  'service',
  (1, 'workdays'),
  (10, 'workdays'),
  'town',
  '居民身份证\n户口簿\n近期免冠照片\n原证件（补换领时）'),
 ('repairs', '水电维修', 'service', (4, 'hours'), (2, 'workdays'), 'grid', '报修位置\n故障照片'),
 ('employment',
  '就业帮扶',
  'service',
  (2, 'workdays'),
  (15, 'workdays'),
  'town',
  '居民身份证\n学历或技能证书\n求职意向'),
 ('student-aid',
  '助学帮扶',
  'service',
  (2, 'workdays'),
  (15, 'workdays'),
  'town',
  '学生身份证或户口簿\n学籍证明\n家庭经济困难证明'),
 ('legal-aid',
  '法律援助',
  'service',
  (1, 'workdays'),
  (10, 'workdays'),
  'town',
  '居民身份证\n与案件有关的材料\n经济困难说明'),
 ('counselling', '心理疏导', 'service', (1, 'workdays'), (5, 'workdays'), 'community', ''),
 ('environment', '环境卫生', '', (1, 'workdays'), (3, 'workdays'), 'grid', '位置\n现场照片'),
 ('road-facilities', '道路设施', '', (1, 'workdays'), (10, 'workdays'), 'town', '位置\n现场照片'),
 ('dispute', '矛盾纠纷', '', (1, 'workdays'), (10, 'workdays'), 'community', ''),
 ('neighbour-dispute',
  '邻里纠纷',
  'dispute',
  (1, 'workdays'),
  (7, 'workdays'),
  'community',
  '双方姓名及联系方式\n纠纷经过'),
 ('family-dispute',
  '婚姻家庭纠纷',
  'dispute',
  (1, 'workdays'),
  (10, 'workdays'),
  'community',
  '双方姓名及联系方式'),
 ('hazard', '安全隐患', '', (2, 'hours'), (3, 'workdays'), 'community', '位置\n现场照片'),
 ('fire-hazard', '消防隐患', 'hazard', (2, 'hours'), (2, 'workdays'), 'town', '位置\n现场照片\n涉及单位或住户'),
 ('building-hazard', '房屋安全隐患', 'hazard', (2, 'hours'), (5, 'workdays'), 'town', '位置\n现场照片'),
 ('forest-hazard',
  '林区隐患',
  'hazard',
  (2, 'hours'),
  (3, 'workdays'),
  'town',
  '林区或公示牌编号\n位置\n现场照片'),
 ('left-behind-children',
  '留守儿童关爱',
  'service',
  (1, 'workdays'),
  (5, 'workdays'),
  'community',
  '儿童户口簿\n监护人联系方式'),
 ('property', '物业管理', '', (1, 'workdays'), (7, 'workdays'), 'community', '小区及楼栋\n现场照片')]


def seed(apps, schema_editor):
    """Create the default categories that are missing (by code)."""
    category_model = apps.get_model("cases", "Category")
    by_code = {}
    for sort, (code, name, parent, respond, resolve, level, materials) in enumerate(
        DEFAULT_CATEGORIES, start=1
    ):
        obj, _ = category_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": by_code.get(parent),
                "response_amount": respond[0],
                "response_unit": respond[1],
                "resolve_amount": resolve[0],
                "resolve_unit": resolve[1],
                "default_level": level,
                "materials": materials,
                "sort": sort * 10,
            },
        )
        by_code[code] = obj


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
