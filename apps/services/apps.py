from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "apps.services"
    label = "services"
    verbose_name = "志愿服务派单"

    def ready(self) -> None:
        from apps.cases.dispatch import register_availability

        from .batch import exceptions_now

        # The case page's dispatch suggestions honour the same dated exceptions as batch
        # dispatch (a volunteer on leave today is not "现在可服务").
        register_availability(exceptions_now)
