from django.urls import path

from kehu.tradecredit import views

app_name = "tradecredit"
# Under /trade/ beside the facts' pages (kehu.trade.urls, /trade/facts/): the addresses users know stay.
urlpatterns: list = [
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/<str:action>/", views.order_action, name="order_action"),
    path("customer/<int:customer_id>/credit/", views.customer_credit, name="credit"),
    path("customer/<int:customer_id>/credit/limit/", views.limit_set, name="limit_set"),
    path("limit-changes/", views.limit_changes, name="limit_changes"),
    path("limit-changes/<int:change_id>/<str:action>/", views.change_action, name="change_action"),
]
