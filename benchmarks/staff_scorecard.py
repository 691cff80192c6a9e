"""The monthly staff scorecards (domain spec P-3, P-5; Appendix B ``staff.scorecard``) for N employees.

Builds N service agents, five tickets each closed in the month (about one in ten breached, one in ten
escalated, one in twenty reopened), two survey answers about each, the manager's marks for all, then
times one full ``scorecards_compute`` (grouped queries, N cards explained per indicator and written,
interviews opened), rolled back after each repetition, and its reading half alone. Baseline: a plain SQL aggregate of the same rows —
per employee, tickets closed, breached and resolved at first contact (the same EXISTS on breaches and
reopen events), answers and satisfied answers, and the marks — read and discarded. The benchmark also
checks that both agree employee by employee.

    python benchmarks/staff_scorecard.py --size small
    python benchmarks/staff_scorecard.py --size full          # 10,000 employees
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from harness import emit, median_time, parser, setup_django, size_of

SH = ZoneInfo("Asia/Shanghai")
PERIOD = date(2026, 10, 1)


class _Rollback(Exception):
    pass


def build(n: int, rng: random.Random) -> None:
    import credit_data
    from django.db import transaction

    from kehu.core.audit import audit_record
    from kehu.core.models import OrgUnit, RoleAssignment, User
    from kehu.customers.models import Customer
    from kehu.helpdesk.events import HelpdeskEvent
    from kehu.helpdesk.models import SlaBreach, Ticket
    from kehu.outbox.models import SignedLink
    from kehu.staff.models import ManagerMark
    from kehu.surveys.models import Answer, Invitation, SurveyTemplate

    credit_data.build(50)
    boss = User.objects.get(username="bench_cm")
    unit = OrgUnit.objects.get(code="BJ")
    customers = list(Customer.objects.values_list("pk", "org_path"))
    template = SurveyTemplate.objects.get(code="visit")
    start = datetime(2026, 10, 1, 9, 0, tzinfo=SH)
    batch = 1000
    for first in range(0, n, batch):
        size = min(batch, n - first)
        with transaction.atomic():
            users = User.objects.bulk_create([User(username=f"agent{first + i:06d}", password="!", org_unit=unit)
                                              for i in range(size)])
            RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role="service_agent", org_unit=unit)
                                                for u in users])
            tickets = []
            for u in users:
                for _ in range(5):
                    cid, path = rng.choice(customers)
                    closed = start + timedelta(days=rng.uniform(0, 29))
                    tickets.append(Ticket(kind="complaint", customer_id=cid, org_path=path, subject="bench",
                                          created_by=boss, handler=u, received_at=closed - timedelta(days=2),
                                          state="closed", closed_at=closed,
                                          escalated_at=closed if rng.random() < 0.1 else None))
            tickets = Ticket.objects.bulk_create(tickets)
            SlaBreach.objects.bulk_create([SlaBreach(ticket=t, handler=t.handler, clock="resolution",
                                                     due_at=t.closed_at, recorded_at=t.closed_at)
                                           for t in tickets if rng.random() < 0.1])
            for t in tickets:
                if rng.random() < 0.05:
                    audit_record(actor=None, event_code=HelpdeskEvent.TICKET_REOPENED, object_type="helpdesk.ticket",
                                 object_id=t.pk)
            links = SignedLink.objects.bulk_create([
                SignedLink(purpose="survey", target_type="bench", target_id=f"{u.pk}:{k}",
                           nonce_hash=f"{u.pk:032x}{k:032x}", expires_at=start + timedelta(days=60), created_at=start)
                for u in users for k in range(2)])
            invitations = Invitation.objects.bulk_create([
                Invitation(source_key=f"bench:{link.target_id}", template=template, trigger="visit",
                           org_path=unit.path, staff_user_id=int(link.target_id.split(":")[0]), link=link,
                           sent_at=start, expires_at=link.expires_at) for link in links])
            Answer.objects.bulk_create([
                Answer(invitation=inv, answered_at=start + timedelta(days=rng.uniform(1, 28)),
                       answers={"overall": s}, overall=s, lowest=s)
                for inv in invitations for s in [rng.choice([1, 2, 3, 4, 4, 5, 5, 5])]])
            ManagerMark.objects.bulk_create([
                ManagerMark(user=u, period=PERIOD, attitude=rng.randint(50, 100), process=rng.randint(50, 100),
                            security_violations=1 if rng.random() < 0.05 else 0, training_done=rng.random() < 0.95,
                            by=boss, marked_at=start + timedelta(days=32)) for u in users])


def main() -> None:
    p = parser(__doc__, small=1000, full=10_000)
    args = p.parse_args()
    n = size_of(args)
    db = setup_django(args)
    from django.db import connection, transaction

    from kehu.staff.models import Scorecard
    from kehu.staff.services import scorecards_compute

    build(n, random.Random(11))
    now = datetime(2026, 11, 6, 9, 0, tzinfo=SH)
    lo, hi = datetime(2026, 10, 1, tzinfo=SH), datetime(2026, 11, 1, tzinfo=SH)
    summary, ours_rows = {}, {}

    def ours():
        try:
            with transaction.atomic():
                summary.update(scorecards_compute(period="2026-10", now=now))
                for uid, detail in Scorecard.objects.filter(period=PERIOD).values_list("user_id", "detail"):
                    q = detail["quality"]["parts"]
                    ours_rows[uid] = (q["sla"]["of"], q["sla"]["of"] - q["sla"]["met"], q["fcr"]["first_contact"],
                                      q["csat"]["of"], q["csat"]["satisfied"])
                raise _Rollback
        except _Rollback:
            pass

    text = "TEXT" if connection.vendor == "sqlite" else "VARCHAR"
    base_rows: dict[int, list] = {}

    def baseline():
        with connection.cursor() as cur:
            cur.execute(f"""
                SELECT t.handler_id, COUNT(*),
                       SUM(CASE WHEN EXISTS (SELECT 1 FROM helpdesk_slabreach b WHERE b.ticket_id = t.id) THEN 1 ELSE 0 END),
                       SUM(CASE WHEN t.escalated_at IS NULL AND NOT EXISTS (
                               SELECT 1 FROM core_auditevent a WHERE a.object_type = 'helpdesk.ticket'
                               AND a.event_code = 6505 AND a.object_id = CAST(t.id AS {text})) THEN 1 ELSE 0 END)
                FROM helpdesk_ticket t
                WHERE t.handler_id IS NOT NULL AND t.closed_at >= %s AND t.closed_at < %s
                GROUP BY t.handler_id""", [lo, hi])
            for uid, count, breached, fcr in cur.fetchall():
                base_rows[uid] = [count, breached, fcr, 0, 0]
            cur.execute("""
                SELECT i.staff_user_id, COUNT(*), SUM(CASE WHEN a.overall >= 4 THEN 1 ELSE 0 END)
                FROM surveys_answer a JOIN surveys_invitation i ON i.id = a.invitation_id
                WHERE i.staff_user_id IS NOT NULL AND a.answered_at >= %s AND a.answered_at < %s
                GROUP BY i.staff_user_id""", [lo, hi])
            for uid, count, satisfied in cur.fetchall():
                row = base_rows.setdefault(uid, [0, 0, 0, 0, 0])
                row[3], row[4] = count, satisfied
            cur.execute("SELECT user_id, attitude, process, security_violations, training_done "
                        "FROM staff_managermark WHERE period = %s", [PERIOD])
            cur.fetchall()

    def ours_read():
        # the reading half of scorecards_compute alone: its grouped queries and the marks
        from kehu.staff.models import ManagerMark, SelfAssessment
        from kehu.staff.services import quality_facts

        quality_facts(PERIOD)
        list(ManagerMark.objects.filter(period=PERIOD))
        list(SelfAssessment.objects.filter(period=PERIOD))

    ours_s = median_time(ours, repeat=args.repeat)
    read_s = median_time(ours_read, repeat=args.repeat)
    base_s = median_time(baseline, repeat=args.repeat)
    agree = all(tuple(int(x or 0) for x in base_rows.get(uid, [0] * 5)) == row for uid, row in ours_rows.items()) \
        and len(ours_rows) == n
    emit("staff_scorecard_month_seconds", ours=ours_s, baseline=base_s, n=n, db=db, unit="s", better="lower",
         scored=summary.get("scored"), complete=summary.get("complete"), improvement=summary.get("improvement"),
         commendation=summary.get("commendation"), agree=agree)
    emit("staff_scorecard_aggregate_seconds", ours=read_s, baseline=base_s, n=n, db=db, unit="s", better="lower",
         note="the grouped reads of scorecards_compute without building and writing the cards")
    emit("staff_scorecards_per_second", ours=n / ours_s, baseline=n / base_s, n=n, db=db, unit="employees/s",
         better="higher", agree=agree)


if __name__ == "__main__":
    main()
