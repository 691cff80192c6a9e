"""PI-9: a customer restricted under a legal hold is absent from the satisfaction report (figures, the
answers behind them, the XLSX and the API), as a user sees it."""

import io
from datetime import date

import openpyxl
import pytest
from django.test import Client
from tests.reception.conftest import at
from tests.surveys.test_surveys import token_of, visit_done

from kehu.customers.models import Customer
from kehu.surveys import reports, services
from kehu.surveys.models import Invitation

pytestmark = pytest.mark.django_db


def test_restricted_customer_absent_from_the_satisfaction_report(rworld, api):
    kept, held = rworld.enterprise(), rworld.enterprise()
    visit_done(rworld, checked_out=at("2026-10-09", "10:00"), customer=kept)
    visit_done(rworld, checked_out=at("2026-10-09", "11:00"), customer=held)
    services.surveys_dispatch(now=at("2026-10-10", "17:00"))
    for customer, score, comment in ((kept, 5, "接待周到"), (held, 1, "受限客户的留言")):
        invitation = Invitation.objects.get(trigger="visit", customer=customer)
        services.survey_answer(token=token_of(invitation), raw={"overall": score, "reception": score,
                                                                "arrangement": 5, "comment": comment},
                               now=at("2026-10-11", "09:00"))
    october = {"start": date(2026, 10, 1), "end": date(2026, 10, 1)}
    assert reports.csat_report(user=rworld.bj_super, **october)["total"]["answered"] == 2

    Customer.objects.filter(pk=held.pk).update(pi_restricted=True)
    total = reports.csat_report(user=rworld.bj_super, **october)["total"]
    assert (total["answered"], total["csat"]) == (1, 100.0)  # the restricted customer's 1 point is not counted
    held_invitation = Invitation.objects.get(trigger="visit", customer=held).pk
    listed = [a["invitation_id"] for a in api.get("bj_super", "/surveys/answers?start=2026-10&end=2026-10").json()]
    assert listed and held_invitation not in listed
    assert api.get("bj_super", "/surveys/report?start=2026-10&end=2026-10").json()["total"]["answered"] == 1
    client = Client()
    client.force_login(rworld.bj_super)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/surveys/report.xlsx?start=2026-10&end=2026-10").content))
    cells = [v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row]
    assert "接待周到" in cells and "受限客户的留言" not in cells
