from django.urls import path

from . import views

app_name = "forestry"

urlpatterns = [
    path("", views.home, name="home"),
    path("zones/<int:pk>/", views.zone, name="zone"),
    path("zones/<int:pk>/start/", views.start_patrol, name="start"),
    path("zones/<int:pk>/gpx/", views.upload_gpx, name="gpx"),
    path("patrols/<int:pk>/", views.patrol, name="patrol"),
    path("patrols/<int:pk>/event/", views.report_event, name="event"),
    path("events/<int:pk>/", views.event, name="event_detail"),
    path("signboards/", views.signboards, name="signboards"),
    path("signboards/pdf/", views.signboards_pdf, name="signboards_pdf"),
    path("planting/", views.planting, name="planting"),
    path("planting/targets/", views.planting_target, name="planting_target"),
]
