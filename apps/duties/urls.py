from django.urls import path

from . import views

app_name = "duties"
urlpatterns = [
    path("", views.duty_list, name="list"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
    path("assign/<int:place_pk>/", views.duty_assign, name="assign"),
    path("<int:pk>/end/", views.duty_end, name="end"),
]
