from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("dispatch/", views.batch_dispatch, name="batch"),
    path("dispatch/confirm/", views.batch_confirm, name="batch_confirm"),
]
