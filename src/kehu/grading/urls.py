from django.urls import path

from kehu.grading import views

app_name = "grading"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("run/", views.run_start, name="run_start"),
    path("<str:period>/", views.period_results, name="results"),
    path("<str:period>/<int:customer_id>/", views.result_detail, name="result"),
]
