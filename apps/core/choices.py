from django.db import models


class AuditVerb(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    REVEAL = "reveal", "查看个人信息"
    IMPORT = "import", "导入"
    EXPORT = "export", "导出"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
