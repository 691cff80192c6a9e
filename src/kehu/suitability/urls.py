from django.urls import path

from . import views

app_name = "suitability"
urlpatterns: list = [
    path("", views.home, name="home"),
    path("investors/new/", views.profile_new, name="profile_new"),
    path("investors/<int:profile_id>/", views.profile_detail, name="profile_detail"),
    path("investors/<int:profile_id>/action/", views.profile_action, name="profile_action"),
    path("products/", views.products, name="products"),
    path("subscriptions/<int:subscription_id>/", views.subscription_detail, name="subscription_detail"),
    path("subscriptions/<int:subscription_id>/action/", views.subscription_action, name="subscription_action"),
    path("filings/", views.filings, name="filings"),
    path("filings/<int:filing_id>/action/", views.filing_action, name="filing_action"),
    path("reports/", views.reports, name="reports"),
]
