from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/<slug:code>/", views.report, name="report"),
    path("places/", views.places, name="places"),
    path("locate/", views.locate, name="locate"),
    path("find/", views.find, name="find"),
    path("t/<str:token>/", views.track, name="track"),
    path("t/<str:token>/rate/", views.rate, name="rate"),
]
