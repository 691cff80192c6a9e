from django.urls import path

from kehu.core import views

# Names without a namespace: settings (LOGIN_URL, LOGIN_REDIRECT_URL) and PasswordExpiryMiddleware use them.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", views.healthz, name="healthz"),
]
