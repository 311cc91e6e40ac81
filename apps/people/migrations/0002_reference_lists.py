from django.db import migrations


# A frozen copy of the app's constant (as it stood when this was frozen, issue 13): a migration
# must not change when the app's code changes later.
DEFAULT_CARE_TAGS = [('alone_elderly', '独居老人', 30),
 ('aged', '高龄', 20),
 ('left_behind_child', '留守儿童', 30),
 ('disabled', '残疾', 20),
 ('dibao', '低保', 15),
 ('veteran', '退役军人', 5),
 ('unemployed', '失业', 10),
 ('empty_nest', '空巢老人', 20),
 ('serious_illness', '大病', 20),
 ('special_hardship', '特困', 25)]
DEFAULT_SKILLS = [('medical', '医疗护理'),
 ('legal', '法律咨询'),
 ('repair', '家电维修'),
 ('plumbing', '水电维修'),
 ('tutoring', '课业辅导'),
 ('psych', '心理疏导'),
 ('haircut', '理发'),
 ('cleaning', '家政保洁'),
 ('companionship', '陪伴聊天'),
 ('errand', '代办跑腿'),
 ('social_work', '社会工作'),
 ('computer', '电脑手机'),
 ('culture', '文艺宣传'),
 ('driving', '驾驶接送')]


def seed(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    Skill = apps.get_model("people", "Skill")
    for code, name, weight in DEFAULT_CARE_TAGS:
        CareTag.objects.get_or_create(code=code, defaults={"name": name, "weight": weight})
    for code, name in DEFAULT_SKILLS:
        Skill.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
