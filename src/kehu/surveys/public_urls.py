"""The public answer page, outside the staff UI and its login (the single-use link is the permission)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("<str:token>/", views.answer, name="survey_answer"),
]
