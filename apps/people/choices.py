from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姐妹"
    CHILD_IN_LAW = "child_in_law", "儿媳女婿"
    OTHER = "other", "其他"


class PartyEmployment(models.TextChoices):
    IN_SERVICE = "in_service", "在职"
    RETIRED = "retired", "离退休"
    FLOATING = "floating", "流动"
    OTHER = "other", "其他"


# The managed list of care tags shipped with a new installation (administrators add more).
DEFAULT_CARE_TAGS = [
    ("alone_elderly", "独居老人", 30),
    ("aged", "高龄", 20),
    ("left_behind_child", "留守儿童", 30),
    ("disabled", "残疾", 20),
    ("dibao", "低保", 15),
    ("veteran", "退役军人", 5),
    ("unemployed", "失业", 10),
    ("empty_nest", "空巢老人", 20),
    ("serious_illness", "大病", 20),
    ("special_hardship", "特困", 25),
]

DEFAULT_SKILLS = [
    ("medical", "医疗护理"),
    ("legal", "法律咨询"),
    ("repair", "家电维修"),
    ("plumbing", "水电维修"),
    ("tutoring", "课业辅导"),
    ("psych", "心理疏导"),
    ("haircut", "理发"),
    ("cleaning", "家政保洁"),
    ("companionship", "陪伴聊天"),
    ("errand", "代办跑腿"),
    ("social_work", "社会工作"),
    ("computer", "电脑手机"),
    ("culture", "文艺宣传"),
    ("driving", "驾驶接送"),
]


class PersonRole(models.TextChoices):
    """The roles a person may hold at once, as offered by the list filter."""

    RESIDENT = "resident", "居民"
    PARTY_MEMBER = "party_member", "党员"
    VOLUNTEER = "volunteer", "志愿者"


class RevealField(models.TextChoices):
    """Personal-data fields that authorised roles may read in full (each read is audited)."""

    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "电话"
