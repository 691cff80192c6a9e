"""Pages of the trade facts, included by trade/urls.py under /trade/facts/ (names prefixed ``facts_``)."""

from django.urls import path

from kehu.trade import views_facts as views

urlpatterns = [
    path("customer/<int:customer_id>/", views.customer_facts, name="facts_customer"),
    path("customer/<int:customer_id>/sales/", views.sales_create, name="facts_sales_create"),
    path("customer/<int:customer_id>/deliveries/", views.delivery_create, name="facts_delivery_create"),
    path("customer/<int:customer_id>/deliveries/<int:delivery_id>/confirm/", views.delivery_confirm,
         name="facts_delivery_confirm"),
    path("customer/<int:customer_id>/invoices/", views.invoice_create, name="facts_invoice_create"),
    path("customer/<int:customer_id>/payments/", views.payment_create, name="facts_payment_create"),
]
