from django.urls import path

from . import views

app_name = "mediation"
urlpatterns = [
    path("", views.mediation_list, name="list"),
    path("mediators/", views.mediators, name="mediators"),
    path("cases/<int:case_id>/", views.case_mediation, name="case"),
    path("<int:pk>/", views.mediation_detail, name="detail"),
    path("<int:pk>/sessions/", views.session_add, name="session"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
]
