from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "apps.outbox"
    verbose_name = "离线待上传"
    default_auto_field = "django.db.models.BigAutoField"
