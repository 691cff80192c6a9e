from django.urls import path

from . import views, views_retention

app_name = "privacy"
urlpatterns: list = [
    path("", views.inbox, name="inbox"),
    path("retention/", views_retention.retention_page, name="retention"),
    path("requests/<int:request_id>/", views.request_action, name="request_action"),
    path("answer/<str:token>/", views.change_answer, name="change_answer"),
]
