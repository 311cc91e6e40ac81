from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.care_group, name="group"),
    path("mine/", views.mine, name="mine"),
    path("pairings/new/", views.pairing_new, name="pairing_new"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing"),
    path("pairings/<int:pk>/contact/", views.pairing_contact, name="contact"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="end"),
]
