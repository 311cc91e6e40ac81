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
    ADMIN = "admin", "系统管理员"


# Roles that may see a full ID-card or phone number (each reveal is audited).
REVEAL_ROLES = {Role.ADMIN, Role.TOWN_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER}
# Roles that run governance work in an area (the 议事, 数据 and 基础信息 menus).
GOVERNANCE_ROLES = {
    Role.ADMIN,
    Role.COUNTY_LEADER,
    Role.TOWN_STAFF,
    Role.COMMUNITY_STAFF,
    Role.GRID_WORKER,
    Role.DEPT_HANDLER,
}
# Roles that maintain the ledgers (people, places, organisations, duties) of their scope.
LEDGER_ROLES = {Role.ADMIN, Role.TOWN_STAFF, Role.COMMUNITY_STAFF}
# Roles that work in the county ECG network (the 心电 menu).
ECG_ROLES = {Role.CLINIC_DOCTOR, Role.ECG_PHYSICIAN, Role.COUNTY_LEADER, Role.ADMIN}
# Roles that may export ledgers to Excel.
EXPORT_ROLES = {Role.ADMIN, Role.TOWN_STAFF, Role.COMMUNITY_STAFF, Role.COUNTY_LEADER}
