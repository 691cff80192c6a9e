from django.contrib import admin
from django.urls import include, path

from kehu.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kehu.core.urls")),
    path("customers/bulk/", include("kehu.bulk.urls")),
    path("customers/", include("kehu.customers.urls")),
    path("grading/", include("kehu.grading.urls")),
    path("trade/", include("kehu.trade.urls")),
    path("trade/", include("kehu.tradecredit.urls")),
    path("credit/", include("kehu.credit.urls")),
    path("exposure/", include("kehu.exposure.urls")),
    path("helpdesk/", include("kehu.helpdesk.urls")),
    path("activities/", include("kehu.activities.urls")),
    path("accounts/", include("kehu.accounts.urls")),
    path("reception/", include("kehu.reception.urls")),
    path("surveys/", include("kehu.surveys.urls")),
    path("s/", include("kehu.surveys.public_urls")),
    path("suitability/", include("kehu.suitability.urls")),
    path("privacy/", include("kehu.privacy.urls")),
    path("staff/", include("kehu.staff.urls")),
]
