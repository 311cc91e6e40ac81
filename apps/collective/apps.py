from django.apps import AppConfig


class CollectiveConfig(AppConfig):
    name = "apps.collective"
    label = "collective"
    verbose_name = "村集体经济"

    def ready(self) -> None:
        # The voucher and contract imports plug into the ledgers' import machinery.
        from .imports import register_imports

        register_imports()
