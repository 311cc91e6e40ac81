from django.urls import path

from . import views

app_name = "errands"
urlpatterns = [
    path("", views.errand_list, name="list"),
    path("<int:case_id>/", views.errand_detail, name="detail"),
    path("<int:case_id>/steps/", views.add_steps, name="add_steps"),
    path("<int:case_id>/resolve/", views.resolve, name="resolve"),
    path("steps/<int:pk>/done/", views.complete_step, name="done"),
]
