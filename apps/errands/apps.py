from django.apps import AppConfig


class ErrandsConfig(AppConfig):
    name = "apps.errands"
    label = "errands"
    verbose_name = "陪办帮办"
