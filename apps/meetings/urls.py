from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("decisions/", views.decision_list, name="decisions"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/hold/", views.meeting_hold, name="hold"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/close/", views.meeting_close, name="close"),
    path("<int:pk>/items/", views.item_add, name="add_item"),
    path("<int:pk>/items/<int:item_id>/decide/", views.item_decide, name="decide"),
]
