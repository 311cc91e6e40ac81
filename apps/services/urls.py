from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/hours/", views.hours_record, name="hours_record"),
    path("volunteers/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("approvals/", views.approvals, name="approvals"),
    path("hours/<int:pk>/decide/", views.hours_decide, name="hours_decide"),
    path("dispatch/", views.batch_dispatch, name="batch"),
    path("dispatch/confirm/", views.batch_confirm, name="batch_confirm"),
]
