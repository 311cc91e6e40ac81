from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("template/<str:kind>.xlsx", views.ledger_template, name="template"),
    path("export/<str:kind>.<str:file_format>", views.ledger_export, name="export"),
    path("import/", views.import_job_create, name="upload"),
    path("jobs/<int:job_id>/", views.import_job_detail, name="job"),
    path("jobs/<int:job_id>/commit/", views.import_job_commit, name="commit"),
    path("jobs/<int:job_id>/retry/", views.import_job_retry, name="retry"),
    path("jobs/<int:job_id>/errors.xlsx", views.import_job_error_report, name="error_report"),
]
