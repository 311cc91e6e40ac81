from django.urls import path

from . import views

app_name = "outbox"
urlpatterns = [
    # At the site's root, so that the service worker's scope covers every field page.
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("outbox/", views.queue, name="queue"),
    path("outbox/submit/", views.submit, name="submit"),
    path("outbox/sync/", views.sync, name="sync"),
    path("outbox/upload/", views.upload_chunk, name="upload"),
    path("outbox/upload/<uuid:uuid>/", views.upload_status, name="upload_status"),
    path("outbox/offline-task/", views.offline_task, name="offline_task"),
]
