from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("indicators/", views.indicator_list, name="indicators"),
]
