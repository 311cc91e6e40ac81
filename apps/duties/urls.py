from django.urls import path

app_name = "duties"
urlpatterns: list = []
