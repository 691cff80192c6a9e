import random

import pytest

from kehu.helpdesk.demo import load_demo_helpdesk
from kehu.helpdesk.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_builds_once(hworld):
    for _ in range(5):
        hworld.enterprise()
    first = load_demo_helpdesk(random.Random(3))
    assert first["created"] and Ticket.objects.count() == first["tickets"]
    assert load_demo_helpdesk(random.Random(3)) == {"created": False}


def test_demo_allowances_follow_their_bands(hworld):
    from kehu.helpdesk.models import ReceivableReduction

    for _ in range(17):  # allowances go to every eighth customer
        hworld.enterprise()
    load_demo_helpdesk(random.Random(5))
    allowances = list(Ticket.objects.filter(kind="allowance"))
    assert len(allowances) == 3
    for t in allowances:
        approval = t.data["approval"]
        roles = [s["role"] for s in approval["sign_offs"]]
        assert set(roles) <= set(approval["required"]) and len(set(s["user"] for s in approval["sign_offs"])) == len(roles)
        assert (t.state == "approved") == (len(roles) == len(approval["required"]))
        assert ReceivableReduction.objects.filter(ticket=t).exists() == (t.state == "approved")
