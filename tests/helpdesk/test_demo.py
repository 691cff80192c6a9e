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
