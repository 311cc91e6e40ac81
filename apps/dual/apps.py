from django.apps import AppConfig


class DualConfig(AppConfig):
    name = "apps.dual"
    label = "dual"
    verbose_name = "双报到双报告"
