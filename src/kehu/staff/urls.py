from django.urls import path

from . import views

app_name = "staff"
urlpatterns: list = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
]
