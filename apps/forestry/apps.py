from django.apps import AppConfig


class ForestryConfig(AppConfig):
    name = "apps.forestry"
    label = "forestry"
    verbose_name = "林长制"

    def ready(self) -> None:
        from apps.cases.notify import register_escalation_recipients

        from .actions import escalation_offices_staff

        # A forest event escalated by the case engine (its time limit, or by hand) to the
        # township or county level: that level's 林长制 office is told with the dispatchers.
        register_escalation_recipients(escalation_offices_staff)
