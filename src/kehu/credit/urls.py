from django.urls import path

from kehu.credit import views

app_name = "credit"
urlpatterns = [
    path("", views.line_list, name="list"),
    path("new/", views.line_create, name="create"),
    path("ratings/", views.rating_create, name="rating"),
    path("<int:line_id>/", views.line_detail, name="detail"),
    path("<int:line_id>/adjust/", views.line_adjust, name="adjust"),
    path("<int:line_id>/uses/", views.use_create, name="use_create"),
    path("<int:line_id>/<slug:action>/", views.line_action, name="action"),
    path("uses/<int:use_id>/<slug:action>/", views.use_action, name="use_action"),
    path("changes/<int:change_id>/<slug:action>/", views.change_action, name="change"),
]
