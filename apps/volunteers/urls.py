# Mounted at /services/ (config/urls.py), where these pages were before the volunteers app.
from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("join/", views.join, name="join"),
    path("join/<str:token>/", views.join_status, name="join_status"),
    path("applications/", views.applications, name="applications"),
    path(
        "applications/<int:pk>/decide/",
        views.application_decide,
        name="application_decide",
    ),
    path("volunteers/", views.volunteer_list, name="list"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="detail"),
    path("volunteers/<int:pk>/hours/", views.hours_record, name="hours_record"),
    path("volunteers/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("volunteers/<int:pk>/certificates/", views.certificate_add, name="certificate_add"),
    path(
        "volunteers/<int:pk>/certificates/remove/",
        views.certificate_remove,
        name="certificate_remove",
    ),
    path("volunteers/<int:pk>/trainings/", views.training_add, name="training_add"),
    path("volunteers/<int:pk>/exceptions/", views.exception_add, name="exception_add"),
    path("volunteers/<int:pk>/no-shows/", views.no_show_add, name="no_show_add"),
    path("volunteers/<int:pk>/grant/", views.points_grant, name="points_grant"),
    path("volunteers/<int:pk>/donate/", views.points_donate, name="points_donate"),
    path("volunteers/<int:pk>/rewards/", views.rewards, name="rewards"),
    path("volunteers/<int:pk>/rewards/<int:item_pk>/redeem/", views.redeem, name="redeem"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:item_pk>/restock/", views.restock, name="restock"),
    path("approvals/", views.approvals, name="approvals"),
    path("hours/<int:pk>/decide/", views.hours_decide, name="hours_decide"),
]
