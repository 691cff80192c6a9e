"""kehu's URLs plus ``/bench/bare/<id>``: a bare Django view that reads the same customer row and
returns it as JSON — no authentication, no scope, no masking, no django-ninja. The P9 baseline
(../shared/docs/performance.md); it exists only in this benchmark URLconf."""

from django.http import JsonResponse
from django.urls import path

from kehu.urls import urlpatterns as kehu_urlpatterns

FIELDS = ("id", "kind", "name", "name_pinyin", "uscc", "industry", "region", "org_path", "manager_id",
          "admission_status", "grade", "version")


def bare_customer(request, customer_id: int):
    from kehu.customers.models import Customer

    row = Customer.objects.filter(pk=customer_id).values(*FIELDS).first()
    if row is None:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse(row)


urlpatterns = [path("bench/bare/<int:customer_id>", bare_customer), *kehu_urlpatterns]
