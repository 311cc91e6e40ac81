from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "apps.care"
    label = "care"
    verbose_name = "结对关爱"
