from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "apps.duties"
    label = "duties"
    verbose_name = "责任"
