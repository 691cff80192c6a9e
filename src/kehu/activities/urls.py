from django.urls import path

from kehu.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("customer/<int:customer_id>/log/", views.activity_log, name="log"),
    path("<int:activity_id>/delete/", views.activity_delete, name="delete"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("tasks/<int:task_id>/cancel/", views.task_cancel, name="task_cancel"),
]
