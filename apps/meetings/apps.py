from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "apps.meetings"
    label = "meetings"
    verbose_name = "议事协商"
