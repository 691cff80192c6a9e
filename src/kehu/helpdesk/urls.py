from django.urls import path

from kehu.helpdesk import views

app_name = "helpdesk"
urlpatterns: list = [
    path("", views.ticket_list, name="ticket_list"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/action/", views.ticket_action, name="ticket_action"),
    path("analysis/", views.analysis, name="analysis"),
    path("knowledge/", views.knowledge, name="knowledge"),
]
