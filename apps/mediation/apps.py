from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "apps.mediation"
    label = "mediation"
    verbose_name = "矛盾调解"
