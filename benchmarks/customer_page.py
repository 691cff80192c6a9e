"""Issue 18: the customer page ("where we stand" cards, activities and the first timeline page) for a
customer with 10,000 events, against the archive page alone.

``ours``: p95 of ``GET /customers/<id>/`` rendered in full by Django's test client (one round trip: every
card, the activity block and the first timeline page). ``baseline``: p95 of the same request with the
modules' cards, sections and timeline kinds unregistered, i.e. the archive page as it was before. The
customer has ``--size`` audit events (archive changes, activities, follow-ups, tickets' audit rows) among
``--others`` customers with 20 events each, so the indexes have to do their work. Target: p95 <= 150 ms.

    python benchmarks/customer_page.py --size small
    python benchmarks/customer_page.py --size full --db postgres
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from harness import emit, parser, percentile, setup_django, size_of


def main() -> None:
    p = parser(__doc__, small=2_000, full=10_000)
    p.add_argument("--others", type=int, default=2_000, help="other customers, 20 audit events each")
    p.add_argument("--requests", type=int, default=60, help="timed requests per variant (after 5 warm-ups)")
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)

    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from kehu.activities import services as activities
    from kehu.core import services as core_services
    from kehu.core.audit import audit_record
    from kehu.customers import overview
    from kehu.customers import services as customers
    from kehu.customers.events import CustomerEvent
    from kehu.customers.generators import make_company, make_uscc
    from kehu.helpdesk.events import HelpdeskEvent

    rng = random.Random(18)
    core_services.org_unit_create(code="HQ", name="总部", actor=None)
    core_services.org_unit_create(code="BJ", name="北京分公司", parent_code="HQ", actor=None)
    cm = core_services.user_create(username="bench_cm", org_code="BJ", roles=["customer_manager"],
                                   password="Bench-pass-2026", actor=None)

    def company() -> int:
        name, trade, _ = make_company(rng)
        return customers.customer_create(actor=cm, kind="enterprise", name=name, uscc=make_uscc(rng), industry=trade,
                                         region="北京", registered_capital_amount="10000000.00").pk

    codes = [CustomerEvent.CUSTOMER_UPDATED, CustomerEvent.CONTACT_ADDED, CustomerEvent.DOCUMENT_DOWNLOADED, HelpdeskEvent.TICKET_OPENED,
             HelpdeskEvent.TICKET_TRANSITION]
    t0 = time.perf_counter()
    for _ in range(args.others):
        other = company()
        with transaction.atomic():
            for _k in range(19):
                audit_record(actor=cm, event_code=rng.choice(codes), object_type="customer", object_id=other,
                             customer_id=other, reason="bench")
    target = company()
    now = timezone.now()
    activities_made = n // 10
    for i in range(activities_made):
        activities.activity_log(actor=cm, customer_id=target, kind="call", summary=f"电话 {i}",
                                occurred_at=now - timedelta(minutes=7 * i))
    with transaction.atomic():
        for _k in range(n - activities_made - 1):
            audit_record(actor=cm, event_code=rng.choice(codes), object_type="customer", object_id=target,
                         customer_id=target, reason="bench")
    setup_seconds = time.perf_counter() - t0

    client = Client()
    client.force_login(cm)
    path = f"/customers/{target}/"

    def p95(requests: int) -> float:
        for _ in range(5):
            assert client.get(path).status_code == 200
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        return percentile(samples, 95) * 1000

    full_html = client.get(path).content.decode()
    assert 'id="timeline"' in full_html and 'id="overview"' in full_html
    ours = p95(args.requests)
    saved = (dict(overview.CARDS), dict(overview.KINDS), dict(overview.SECTIONS))
    overview.CARDS.clear(), overview.KINDS.clear(), overview.SECTIONS.clear()
    try:
        assert 'id="card-contact"' not in client.get(path).content.decode()
        baseline = p95(args.requests)
    finally:
        overview.CARDS.update(saved[0]), overview.KINDS.update(saved[1]), overview.SECTIONS.update(saved[2])
    emit("customer_page_p95_ms", ours=ours, baseline=baseline, n=n, db=db, unit="ms", better="lower",
         others=args.others, setup_s=round(setup_seconds, 1), target_ms=150)


if __name__ == "__main__":
    main()
