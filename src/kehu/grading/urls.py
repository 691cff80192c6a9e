from django.urls import path

from kehu.grading import views

app_name = "grading"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("run/", views.run_start, name="run_start"),
    path("reopen/<str:period>/", views.run_reopen_view, name="run_reopen"),
    path("overrides/<int:override_id>/", views.override_decide, name="override_decide"),
    path("<str:period>/", views.period_results, name="results"),
    path("<str:period>/<int:customer_id>/", views.result_detail, name="result"),
    path("<str:period>/<int:customer_id>/override/", views.override_request, name="override_request"),
    path("<str:period>/<int:customer_id>/statement/", views.statement_record, name="statement_record"),
]
