from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.today, name="today"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/record/", views.task_record, name="record"),
    path("tasks/<int:pk>/unreachable/", views.task_unreachable, name="unreachable"),
    path("tasks/<int:pk>/need/", views.task_need, name="need"),
    path("tasks/<int:pk>/hazard/", views.task_hazard, name="hazard"),
    path("tasks/<int:pk>/dispute/", views.task_dispute, name="dispute"),
    path("tasks/<int:pk>/reinspect/", views.task_reinspect, name="reinspect"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/compare/", views.compare, name="compare"),
    path("coverage/export/", views.coverage_export, name="export"),
]
