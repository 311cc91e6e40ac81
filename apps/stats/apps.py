from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class StatsConfig(AppConfig):
    name = "apps.stats"
    label = "stats"
    verbose_name = "统计分析"

    def ready(self) -> None:
        # Every app's `indicators.py` registers the figures it records (indicators.register),
        # its `layers.py` the point layers of the overview map (layers.register).
        autodiscover_modules("indicators")
        autodiscover_modules("layers")
        # the cases' 三率 page reads an area's figures from the rollups (same definitions)
        from apps.cases.selectors import use_area_reader

        from .selectors import case_figures

        use_area_reader(case_figures)
