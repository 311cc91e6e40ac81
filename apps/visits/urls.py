from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.today, name="today"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/record/", views.task_record, name="record"),
    path("tasks/<int:pk>/unreachable/", views.task_unreachable, name="unreachable"),
    path("tasks/<int:pk>/need/", views.task_need, name="need"),
    path("coverage/", views.coverage, name="coverage"),
]
