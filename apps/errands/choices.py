from django.db import models


class StepStatus(models.TextChoices):
    TODO = "todo", "待办"
    DONE = "done", "已办"


# Step templates per errand type, seeded by migration 0002 (administrators edit them in the
# admin): (code, name, category code, [(step, office)]).
DEFAULT_TEMPLATES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "insurance-payment",
        "医保缴费",
        "insurance-payment",
        [
            ("核对参保信息与缴费档次", "村（社区）便民服务站"),
            ("代缴或陪同缴纳城乡居民医保", "乡镇社保所 / 手机“赣服通”"),
            ("取回缴费凭证并告知居民", "居民家中"),
        ],
    ),
    (
        "medical-errand",
        "就医陪办",
        "medical-errand",
        [
            ("预约挂号", "县人民医院"),
            ("陪同就诊、检查", "县人民医院"),
            ("办理医保报销", "县医保服务中心"),
        ],
    ),
    (
        "certificates",
        "开具证明",
        "certificates",
        [
            ("收齐材料（身份证、户口簿）", "居民家中"),
            ("村（社区）开具并盖章", "村（社区）居委会"),
            ("到乡镇审核盖章", "乡镇便民服务中心"),
            ("送达居民", "居民家中"),
        ],
    ),
    (
        "elderly-allowance",
        "高龄津贴申领",
        "elderly-care",
        [
            ("核对年龄与户籍", "村（社区）便民服务站"),
            ("填写申请表并代为提交", "乡镇民政所"),
            ("告知发放时间", "居民家中"),
        ],
    ),
]
