from django.urls import path

from . import views

app_name = "brands"
urlpatterns = [
    path("", views.brand_list, name="list"),
    path("new/", views.brand_create, name="create"),
    path("<int:pk>/", views.brand_detail, name="detail"),
    path("<int:pk>/edit/", views.brand_edit, name="edit"),
    path("<int:pk>/funds/", views.fund_add, name="fund_add"),
    path("funds/<int:pk>/reverse/", views.fund_reverse, name="fund_reverse"),
    path("<int:pk>/orders/", views.order_attribute, name="order_attribute"),
    path("orders/<int:pk>/detach/", views.order_detach, name="order_detach"),
    path("communities/", views.communities, name="communities"),
    path("surveys/", views.campaign_list, name="campaigns"),
    path("surveys/new/", views.campaign_create, name="campaign_create"),
    path("surveys/<int:pk>/", views.campaign_detail, name="campaign"),
    path("surveys/<int:pk>/households/<int:household>/", views.survey_record, name="record"),
    path("needs/<int:pk>/order/", views.need_convert, name="need_convert"),
    path("services/", views.service_list, name="services"),
]
