"""``kehu accounts ingest``: transactions from core banking, set-based.

1. The file is parsed and each row validated in Python (in ``workers`` processes if asked); bad rows go
   to the error file.
2. The good rows are loaded into a staging table (COPY on PostgreSQL, executemany on SQLite).
3. Everything else is SQL in one transaction: rows of unknown accounts, dated before the opening, repeated
   in the file or already ingested with other values are rejected; new rows are inserted; then for every
   account that got new rows the counters (running sums over the account's bucket per Shanghai day and per
   year, ordered by posted_at then txn_id), the Class III balance and the breaches are recomputed from all
   its transactions, and for every person with new Class III rows and no task yet the first transaction at
   which their two-way Class III total reached the (dated) threshold raises the remediation task.

Idempotent by txn_id: a row already ingested with the same values is skipped, so re-running a file changes
nothing. The run commits as a whole: a run killed at any point leaves nothing of itself, and running it
again gives the same counters, breaches and tasks as an uninterrupted run.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kehu.accounts import rules
from kehu.accounts.events import AccountsEvent
from kehu.accounts.models import IngestRun, RemediationTask
from kehu.accounts.params import limits_on
from kehu.bulk.readers import encoding_of
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.exports import safe_row
from kehu.core.models import RuleParameter
from kehu.core.params import REGISTRY

COLUMNS = ["txn_id", "account_no", "posted_at", "direction", "type", "amount"]
CHUNK_LINES = 50_000

# Reasons of rejected rows, by code (the error file gives each in Chinese and in English).
REASONS = {
    "columns": _("The row does not have the six columns txn_id, account_no, posted_at, direction, type, amount."),
    "txn_id": _("txn_id is missing or longer than 64 characters."),
    "account_no": _("account_no is missing or longer than 40 characters."),
    "posted_at": _("posted_at must be ISO 8601 with an offset, e.g. 2026-01-05T09:30:00+08:00."),
    "direction": _("direction must be in or out."),
    "type": _("type is not one of the transaction types."),
    "direction_mismatch": _("direction does not match the type."),
    "amount": _("amount must be a positive decimal with at most two decimals."),
    "duplicate_in_file": _("The same txn_id is on an earlier line of the file."),
    "unknown_account": _("No such account."),
    "before_opening": _("The transaction is dated before the account was opened."),
    "txn_conflict": _("This txn_id was already ingested with different values."),
}
REASON_HEADERS = ["错误原因", "error_reason"]
_SH_OFFSET = timedelta(hours=8)
_FAST_FROM = datetime(1992, 1, 1)  # noqa: DTZ001 (naive UTC, compared with naive UTC) Asia/Shanghai is UTC+8 without daylight saving since 1992
_MAX_FEN = 10**15


def parse_line(cells: list[str]) -> tuple | str:
    """A valid row as the staging tuple (txn_id, account_no, posted_at UTC, local_day, year, direction, type,
    fen), or the reason code."""
    if len(cells) != 6:
        return "columns"
    txn_id, account_no, posted, direction, txn_type, amount = (c.strip() for c in cells)
    if not txn_id or len(txn_id) > 64 or "\x00" in txn_id:
        return "txn_id"
    if not account_no or len(account_no) > 40 or "\x00" in account_no:
        return "account_no"
    try:
        moment = rules.parse_posted_at(posted)
    except ValueError:
        return "posted_at"
    if direction not in ("in", "out"):
        return "direction"
    expected = rules.DIRECTION_OF.get(txn_type)
    if expected is None:
        return "type"
    if expected != direction:
        return "direction_mismatch"
    whole, dot, frac = amount.partition(".")
    if not whole.isdigit() or not whole.isascii() or len(frac) > 2 or (dot and not (frac.isdigit() and frac.isascii())):
        return "amount"
    fen = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    if fen <= 0 or fen > _MAX_FEN:
        return "amount"
    utc = moment.replace(tzinfo=None) - moment.utcoffset()
    day = (utc + _SH_OFFSET).date() if utc >= _FAST_FROM else rules.local_day(moment)
    return (txn_id, account_no, utc, day, day.year, direction, txn_type, fen)


def _parse_chunk(chunk: list[tuple[int, list[str]]]) -> tuple[list[tuple], list[tuple[int, list[str], str]]]:
    good, bad = [], []
    for line, cells in chunk:
        parsed = parse_line(cells)
        if isinstance(parsed, str):
            bad.append((line, cells, parsed))
        else:
            good.append((line, *parsed))
    return good, bad


def _read(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding=encoding_of(path), newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise InvalidInput(_("The file is empty."), code="empty_file")
        if [h.strip().lower() for h in header] != COLUMNS:
            raise InvalidInput(_("The header must be: %(h)s.") % {"h": ",".join(COLUMNS)}, code="missing_columns")
        for number, row in enumerate(reader, start=2):
            if row and any(c.strip() for c in row):
                yield number, row


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


@dataclass
class Result:
    run: IngestRun
    rejected: list[tuple[int, str]] = field(default_factory=list)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest(path: Path, *, actor=None, workers: int = 1,
           progress: Callable[[str], None] | None = None) -> IngestRun:
    """Ingest a transactions CSV; return the run with its counts and error file."""
    path = Path(path)
    say = progress or (lambda _stage: None)
    rows = _read(path)
    pg = connection.vendor == "postgresql"
    bad: list[tuple[int, list[str], str]] = []
    total = 0
    if not pg and not connection.in_atomic_block:
        # A bigger page cache for the index inserts and window sorts of a large file; temp tables in memory.
        # SQLite refuses to change temp_store inside a transaction (a caller's, or a test's): then the
        # connection's settings stay as they are, which changes the speed, never the result.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute("PRAGMA temp_store = MEMORY")
    with transaction.atomic():
        _create_stage(pg)
        say("parse")
        fast = _copy_raw(path) if pg and _copyable(path) else None
        if fast is not None:
            total, good, bad = fast
            _load(pg, good)
        elif workers > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for good, rejected in pool.imap(_parse_chunk, _chunks(rows, CHUNK_LINES)):
                    total += len(good) + len(rejected)
                    bad += rejected
                    _load(pg, good)
        else:
            for chunk in _chunks(rows, CHUNK_LINES):
                good, rejected = _parse_chunk(chunk)
                total += len(good) + len(rejected)
                bad += rejected
                _load(pg, good)
        say("check")
        sql_rejected = _reject_in_sql(pg)
        say("insert")
        new, duplicate = _insert_new(pg)
        say("counters")
        breaches = _recompute(pg)
        say("triggers")
        tasks = _triggers(pg)
        run = IngestRun.objects.create(
            file_name=path.name[:255], file_hash=file_hash(path), rows_total=total, rows_new=new,
            rows_duplicate=duplicate, rows_rejected=len(bad) + len(sql_rejected), breaches=breaches,
            tasks_created=tasks)
        audit_record(actor=actor, event_code=AccountsEvent.TRANSACTIONS_INGESTED, object_type="ingest_run",
                     object_id=run.pk, new={"file": run.file_name, "sha256": run.file_hash, "rows": total,
                                            "new": new, "duplicate": duplicate, "rejected": run.rows_rejected,
                                            "breaches": breaches, "tasks": tasks})
        _drop_stage()
        if pg and new > 50_000:
            # Fresh statistics after a large load, so that the per-account lookups of gate checks and pages
            # keep their index plans.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE accounts_accounttransaction")
                cursor.execute("ANALYZE accounts_breach")
    if run.rows_rejected:
        run.error_file = str(_write_errors(path, run, bad, sql_rejected))
        run.save(update_fields=["error_file"])
    return run


# ------------------------------------------------------------------------------ PostgreSQL: COPY the file

_RAW = "c1, c2, c3, c4, c5, c6"
# A row the SQL converts itself: every cell in a form parse_line accepts and converts the same way (ASCII
# ids without spaces; ``YYYY-MM-DDTHH:MM:SS[.ffffff]`` with ``Z`` or ``±HH:MM`` in 1993-8999, where Shanghai
# is UTC+8; the direction of the type; up to 13 digits and 2 decimals, not zero). Any other row goes back to
# parse_line, which accepts it or gives the reason, so the result is the one the Python parse gives.
_TS = (r"^([0-9]{4})-(0[1-9]|1[0-2])-([0-2][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
       r"(\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$")
_FAST_ROW = rf"""
    c1 ~ '^[!-~]{{1,64}}$' AND c2 ~ '^[!-~]{{1,40}}$' AND c6 ~ '^[0-9]{{1,13}}(\.[0-9]{{1,2}})?$' AND c6 ~ '[1-9]'
    AND (c5, c4) IN ({", ".join(f"('{t}', '{d}')" for t, d in rules.DIRECTION_OF.items())})
    AND CASE WHEN c3 !~ '{_TS}' THEN false
             WHEN substr(c3, 1, 4)::int NOT BETWEEN 1993 AND 8999 THEN false
             WHEN substr(c3, 9, 2)::int <= 28 THEN true
             ELSE substr(c3, 9, 2)::int <= extract(day FROM make_date(substr(c3, 1, 4)::int,
                                                                      substr(c3, 6, 2)::int, 1)
                                                            + interval '1 month - 1 day') END"""


def _copyable(path: Path) -> bool:
    """Whether PostgreSQL's CSV reader reads the file exactly as Python's csv module does: UTF-8, no quotes
    (the two quote differently), no NUL and no line that is only ``\\.`` (COPY's end-of-data mark)."""
    if encoding_of(path) != "utf-8-sig":
        return False
    tail = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            data = tail + block
            if b'"' in data or b"\x00" in data or b"\n\\." in data or data.startswith(b"\\."):
                return False
            tail = data[-2:]
    return True


def _copy_raw(path: Path) -> tuple[int, list[tuple], list[tuple[int, list[str], str]]] | None:
    """COPY the file's cells into a table, convert the rows of the plain form into the staging table in
    SQL, and return the row count with the other rows parsed in Python (good ones to stage, bad ones with
    their reason). None if COPY refuses the file (a blank line, a row without six cells): then the caller
    parses it all in Python."""
    import psycopg  # PostgreSQL only

    next(_read(path), None)  # the header, checked as the Python parse checks it
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS acct_raw")
        cursor.execute("CREATE TEMP TABLE acct_raw (n bigint GENERATED ALWAYS AS IDENTITY, c1 text, c2 text, "
                       "c3 text, c4 text, c5 text, c6 text, fast boolean)")
        try:
            with transaction.atomic():  # a savepoint: a refused COPY leaves the run's transaction usable
                with cursor.cursor.copy(f"COPY acct_raw ({_RAW}) FROM STDIN WITH (FORMAT csv, HEADER true, "
                                        f"FORCE_NOT_NULL ({_RAW}), ENCODING 'UTF8')") as copy, \
                        path.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        copy.write(block)
        except (DatabaseError, psycopg.Error):
            cursor.execute("DROP TABLE IF EXISTS acct_raw")
            return None
        cursor.execute(f"UPDATE acct_raw SET fast = ({_FAST_ROW})")
        # Row n of the table is line n + 1 of the file (the header is line 1), as _read numbers them.
        cursor.execute(f"""
            INSERT INTO acct_stage ({STAGE_COLUMNS})
            SELECT n + 1, c1, c2, ts, (ts AT TIME ZONE 'UTC' + interval '8 hours')::date,
                   extract(year FROM ts AT TIME ZONE 'UTC' + interval '8 hours')::int, c4, c5,
                   (c6::numeric * 100)::bigint
            FROM (SELECT n, c1, c2, c3::timestamptz AS ts, c4, c5, c6 FROM acct_raw WHERE fast) r""")
        cursor.execute("SELECT n + 1, c1, c2, c3, c4, c5, c6 FROM acct_raw WHERE NOT fast ORDER BY n")
        slow = [(line, list(cells)) for line, *cells in cursor.fetchall()]
        cursor.execute("SELECT COUNT(*) FROM acct_raw WHERE fast")
        total = cursor.fetchone()[0]
        cursor.execute("DROP TABLE acct_raw")
    slow = [(line, cells) for line, cells in slow if any(c.strip() for c in cells)]  # _read skips these
    good, bad = _parse_chunk(slow)
    return total + len(slow), good, bad


# --------------------------------------------------------------------------------------------- staging

STAGE_COLUMNS = "line, txn_id, account_no, posted_at, local_day, local_year, direction, type, amount_fen"


def _create_stage(pg: bool) -> None:
    ts = "timestamptz" if pg else "datetime"
    collate = ' COLLATE "C"' if pg else ""
    with connection.cursor() as cursor:
        for name in ("acct_stage", "acct_limits", "acct_affected", "acct_persons", "acct_win", "acct_rejected"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE acct_stage (line integer NOT NULL, txn_id varchar(64){collate} NOT NULL, "
                       f"account_no varchar(40) NOT NULL, posted_at {ts} NOT NULL, local_day date NOT NULL, "
                       "local_year integer NOT NULL, direction varchar(3) NOT NULL, type varchar(24) NOT NULL, "
                       "amount_fen bigint NOT NULL)")
        cursor.execute("CREATE TEMP TABLE acct_rejected (line integer NOT NULL, reason varchar(32) NOT NULL)")


def _drop_stage() -> None:
    with connection.cursor() as cursor:
        for name in ("acct_stage", "acct_limits", "acct_affected", "acct_persons", "acct_win", "acct_rejected"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _load(pg: bool, good: list[tuple]) -> None:
    if not good:
        return
    with connection.cursor() as cursor:
        if pg:
            # One text block per chunk: COPY's text format, built here, is several times faster than
            # handing psycopg each row to adapt.
            lines = []
            for line, txn_id, account_no, utc, day, year, direction, txn_type, fen in good:
                lines.append(f"{line}\t{_copy_text(txn_id)}\t{_copy_text(account_no)}\t{utc}+00\t{day}\t{year}\t"
                             f"{direction}\t{txn_type}\t{fen}\n")
            with cursor.cursor.copy(f"COPY acct_stage ({STAGE_COLUMNS}) FROM STDIN") as copy:
                copy.write("".join(lines))
        else:
            cursor.executemany(
                f"INSERT INTO acct_stage ({STAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)".replace("?", "%s"),
                [(r[0], r[1], r[2], str(r[3]), r[4].isoformat(), *r[5:]) for r in good])


def _copy_text(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _reject_in_sql(pg: bool) -> list[tuple[int, str]]:
    """Mark rows no parse can see: repeated txn_id, unknown account, before the opening, conflicting with a
    transaction already ingested. Returns (line, reason) and removes them from the staging table."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX acct_stage_txn ON acct_stage (txn_id, line)")
        cursor.execute("""
            INSERT INTO acct_rejected (line, reason)
            SELECT s.line, 'duplicate_in_file' FROM acct_stage s
            WHERE EXISTS (SELECT 1 FROM acct_stage e WHERE e.txn_id = s.txn_id AND e.line < s.line)""")
        cursor.execute("""
            INSERT INTO acct_rejected (line, reason)
            SELECT s.line, CASE WHEN a.id IS NULL THEN 'unknown_account' ELSE 'before_opening' END
            FROM acct_stage s LEFT JOIN accounts_personalaccount a ON a.account_no = s.account_no
            WHERE (a.id IS NULL OR s.local_day < a.opened_on)
              AND NOT EXISTS (SELECT 1 FROM acct_rejected r WHERE r.line = s.line)""")
        cursor.execute("""
            INSERT INTO acct_rejected (line, reason)
            SELECT s.line, 'txn_conflict' FROM acct_stage s
            JOIN accounts_accounttransaction t ON t.txn_id = s.txn_id
            JOIN accounts_personalaccount a ON a.account_no = s.account_no
            WHERE (t.account_id <> a.id OR t.posted_at <> s.posted_at OR t.direction <> s.direction
                   OR t.type <> s.type OR t.amount_fen <> s.amount_fen)
              AND NOT EXISTS (SELECT 1 FROM acct_rejected r WHERE r.line = s.line)""")
        cursor.execute("SELECT line, reason FROM acct_rejected ORDER BY line")
        rejected = [(line, reason) for line, reason in cursor.fetchall()]
        if rejected:
            cursor.execute("DELETE FROM acct_stage WHERE line IN (SELECT line FROM acct_rejected)")
    return rejected


def _bucket_sql() -> str:
    cases = []
    for tier, types in rules.BUCKETS.items():
        for txn_type, bucket in types.items():
            cases.append(f"WHEN a.tier = '{tier}' AND s.type = '{txn_type}' THEN '{bucket}'")
    return "CASE " + " ".join(cases) + " ELSE '' END"


def _insert_new(pg: bool) -> tuple[int, int]:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM acct_stage")
        staged = cursor.fetchone()[0]
        # The accounts in the file: their counters, balances and breaches are recomputed (if anything is new;
        # a file ingested before changes nothing and is not recomputed).
        cursor.execute("""CREATE TEMP TABLE acct_affected AS
            SELECT a.id AS account_id, a.tier, a.customer_id FROM accounts_personalaccount a
            WHERE a.account_no IN (SELECT account_no FROM acct_stage)""")
        cursor.execute("CREATE UNIQUE INDEX acct_affected_pk ON acct_affected (account_id)")
        cursor.execute(f"""
            INSERT INTO accounts_accounttransaction (txn_id, account_id, customer_id_copy, tier, posted_at, local_day,
                local_year, direction, type, amount_fen, bucket, created_at)
            SELECT s.txn_id, a.id, a.customer_id, a.tier, s.posted_at, s.local_day, s.local_year, s.direction, s.type,
                   s.amount_fen, {_bucket_sql()}, %s
            FROM acct_stage s JOIN accounts_personalaccount a ON a.account_no = s.account_no
            WHERE NOT EXISTS (SELECT 1 FROM accounts_accounttransaction t WHERE t.txn_id = s.txn_id)
            ORDER BY a.id, s.posted_at, s.txn_id""", [now])
        new = cursor.rowcount
        if not new:
            cursor.execute("DELETE FROM acct_affected")
    return new, staged - new


def _limits_table(pg: bool) -> None:
    """One row per Shanghai day of the affected accounts' transactions: the limits in force that day
    (dated parameters), the trigger threshold and the days a task is given."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT MIN(t.local_day), MAX(t.local_day) FROM accounts_accounttransaction t
                          WHERE t.account_id IN (SELECT account_id FROM acct_affected)""")
        low, high = cursor.fetchone()
        cursor.execute("CREATE TEMP TABLE acct_limits (day date PRIMARY KEY, c2_in_day bigint, c2_in_year bigint, "
                       "c2_out_day bigint, c2_out_year bigint, c3_balance bigint, c3_in_day bigint, "
                       "c3_in_year bigint, c3_out_day bigint, c3_out_year bigint, trigger_fen bigint, "
                       "due_days integer)")
        if low is None:
            return
        if isinstance(low, str):
            low, high = date.fromisoformat(low), date.fromisoformat(high)
        days = [low + timedelta(days=n) for n in range((high - low).days + 1)]
        limits = limits_on(days)
        trig = _dated_values("acct.class3_kyc_trigger_cumulative", days)
        due = _dated_values("acct.class3_kyc_due_days", days)
        rows = []
        for d in days:
            li = limits[d]
            rows.append((d.isoformat() if not pg else d, li.class2_in_day, li.class2_in_year, li.class2_out_day,
                         li.class2_out_year, li.class3_balance, li.class3_in_day, li.class3_in_year, li.class3_out_day,
                         li.class3_out_year, rules.amount_to_fen(str(trig[d])), int(due[d])))
        cursor.executemany("INSERT INTO acct_limits VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)


def _dated_values(code: str, days: list[date]) -> dict[date, object]:
    rows = list(RuleParameter.objects.filter(code=code, status=RuleParameter.Status.APPROVED)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=days[0]))
                .order_by("-effective_from", "-approved_at"))
    out = {}
    for d in days:
        out[d] = next((r.value for r in rows if r.effective_from <= d and (r.effective_to is None or
                                                                          r.effective_to >= d)),
                      REGISTRY[code].default)
    return out


def _recompute(pg: bool) -> int:
    """Counters, balances and breaches of the affected accounts, from all their transactions."""
    _limits_table(pg)
    order = 'posted_at, txn_id COLLATE "C"' if pg else "posted_at, txn_id"
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_breach WHERE account_id IN (SELECT account_id FROM acct_affected)")
        # Running sums per bucket and Shanghai day / year, and the Class III running balance.
        cursor.execute(f"""CREATE TEMP TABLE acct_win AS
            SELECT t.id, t.account_id, t.tier, t.bucket, t.direction, t.local_day,
                   SUM(t.amount_fen) OVER (PARTITION BY t.account_id, t.bucket, t.local_day ORDER BY {order}
                                           ROWS UNBOUNDED PRECEDING) AS day_used,
                   SUM(t.amount_fen) OVER (PARTITION BY t.account_id, t.bucket, t.local_year ORDER BY {order}
                                           ROWS UNBOUNDED PRECEDING) AS year_used
            FROM accounts_accounttransaction t
            WHERE t.bucket <> '' AND t.account_id IN (SELECT account_id FROM acct_affected)""")
        limit = """CASE w.tier || w.bucket WHEN 'IIin' THEN l.c2_in_{p} WHEN 'IIout' THEN l.c2_out_{p}
                   WHEN 'IIIin' THEN l.c3_in_{p} ELSE l.c3_out_{p} END"""
        for period in ("day", "year"):
            cursor.execute(f"""INSERT INTO accounts_breach (txn_id, account_id, rule, local_day)
                SELECT w.id, w.account_id,
                       CASE WHEN w.tier = 'II' THEN 'class2_' ELSE 'class3_' END || w.bucket || '_{period}', w.local_day
                FROM acct_win w JOIN acct_limits l ON l.day = w.local_day
                WHERE w.{period}_used > {limit.format(p=period)}""")
        cursor.execute("""INSERT INTO accounts_breach (txn_id, account_id, rule, local_day)
            SELECT t.id, t.account_id,
                   CASE WHEN t.tier = 'II' THEN 'class2_cash_without_f2f' ELSE 'class3_cash' END, t.local_day
            FROM accounts_accounttransaction t JOIN accounts_personalaccount a ON a.id = t.account_id
            WHERE t.type IN ('cash_deposit', 'cash_withdrawal')
              AND t.account_id IN (SELECT account_id FROM acct_affected WHERE tier IN ('II', 'III'))
              AND (t.tier = 'III' OR a.identity_check <> 'face_to_face')""")
        cursor.execute(f"""INSERT INTO accounts_breach (txn_id, account_id, rule, local_day)
            SELECT b.id, b.account_id, 'class3_balance', b.local_day FROM (
                SELECT t.id, t.account_id, t.local_day, t.direction,
                       SUM(CASE WHEN t.direction = 'in' THEN t.amount_fen ELSE -t.amount_fen END)
                           OVER (PARTITION BY t.account_id ORDER BY {order} ROWS UNBOUNDED PRECEDING) AS balance
                FROM accounts_accounttransaction t
                WHERE t.account_id IN (SELECT account_id FROM acct_affected WHERE tier = 'III')) b
            JOIN acct_limits l ON l.day = b.local_day
            WHERE b.direction = 'in' AND b.balance > l.c3_balance""")
        cursor.execute("""UPDATE accounts_personalaccount SET balance_fen = COALESCE((
                SELECT SUM(CASE WHEN t.direction = 'in' THEN t.amount_fen ELSE -t.amount_fen END)
                FROM accounts_accounttransaction t WHERE t.account_id = accounts_personalaccount.id), 0)
            WHERE id IN (SELECT account_id FROM acct_affected WHERE tier = 'III')""")
        cursor.execute("SELECT COUNT(*) FROM accounts_breach WHERE account_id IN (SELECT account_id FROM acct_affected)")
        return cursor.fetchone()[0]


def _triggers(pg: bool) -> int:
    """16号 一(五): for each person with new Class III rows and no task, the first transaction at which
    their two-way total across all their Class III accounts reached the threshold."""
    order = 'posted_at, txn_id COLLATE "C"' if pg else "posted_at, txn_id"
    with connection.cursor() as cursor:
        cursor.execute("""CREATE TEMP TABLE acct_persons AS
            SELECT DISTINCT f.customer_id FROM acct_affected f WHERE f.tier = 'III'
              AND NOT EXISTS (SELECT 1 FROM accounts_remediationtask r WHERE r.customer_id = f.customer_id)""")
        cursor.execute(f"""
            SELECT h.customer_id_copy, h.id, h.local_day, h.total, h.due_days FROM (
                SELECT c.customer_id_copy, c.id, c.local_day, c.total, l.due_days,
                       ROW_NUMBER() OVER (PARTITION BY c.customer_id_copy ORDER BY {order.replace('posted_at', 'c.posted_at').replace('txn_id', 'c.txn_id')}) AS rn
                FROM (SELECT t.customer_id_copy, t.id, t.txn_id, t.posted_at, t.local_day,
                             SUM(t.amount_fen) OVER (PARTITION BY t.customer_id_copy ORDER BY {order}
                                                     ROWS UNBOUNDED PRECEDING) AS total
                      FROM accounts_accounttransaction t
                      WHERE t.tier = 'III' AND t.customer_id_copy IN (SELECT customer_id FROM acct_persons)) c
                JOIN acct_limits l ON l.day = c.local_day
                WHERE c.total >= l.trigger_fen) h
            WHERE h.rn = 1""")
        hits = cursor.fetchall()
    tasks = []
    for customer_id, txn_pk, day, total, due_days in hits:
        day = date.fromisoformat(day) if isinstance(day, str) else day
        tasks.append(RemediationTask(customer_id=customer_id, trigger_txn_id=txn_pk, trigger_date=day,
                                     total_fen=total, due_date=rules.due_date(day, int(due_days))))
    RemediationTask.objects.bulk_create(tasks, batch_size=5000)
    return len(tasks)


def class3_sweep() -> int:
    """The nightly pass of ``accounts.class3_cumulative`` (domain spec Appendix B, A-5): the same trigger
    search as the ingest's, over every person with Class III accounts and no task yet. Postings and the
    ingest raise tasks as they go; this catches what they could not see, e.g. a lower threshold approved
    with an earlier effective date. Returns the number of tasks created."""
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in ("acct_limits", "acct_affected", "acct_persons"):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute("""CREATE TEMP TABLE acct_affected AS
                SELECT a.id AS account_id, a.tier, a.customer_id FROM accounts_personalaccount a
                WHERE a.tier = 'III'
                  AND NOT EXISTS (SELECT 1 FROM accounts_remediationtask r WHERE r.customer_id = a.customer_id)""")
        last = RemediationTask.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        _limits_table(pg)
        created = _triggers(pg)
        _drop_stage()
        if created:
            for task in RemediationTask.objects.filter(pk__gt=last).order_by("pk")[:created]:
                audit_record(actor=None, event_code=AccountsEvent.REMEDIATION_CREATED, object_type="remediation_task",
                             object_id=task.pk, customer_id=task.customer_id,
                             new={"trigger_date": task.trigger_date.isoformat(), "due_date": task.due_date.isoformat(),
                                  "total_fen": task.total_fen, "by": "accounts.class3_cumulative"})
    return created


# --------------------------------------------------------------------------------------------- errors


def error_dir() -> Path:
    path = Path(settings.KEHU_HOME) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_errors(path: Path, run: IngestRun, bad: list[tuple[int, list[str], str]],
                  sql_rejected: list[tuple[int, str]]) -> Path:
    """The rejected rows with their original cells and the reason in Chinese and English (UTF-8 with BOM)."""
    texts = {}
    for code, message in REASONS.items():
        with translation.override("zh-hans"):
            zh = str(message)
        with translation.override("en"):
            en = str(message)
        texts[code] = (f"{zh} [{code}]", f"{en} [{code}]")
    by_line: dict[int, tuple[list[str], str]] = {line: (cells, code) for line, cells, code in bad}
    wanted = dict(sql_rejected)
    if wanted:
        for line, cells in _read(path):
            if line in wanted:
                by_line[line] = (cells, wanted[line])
    out = error_dir() / f"accounts-ingest-{run.pk}-errors.csv"
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*COLUMNS, *REASON_HEADERS])
        for line in sorted(by_line):
            cells, code = by_line[line]
            writer.writerow(safe_row([*(cells + [""] * 6)[:6], *texts[code]]))
    return out


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


