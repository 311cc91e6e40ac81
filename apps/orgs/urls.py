from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("compounds/", views.compound_list, name="compounds"),
    path("compound/<int:place_id>/", views.compound_detail, name="compound"),
]
