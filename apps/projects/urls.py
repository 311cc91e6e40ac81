from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.project_new, name="new"),
    path("import/", views.project_import, name="import"),
    path("weekly/", views.weekly_list, name="weekly"),
    path("weekly/<int:pk>/<str:fmt>/", views.weekly_file, name="weekly_file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/notes/", views.note_add, name="note"),
    path("stages/<int:pk>/start/", views.stage_move, {"move": "start"}, name="stage_start"),
    path(
        "stages/<int:pk>/complete/", views.stage_move, {"move": "complete"}, name="stage_complete"
    ),
    path("stages/<int:pk>/notice/", views.stage_notice, name="stage_notice"),
    path("stages/<int:pk>/assign/", views.stage_assign, name="stage_assign"),
    path("stages/<int:pk>/replan/", views.stage_replan, name="stage_replan"),
    path("stages/<int:pk>/blocker/", views.stage_blocker, name="stage_blocker"),
    path("blockers/<int:pk>/supervise/", views.blocker_supervise, name="blocker_supervise"),
]
