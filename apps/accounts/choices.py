from django.db import models


class Role(models.TextChoices):
    COUNTY_LEADER = "county_leader", "县级领导"
    DEPT_HANDLER = "dept_handler", "职能部门经办人"
    TOWN_STAFF = "town_staff", "乡镇街道干部"
    COMMUNITY_STAFF = "community_staff", "社区村干部"
    GRID_WORKER = "grid_worker", "网格员"
    PARTY_MEMBER = "party_member", "党员"
    VOLUNTEER = "volunteer", "志愿者"
    CLINIC_DOCTOR = "clinic_doctor", "基层医生"
    ECG_PHYSICIAN = "ecg_physician", "心电诊断医师"
    FOREST_CHIEF = "forest_chief", "林长"
    RANGER = "ranger", "护林员"
    PROJECT_OFFICIAL = "project_official", "重点项目专班"
    PROJECT_UNIT = "project_unit", "项目单位"
    VILLAGE_ACCOUNTANT = "village_accountant", "村报账员"
    VILLAGE_SUPERVISOR = "village_supervisor", "村务监督委员会"
    AGENCY_ACCOUNTANT = "agency_accountant", "乡镇三资代理中心"
    ADMIN = "admin", "系统管理员"
    # 三员分立 (MLPS 2.0 level 3): the security and audit administrators beside the system one.
    SECURITY_ADMIN = "security_admin", "安全保密管理员"
    AUDITOR = "auditor", "安全审计员"


# Which role may do what: apps/accounts/permissions.py (one role × capability table).
