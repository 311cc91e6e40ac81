from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "apps.brands"
    label = "brands"
    verbose_name = "服务品牌"
