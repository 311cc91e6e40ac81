# Mounted at /services/dual/ (config/urls.py), where these pages were before the dual app.
from django.urls import path

from . import views

app_name = "dual"
urlpatterns = [
    path("", views.registration_list, name="list"),
    path("<int:pk>/", views.registration_detail, name="detail"),
    path("<int:pk>/decide/", views.registration_decide, name="decide"),
    path("<int:pk>/pick/", views.pick, name="pick"),
    path("services/<int:pk>/complete/", views.complete, name="complete"),
    path("reports/", views.reports, name="reports"),
]
