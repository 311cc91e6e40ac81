from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("request/", views.request_report, name="request"),
    path("<int:pk>/", views.view, name="view"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
