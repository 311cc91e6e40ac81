from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("calendar/", views.month, name="calendar"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/signup/", views.sign_up, name="signup"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/reach/", views.reach, name="reach"),
    path("<int:pk>/photos/", views.add_photo, name="add_photo"),
    path("<int:pk>/door/", views.door, name="door"),
    path("<int:pk>/qr.svg", views.qr_code, {"kind": "svg"}, name="qr_svg"),
    path("<int:pk>/qr.png", views.qr_code, {"kind": "png"}, name="qr_png"),
    path("<int:pk>/qr/renew/", views.renew_qr, name="renew_qr"),
    path("signups/<int:pk>/cancel/", views.cancel_signup, name="cancel_signup"),
    path("signups/<int:pk>/hours/", views.record_hours, name="record_hours"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"size": "thumb"}, name="photo_thumb"),
    path("c/<str:token>/", views.checkin, name="checkin"),
]
