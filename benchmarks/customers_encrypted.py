"""P13: reading 1,000 customers with their encrypted personal fields, against the same read without
decryption, among 1 M customers.

``ours``: ``Customer.objects.filter(pk__in=ids)`` for 1,000 random ids, every row materialised with
its personal fields (ID number, phone, address, e-mail; AES-GCM) decrypted by ``EncryptedTextField``
— what a list, an export or a report pays. ``baseline``: the very same query and ORM work with the
field's decryption switched off (the ciphertext is handed over as it is). Target ratio <= 1.3.

    python benchmarks/customers_encrypted.py --size small
    python benchmarks/customers_encrypted.py --size full --db postgres --reuse
"""

from __future__ import annotations

import random

import customers_data
from harness import emit, median_time, parser, size_of


def main() -> None:
    p = parser(__doc__, small=20_000, full=1_000_000)
    p.add_argument("--rows", type=int, default=1000)
    customers_data.add_reuse(p)
    args = p.parse_args()
    n = size_of(args)
    db = customers_data.prepare(args, n)
    from kehu.core.crypto import PREFIX
    from kehu.core.fields import EncryptedTextField
    from kehu.customers.models import Customer

    rng = random.Random(31)
    # Individuals carry the most personal fields (ID number, phone, address); the read is of them.
    top = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    found: set[int] = set()
    while len(found) < args.rows:
        start = rng.randrange(1, top + 1)
        found.update(Customer.objects.filter(pk__gte=start, kind="individual").order_by("pk")
                     .values_list("pk", flat=True)[:50])
    ids = sorted(found)[: args.rows]

    def read() -> list:
        rows = list(Customer.objects.filter(pk__in=ids))
        assert len(rows) == len(ids)
        return [(c.id_number, c.phone, c.address, c.email) for c in rows]

    clear = read()
    assert all(row[0] and not row[0].startswith(PREFIX + ":") for row in clear), "personal fields were not decrypted"
    original = EncryptedTextField.from_db_value

    def plain_read() -> list:
        EncryptedTextField.from_db_value = lambda self, value, expression, connection: value
        try:
            return read()
        finally:
            EncryptedTextField.from_db_value = original

    assert plain_read()[0][0] != clear[0][0], "the baseline must not decrypt"
    decrypted = median_time(read, repeat=args.repeat * 3, warmup=2)
    plain = median_time(plain_read, repeat=args.repeat * 3, warmup=2)
    emit("P13_read_1000_customers_encrypted_vs_plain", ours=decrypted * 1000, baseline=plain * 1000, n=n, db=db,
         unit="ms", better="lower", target_ratio=1.3, rows=len(ids), fields_decrypted=3,
         per_row_us=round((decrypted - plain) / len(ids) * 1e6, 2))


if __name__ == "__main__":
    main()
