from django.db import migrations


# A frozen copy of the app's constant (as it stood when this was frozen, issue 13): a migration
# must not change when the app's code changes later.
TERMS = [('normal', '正常心电图', 'other', False),
 ('sinus', '窦性心律', 'rhythm', False),
 ('sinus_tachy', '窦性心动过速', 'rhythm', False),
 ('sinus_brady', '窦性心动过缓', 'rhythm', False),
 ('sinus_arrhythmia', '窦性心律不齐', 'rhythm', False),
 ('sinus_arrest', '窦性停搏', 'rhythm', False),
 ('pac', '房性早搏', 'rhythm', False),
 ('pvc', '室性早搏', 'rhythm', False),
 ('pvc_multiform', '多源性室性早搏', 'rhythm', False),
 ('af', '心房颤动', 'rhythm', False),
 ('aflutter', '心房扑动', 'rhythm', False),
 ('svt', '阵发性室上性心动过速', 'rhythm', False),
 ('junctional', '交界性心律', 'rhythm', False),
 ('escape', '室性逸搏心律', 'rhythm', False),
 ('avb1', '一度房室传导阻滞', 'conduction', False),
 ('avb2_1', '二度I型房室传导阻滞', 'conduction', False),
 ('avb2_2', '二度II型房室传导阻滞', 'conduction', False),
 ('rbbb', '完全性右束支传导阻滞', 'conduction', False),
 ('lbbb', '完全性左束支传导阻滞', 'conduction', False),
 ('lafb', '左前分支阻滞', 'conduction', False),
 ('wpw', '心室预激', 'conduction', False),
 ('lvh', '左心室肥厚', 'morphology', False),
 ('rvh', '右心室肥厚', 'morphology', False),
 ('low_voltage', '肢体导联低电压', 'morphology', False),
 ('st_t', 'ST-T改变', 'ischemia', False),
 ('st_depression', 'ST段压低', 'ischemia', False),
 ('t_inversion', 'T波倒置', 'ischemia', False),
 ('old_mi', '陈旧性心肌梗死', 'ischemia', False),
 ('long_qt', 'QT间期延长', 'morphology', False),
 ('left_axis', '电轴左偏', 'morphology', False),
 ('right_axis', '电轴右偏', 'morphology', False),
 ('pacemaker', '起搏心律', 'rhythm', False),
 ('c_vf', '心室颤动', 'rhythm', True),
 ('c_vflutter', '心室扑动', 'rhythm', True),
 ('c_vt', '持续性室性心动过速', 'rhythm', True),
 ('c_tdp', '尖端扭转型室性心动过速', 'rhythm', True),
 ('c_stemi', '急性ST段抬高型心肌梗死', 'ischemia', True),
 ('c_nstemi_suspected', '急性非ST段抬高型心肌梗死可能', 'ischemia', True),
 ('c_avb3', '三度房室传导阻滞', 'conduction', True),
 ('c_avb2_high', '高度房室传导阻滞', 'conduction', True),
 ('c_pause', '长RR间期≥3秒（心脏停搏）', 'rhythm', True),
 ('c_asystole', '心室停搏', 'rhythm', True),
 ('c_brady', '严重心动过缓（心室率≤35次/分）', 'rhythm', True),
 ('c_tachy', '心室率≥150次/分的心动过速', 'rhythm', True),
 ('c_svt200', '室上性心动过速心室率≥200次/分', 'rhythm', True),
 ('c_af_wpw', '预激综合征合并心房颤动', 'rhythm', True),
 ('c_long_qt', 'QTc≥550ms伴室性早搏', 'morphology', True),
 ('c_pacer_fail', '起搏器起搏及感知功能障碍', 'rhythm', True)]


def seed(apps, schema_editor):
    term = apps.get_model("ecg", "DiagnosisTerm")
    for order, (code, name, category, critical) in enumerate(TERMS):
        term.objects.update_or_create(
            code=code,
            defaults={"name": name, "category": category, "critical": critical,
                      "order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("ecg", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
