from django.urls import path

from kehu.core import views

# Names without a namespace: settings (LOGIN_URL, LOGIN_REDIRECT_URL) and PasswordExpiryMiddleware use them.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("account/security/", views.account_security, name="account_security"),
    path("account/tokens/", views.tokens_all, name="tokens_all"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", views.healthz, name="healthz"),
]
