from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "apps.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (no demo accounts over HTTPS: check --deploy)
