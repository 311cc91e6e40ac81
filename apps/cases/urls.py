from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("mine/", views.my_orders, name="mine"),
    path("kpis/", views.case_kpis, name="kpis"),
    path("hot/", views.hot_issues, name="hot"),
    path("revisits/", views.revisit_list, name="revisits"),
    path("revisits/<int:pk>/", views.revisit_record, name="revisit"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/transition/", views.case_transition, name="transition"),
    path("<int:pk>/dispatch/", views.case_dispatch, name="dispatch"),
    path("<int:pk>/dispatch/phone/", views.case_candidate_phone, name="candidate_phone"),
    path("<int:pk>/reveal-phone/", views.case_reveal_phone, name="reveal_phone"),
]
