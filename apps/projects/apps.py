from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "apps.projects"
    label = "projects"
    verbose_name = "重点项目"

    def ready(self) -> None:
        from apps.cases.selectors import STAFF_ONLY

        from .actions import BLOCKER_CATEGORY

        STAFF_ONLY.add(BLOCKER_CATEGORY)  # raised by the project's people, not by residents
