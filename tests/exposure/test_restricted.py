"""PI-9 in the large-credit statistics: a customer restricted under a legal hold keeps its row and its
amounts (the regulatory totals still count the exposure) but its identity is withheld on the page, in the
API and in the XLSX; the regulator's XML keeps the credit code and withholds the name."""

from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client
from openpyxl import load_workbook
from tests._fixtures.api import ApiClient
from tests._fixtures.credit_world import active_line, rated_customer
from tests.exposure.test_services import HEADER, _period

from kehu.customers.models import Customer

RESTRICTED = {"Restricted record", "受限记录"}  # the request's language decides


def test_restricted_customer_counted_but_not_named(cworld):
    kept, held = rated_customer(cworld), rated_customer(cworld)
    active_line(cworld, kept, "100000000.00")
    active_line(cworld, held, "150000000.00")
    api = ApiClient(cworld)
    period = _period(0)
    assert api.post("hq_risk", "/exposure/freezes", {"period": period}).status_code == 201
    report = api.post("hq_risk", "/exposure/reports", {"period": period, **HEADER}).json()
    Customer.objects.filter(pk=held.pk).update(pi_restricted=True)

    rows = api.get("hq_risk", f"/exposure/reports/{report['id']}").json()["rows"]
    assert sorted(Decimal(r["line_amount"]) for r in rows) == [Decimal("100000000.00"), Decimal("150000000.00")]
    shown = {r["line_amount"]: r for r in rows}
    assert shown["150000000.00"]["name"] in RESTRICTED and shown["150000000.00"]["uscc"] == ""
    assert shown["100000000.00"]["name"] == kept.name and shown["100000000.00"]["uscc"] == kept.uscc

    client = Client()
    client.force_login(cworld.hq_risk)
    page = client.get(f"/exposure/reports/{report['id']}/").content.decode()
    assert held.name not in page and held.uscc not in page and any(x in page for x in RESTRICTED) and kept.uscc in page
    sheet = load_workbook(io.BytesIO(client.get(f"/exposure/reports/{report['id']}/export.xlsx").content)).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert held.name not in values and held.uscc not in values and kept.uscc in values
    assert Decimal("150000000.00") in [Decimal(str(v)) for v in values if isinstance(v, (int, float, Decimal))]

    assert api.post("hq_risk", f"/exposure/reports/{report['id']}/submit").status_code == 200
    assert api.post("hq_risk2", f"/exposure/reports/{report['id']}/signoff", {"approve": True}).status_code == 200
    xml = api.get("hq_auditor", f"/exposure/reports/{report['id']}/export?format=xml").content.decode()
    assert held.uscc in xml and held.name not in xml and kept.name in xml
