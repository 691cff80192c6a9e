from django.urls import path

from . import views

app_name = "reception"
urlpatterns: list = [
    path("", views.desk, name="desk"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_id>/action/", views.visit_action, name="visit_action"),
    path("visits/<int:visit_id>/badge/", views.badge, name="badge"),
    path("safety/", views.safety, name="safety"),
]
