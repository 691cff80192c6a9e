"""The CASE expressions generated from a policy score exactly like the Python reference (rules.score_customer):
cap at weight, band edges, knock-outs - evaluated by the real database for random raw values."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.grading import rules

CONFIG = rules.validate_policy(rules.default_policy(
    volume_full_amount=D("1000000.00"), weights={"volume": 30, "fulfilment": 25, "payment": 30, "operating": 15},
    bands=[["A", 90], ["B", 80], ["C", 70], ["D", 60]], fulfilment_floor=D("0.8")))

ratio = st.one_of(st.none(), st.decimals(min_value=0, max_value=D("1.2"), places=4))


def _sql_score(raws: dict, flags: dict) -> tuple:
    def lit(v):
        return "CAST(NULL AS NUMERIC)" if v is None else f"CAST({v} AS NUMERIC)"

    def b(v):
        return "TRUE" if v else "FALSE"

    r = (f"SELECT {lit(raws['volume'])} AS raw_volume, {lit(raws['fulfilment'])} AS raw_fulfilment, "
         f"{lit(raws['on_time'])} AS raw_on_time, {int(raws['overdue_days'])} AS raw_overdue_days, "
         f"{b(raws['licence_ok'])} AS raw_licence_ok, {b(flags['sued_for_unpaid_goods'])} AS raw_sued, "
         f"{b(raws['archive_complete'])} AS raw_archive_complete, {b(flags['disqualified'])} AS raw_disqualified")
    ind = {i["code"]: i for i in CONFIG["indicators"]}
    crank = rules.rank_sql("t.total", CONFIG)
    sql = (f"SELECT t.sv, t.sf, t.sp, t.so, t.total, {rules.letter_sql(crank)}, "
           f"{rules.letter_sql(f'(CASE WHEN t.caprank > {crank} THEN t.caprank ELSE {crank} END)')}, t.ko "
           f"FROM (SELECT s.*, s.sv + s.sf + s.sp + s.so AS total FROM (SELECT r.*, "
           + ", ".join(f"{rules.indicator_sql(ind[c])} AS s{c[0] if c != 'operating' else 'o'}"
                       for c in ("volume", "fulfilment", "payment"))
           + f", {rules.indicator_sql(ind['operating'])} AS so, {rules.cap_rank_sql(CONFIG)} AS caprank, "
           f"{rules.knockout_text_sql(CONFIG, ' || ')} AS ko FROM ({r}) r) s) t")
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(volume=st.decimals(min_value=0, max_value=3000000, places=2), fulfilment=ratio, on_time=ratio,
       overdue=st.integers(min_value=0, max_value=400), licence=st.booleans(), archive=st.booleans(),
       sued=st.booleans(), disq=st.booleans())
def test_sql_scores_like_the_reference(volume, fulfilment, on_time, overdue, licence, archive, sued, disq):
    raws = {"volume": volume, "fulfilment": fulfilment, "on_time": on_time, "overdue_days": overdue,
            "licence_ok": licence, "archive_complete": archive, "not_sued": D(0 if sued else 1)}
    flags = {"sued_for_unpaid_goods": sued, "disqualified": disq, "archive_incomplete": not archive}
    ref_raws = {**raws, "licence_ok": D(int(licence)), "archive_complete": D(int(archive)),
                "overdue_days": D(overdue)}
    ref = rules.score_customer(CONFIG, ref_raws, flags)
    sv, sf, sp, so, total, computed, grade, ko = _sql_score(raws, flags)
    got = [D(str(x)).quantize(D("0.01")) for x in (sv, sf, sp, so)]
    want = [ref["scores"][c] for c in rules.INDICATORS]
    # SQLite computes in binary floating point: allow a cent of rounding difference
    assert all(abs(g - w) <= D("0.01") for g, w in zip(got, want, strict=True)), (got, want)
    # the caps: no indicator above its weight
    weights = rules.policy_weights(CONFIG)
    assert all(D(0) <= g <= weights[c] for g, c in zip(got, rules.INDICATORS, strict=True))
    near_edge = any(abs(D(str(total)) - D(b)) <= D("0.02") for _, b in CONFIG["bands"])
    if not near_edge:
        assert (computed, grade) == (ref["computed"], ref["grade"])
    assert (ko or "") == ref["knockout"]
    if disq:
        assert grade == "E"
    elif sued:
        assert grade in "CDE"
    elif not archive:
        assert grade != "A"
