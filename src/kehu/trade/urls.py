"""Pages of the trade facts, under /trade/facts/ (names prefixed ``facts_``); trade credit's pages are
kehu.tradecredit's, under /trade/."""

from django.urls import path

from kehu.trade import views

app_name = "trade"
urlpatterns = [
    path("facts/customer/<int:customer_id>/", views.customer_facts, name="facts_customer"),
    path("facts/customer/<int:customer_id>/sales/", views.sales_create, name="facts_sales_create"),
    path("facts/customer/<int:customer_id>/deliveries/", views.delivery_create, name="facts_delivery_create"),
    path("facts/customer/<int:customer_id>/deliveries/<int:delivery_id>/confirm/", views.delivery_confirm,
         name="facts_delivery_confirm"),
    path("facts/customer/<int:customer_id>/invoices/", views.invoice_create, name="facts_invoice_create"),
    path("facts/customer/<int:customer_id>/payments/", views.payment_create, name="facts_payment_create"),
]
