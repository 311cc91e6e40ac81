from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("party-members/", views.party_member_list, name="party_members"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
]
