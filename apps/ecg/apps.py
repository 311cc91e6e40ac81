from django.apps import AppConfig


class EcgConfig(AppConfig):
    name = "apps.ecg"
    label = "ecg"
    verbose_name = "心电一张网"
