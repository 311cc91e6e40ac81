from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "apps.places"
    label = "places"
    verbose_name = "地"
