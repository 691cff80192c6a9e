"""P10: customer search by Chinese name, pinyin and initials at 1 M customers, against a lookup by id.

Both go through the REST API in process (Django test client, Bearer token, the full middleware,
django-ninja, scope and masking), as a branch customer manager who sees a third of the customers.
Search texts are drawn from the data: 3-4 character substrings of real names, full pinyin of a
name part, initials prefixes, credit-code prefixes; two-character name substrings (below the
trigram length, see docs/search.md) and a text that nearly every name contains (有限公司) are
reported as their own metrics. ``ours`` is the p95 of a
search (first page, 20 rows), ``baseline`` the p95 of ``GET /customers/{id}``; target ratio <= 3.

    python benchmarks/customers_search.py --size small
    python benchmarks/customers_search.py --size full --db postgres --reuse
"""

from __future__ import annotations

import random
import time
from urllib.parse import quote

import customers_data
from harness import emit, parser, percentile, size_of


def main() -> None:
    p = parser(__doc__, small=20_000, full=1_000_000)
    p.add_argument("--requests", type=int, default=400, help="timed requests per kind of query")
    customers_data.add_reuse(p)
    args = p.parse_args()
    n = size_of(args)
    db = customers_data.prepare(args, n)
    from django.db import connection
    from django.test import Client

    from kehu.core.models import User
    from kehu.core.selectors import access_for
    from kehu.core.services import token_create
    from kehu.customers.generators import SUFFIXES
    from kehu.customers.models import Customer
    from kehu.customers.permissions import CustomerPerm

    if db == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.get(username="bench_bj")
    token = token_create(user=user, actor=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    scope = access_for(user).scope_q(CustomerPerm.CUSTOMER_VIEW, org_path_field="org_path", owner_field="manager_id")
    rng = random.Random(17)
    top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    sample = []
    while len(sample) < 300:
        row = (Customer.objects.filter(scope, pk__gte=rng.randrange(1, top + 1))
               .values("pk", "name", "name_pinyin", "name_initials", "uscc", "kind").order_by("pk").first())
        if row:
            sample.append(row)

    def name_sub(row, size):
        # Nobody looks a customer up by its legal form: search in the name without 有限公司 etc.
        name = row["name"]
        for suffix in sorted(SUFFIXES, key=len, reverse=True):
            if name.endswith(suffix) and len(name) - len(suffix) >= size:
                name = name[: -len(suffix)]
                break
        start = rng.randrange(0, max(1, len(name) - size + 1))
        return name[start:start + size]

    def kinds():
        return {
            "name_substring": lambda r: name_sub(r, rng.choice([3, 4])),
            "pinyin": lambda r: r["name_pinyin"][: rng.choice([6, 8, 10])],
            "initials": lambda r: r["name_initials"][: rng.choice([3, 4])],
            "uscc_prefix": lambda r: (r["uscc"] or "9111")[: rng.choice([6, 8, 10])],
            "name_2chars": lambda r: name_sub(r, 2),
        }

    def timed(path: str) -> float:
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{path} -> {response.status_code} {response.content[:200]!r}")
        return elapsed

    ids = [r["pk"] for r in sample]
    for pk in ids[:20]:  # warm-up
        timed(f"/api/v1/customers/{pk}")
    lookups = [timed(f"/api/v1/customers/{rng.choice(ids)}") for _ in range(args.requests)]
    lookup_p95 = percentile(lookups, 95)
    emit("customer_lookup_p95", ours=lookup_p95 * 1000, baseline=lookup_p95 * 1000, n=n, db=db, unit="ms",
         better="lower", p50=round(percentile(lookups, 50) * 1000, 3))
    everything = []
    for kind, make in kinds().items():
        texts = [make(rng.choice(sample)) for _ in range(args.requests)]
        for text in texts[:10]:
            timed(f"/api/v1/customers?q={quote(text)}&limit=20")
        samples = [timed(f"/api/v1/customers?q={quote(text)}&limit=20") for text in texts]
        if kind != "name_2chars":
            everything += samples
        emit(f"customer_search_{kind}_p95_vs_lookup_p95", ours=percentile(samples, 95) * 1000,
             baseline=lookup_p95 * 1000, n=n, db=db, unit="ms", better="lower",
             p50=round(percentile(samples, 50) * 1000, 3), max=round(max(samples) * 1000, 3),
             examples=texts[:3])
    emit("P10_customer_search_p95_vs_lookup_p95", ours=percentile(everything, 95) * 1000,
         baseline=lookup_p95 * 1000, n=n, db=db, unit="ms", better="lower", target_ratio=3,
         p50=round(percentile(everything, 50) * 1000, 3), requests=len(everything),
         kinds="name 3-4 chars, pinyin, initials, credit-code prefix")
    # The worst case, reported on its own: a text that most names contain. Such a search still
    # returns its first page, but the index hands over every match (docs/search.md).
    common = []
    for text in ("有限公司", "youxian", "yxgs"):
        common += [timed(f"/api/v1/customers?q={quote(text)}&limit=20") for _ in range(5)]
    emit("customer_search_common_term_p95_vs_lookup_p95", ours=percentile(common, 95) * 1000,
         baseline=lookup_p95 * 1000, n=n, db=db, unit="ms", better="lower",
         p50=round(percentile(common, 50) * 1000, 3), examples=["有限公司", "youxian", "yxgs"])
    texts = [name_sub(rng.choice(sample), 3) for _ in range(args.requests // 2)]
    counted = [timed(f"/api/v1/customers?q={quote(t)}&limit=20&count=true") for t in texts]
    emit("customer_search_with_capped_count_p95_vs_lookup_p95", ours=percentile(counted, 95) * 1000,
         baseline=lookup_p95 * 1000, n=n, db=db, unit="ms", better="lower",
         p50=round(percentile(counted, 50) * 1000, 3))


if __name__ == "__main__":
    main()
