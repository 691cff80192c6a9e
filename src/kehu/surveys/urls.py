from django.urls import path

from . import views

app_name = "surveys"
urlpatterns: list = [
    path("", views.report, name="report"),
    path("answers/", views.drill, name="answers"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("chart/<str:name>.svg", views.chart, name="chart"),
    path("templates/", views.templates, name="templates"),
]
