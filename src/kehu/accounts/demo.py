"""Demo personal accounts on top of the customers demo, built through the services: people near each limit
today and this year, and two people past the Class III ¥50,000 total — one with an open task, one overdue
(Class III business suspended). ``load_demo_accounts(rng)`` runs once; a second call changes nothing."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kehu.accounts import services
from kehu.accounts.models import PersonalAccount
from kehu.accounts.rules import DIRECTION_OF, SHANGHAI
from kehu.core.audit import seal_at_end
from kehu.core.models import User
from kehu.customers.generators import make_resident_id
from kehu.customers.services import customer_create

PEOPLE = [
    # (name, note) — the note says which limit the person is near
    ("王建国", "class2_day"),
    ("李秀英", "class2_year"),
    ("张伟", "class3_day"),
    ("刘洋", "class3_year"),
    ("陈静", "class3_total_open"),
    ("赵磊", "class3_total_overdue"),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def load_demo_accounts(rng: random.Random) -> dict:
    with transaction.atomic(), seal_at_end():  # the audit rows sealed once, at the end: the same chain
        if PersonalAccount.objects.exists():
            return {"created": False}
        manager = User.objects.filter(username="bj_cm1").first()
        if manager is None:
            return {"created": False, "reason": "load the customers demo first"}
        today = timezone.localdate()
        opened = date(today.year - 1, 1, 4)
        year_days = [date(today.year, 1, 2) + timedelta(days=n) for n in range(max(0, (today - date(today.year, 1, 2))
                                                                                 .days))]
        serial = iter(range(1, 10_000))

        def account(customer, tier, **kw):
            no = f"6217{customer.pk:06d}{next(serial):04d}"
            values = {"identity_check": "face_to_face", "channel": "counter"} if tier != "III" else {
                "identity_check": "five_elements", "channel": "online"}
            if tier != "I":
                values.update(bound_account_no=kw.pop("bound"), bound_kind="class1", bound_same_bank=True)
            values.update(kw)
            return services.account_open(actor=manager, customer_id=customer.pk, account_no=no, tier=tier,
                                         opened_on=opened, **values).account

        def post(acct, when, txn_type, amount):
            txn = services.parse_txn(txn_id=f"DEMO-{acct.account_no}-{next(serial):05d}", account_no=acct.account_no,
                                     posted_at=when, direction=DIRECTION_OF[txn_type], type=txn_type, amount=amount)
            services.transaction_post(actor=manager, txn=txn, mode="monitoring")

        people = {}
        for name, note in PEOPLE:

            people[note] = customer_create(actor=manager, kind="individual", name=name, id_number=make_resident_id(rng),
                                           phone="13900000000", address="北京市朝阳区建国路88号", org_code="BJ")
        # near the Class II day limits today
        p = people["class2_day"]
        one = account(p, "I")
        two = account(p, "II", bound=one.account_no)
        post(two, _at(today, 9), "inbound_nonbound", "6500.00")
        post(two, _at(today, 10), "cash_deposit", "3000.00")
        post(two, _at(today, 11), "consumption_payment", "9800.00")
        # near the Class II year limits
        p = people["class2_year"]
        one = account(p, "I")
        two = account(p, "II", bound=one.account_no)
        for day in year_days[-20:]:
            post(two, _at(day, 9), "inbound_nonbound", "9700.00")
            post(two, _at(day, 15), "outbound_nonbound", "9750.00")
        # near the Class III balance and day limits today
        p = people["class3_day"]
        one = account(p, "I")
        three = account(p, "III", bound=one.account_no)
        post(three, _at(today, 8), "inbound_nonbound", "1950.00")
        post(three, _at(today, 9), "consumption_payment", "1900.00")
        post(three, _at(today, 10), "inbound_nonbound", "1900.00")
        # near the Class III year out limit (and, two-way, past ¥50,000)
        p = people["class3_year"]
        one = account(p, "I")
        three = account(p, "III", bound=one.account_no)
        for day in year_days[-25:]:
            post(three, _at(day, 9), "bound_in", "1960.00")
            post(three, _at(day, 12), "consumption_payment", "1960.00")
        # past ¥50,000 across two Class III accounts: one task open, one overdue
        for note, start in (("class3_total_open", today - timedelta(days=3)),
                            ("class3_total_overdue", today - timedelta(days=20))):
            p = people[note]
            one = account(p, "I")
            accounts = [account(p, "III", bound=one.account_no), account(p, "III", bound=one.account_no)]
            for n in range(13):
                day = start - timedelta(days=12 - n)
                acct = accounts[n % 2]
                post(acct, _at(day, 9), "bound_in", "2000.00")
                post(acct, _at(day, 14), "consumption_payment", "2000.00")
        # a breach to show: a Class III cash deposit
        post(accounts[0], _at(today, 16), "cash_deposit", "100.00")
    return {"created": True, "people": len(PEOPLE), "accounts": PersonalAccount.objects.count()}
