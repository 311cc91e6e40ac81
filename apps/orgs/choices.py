from django.db import models


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", "党委"
    PARTY_GENERAL_BRANCH = "party_general_branch", "党总支"
    PARTY_BRANCH = "party_branch", "党支部"
    OWNER_COMMITTEE = "owner_committee", "业主委员会"
    PMC = "pmc", "物业管理委员会"
    PROPERTY_COMPANY = "property_company", "物业服务企业"
    CO_BUILDING_UNIT = "co_building_unit", "共建单位"
    BUSINESS = "business", "商户企业"
    DEPARTMENT = "department", "职能部门"
    CLINIC = "clinic", "医疗机构"
    SOCIAL_ORG = "social_org", "社会组织"
    VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"
    SCHOOL = "school", "学校"


PARTY_KINDS = {OrgKind.PARTY_COMMITTEE, OrgKind.PARTY_GENERAL_BRANCH, OrgKind.PARTY_BRANCH}


class MemberRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    CHAIR = "chair", "主任"
    DEPUTY_CHAIR = "deputy_chair", "副主任"
    MEMBER = "member", "委员"
    STAFF = "staff", "成员"
    CONTACT = "contact", "联系人"


class PropertyModel(models.TextChoices):
    NONE = "none", "无物业"
    COMPANY = "company", "物业公司"
    SHARED = "shared", "共享物业"
    BUNDLED = "bundled", "连片打包"
    SELF_MANAGED = "self_managed", "专职物管人自管"
    JOINT_ACCOUNT = "joint_account", "共管账户"
