from django.urls import path

from kehu.exposure import views

app_name = "exposure"
urlpatterns = [
    path("", views.index, name="index"),
    path("freeze/", views.freeze, name="freeze"),
    path("concentration/", views.concentration, name="concentration"),
    path("capital/", views.capital, name="capital"),
    path("reports/", views.report_create, name="report_create"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/export.<slug:fmt>", views.report_export, name="export"),
    path("reports/<int:report_id>/<slug:action>/", views.report_action, name="report_action"),
]
