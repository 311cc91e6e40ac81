from django.urls import path

from . import views, views_dual, views_volunteers

app_name = "services"
urlpatterns = [
    path("me/", views_volunteers.me, name="me"),
    path("join/", views_volunteers.join, name="join"),
    path("join/<str:token>/", views_volunteers.join_status, name="join_status"),
    path("applications/", views_volunteers.applications, name="applications"),
    path(
        "applications/<int:pk>/decide/",
        views_volunteers.application_decide,
        name="application_decide",
    ),
    path("volunteers/", views_volunteers.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/hours/", views.hours_record, name="hours_record"),
    path("volunteers/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path(
        "volunteers/<int:pk>/certificates/",
        views_volunteers.certificate_add,
        name="certificate_add",
    ),
    path(
        "volunteers/<int:pk>/certificates/remove/",
        views_volunteers.certificate_remove,
        name="certificate_remove",
    ),
    path("volunteers/<int:pk>/trainings/", views_volunteers.training_add, name="training_add"),
    path("volunteers/<int:pk>/exceptions/", views_volunteers.exception_add, name="exception_add"),
    path("volunteers/<int:pk>/no-shows/", views_volunteers.no_show_add, name="no_show_add"),
    path("volunteers/<int:pk>/grant/", views_volunteers.points_grant, name="points_grant"),
    path("volunteers/<int:pk>/donate/", views_volunteers.points_donate, name="points_donate"),
    path("volunteers/<int:pk>/rewards/", views_volunteers.rewards, name="rewards"),
    path(
        "volunteers/<int:pk>/rewards/<int:item_pk>/redeem/",
        views_volunteers.redeem,
        name="redeem",
    ),
    path("catalogue/", views_volunteers.catalogue, name="catalogue"),
    path("catalogue/<int:item_pk>/restock/", views_volunteers.restock, name="restock"),
    path("approvals/", views.approvals, name="approvals"),
    path("hours/<int:pk>/decide/", views.hours_decide, name="hours_decide"),
    path("dispatch/", views.batch_dispatch, name="batch"),
    path("dispatch/confirm/", views.batch_confirm, name="batch_confirm"),
    path("dual/", views_dual.dual_list, name="dual_list"),
    path("dual/<int:pk>/", views_dual.dual_detail, name="dual_detail"),
    path("dual/<int:pk>/decide/", views_dual.dual_decide, name="dual_decide"),
    path("dual/<int:pk>/pick/", views_dual.dual_pick, name="dual_pick"),
    path("dual/services/<int:pk>/complete/", views_dual.dual_complete, name="dual_complete"),
    path("dual/reports/", views_dual.dual_reports, name="dual_reports"),
]
