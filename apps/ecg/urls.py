from django.urls import path

from . import views

app_name = "ecg"

urlpatterns = [
    path("", views.home, name="home"),
    path("exams/", views.exam_list, name="list"),
    path("exams/upload/", views.exam_upload, name="upload"),
    path("queue/", views.reading_queue, name="queue"),
    path("exams/<int:pk>/", views.exam_detail, name="detail"),
    path("exams/<int:pk>/signal.json", views.exam_signal, name="signal"),
    path("exams/<int:pk>/claim/", views.exam_claim, name="claim"),
    path("exams/<int:pk>/unclaim/", views.exam_unclaim, name="unclaim"),
    path("exams/<int:pk>/report/", views.exam_report, name="report"),
    path("exams/<int:pk>/check/", views.exam_check, name="check"),
    path("exams/<int:pk>/report.pdf", views.exam_pdf, name="pdf"),
    path("critical/", views.critical_list, name="critical_list"),
    path("critical/<int:pk>/", views.critical_detail, name="critical_detail"),
    path("critical/<int:pk>/referral/", views.referral_step, name="referral"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
    path("stats/", views.statistics, name="stats"),
]
