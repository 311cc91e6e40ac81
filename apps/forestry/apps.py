from django.apps import AppConfig


class ForestryConfig(AppConfig):
    name = "apps.forestry"
    label = "forestry"
    verbose_name = "林长制"
