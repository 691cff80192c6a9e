from django.urls import path

from kehu.bulk import views

app_name = "bulk"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<int:job_id>/", views.job_page, name="job"),
    path("import/<int:job_id>/status/", views.job_status, name="job_status"),
    path("import/<int:job_id>/resume/", views.job_resume, name="job_resume"),
    path("import/<int:job_id>/errors/", views.job_errors, name="job_errors"),
    path("template.<str:fmt>", views.template_download, name="template"),
    path("export/", views.export_customers, name="export"),
    path("exports/", views.export_requests, name="exports"),
    path("exports/background/", views.export_start, name="export_start"),
    path("exports/background/<int:job_id>/", views.export_download, name="export_download"),
    path("exports/request/", views.export_request, name="export_request"),
    path("exports/<int:request_id>/decide/", views.export_decide, name="export_decide"),
]
