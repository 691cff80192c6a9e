from django.urls import path

from kehu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("<str:account_no>/", views.detail, name="detail"),
]
