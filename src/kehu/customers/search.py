"""How a customer search text becomes an indexed filter, per database (docs/search.md).

``customer_search`` (selectors) reads the query with ``rules.classify_query`` and asks this module for
the filter. Each filter is written so that the database answers it from an index:

* SQLite: a substring of three or more characters (Chinese name, full pinyin, initials) goes through
  the FTS5 trigram table ``customers_customer_fts`` (migration 0003) as ``id IN (SELECT rowid ...
  MATCH ...)``. Shorter texts cannot be served by trigrams: one or two letters match the pinyin and
  initials by prefix (a btree range), one or two Chinese characters fall back to ``LIKE`` on the
  name, which stops as soon as a page is full but scans for rare ones (measured in docs/search.md).
* PostgreSQL: ``LIKE '%q%'`` on name / pinyin / initials, which the pg_trgm GIN indexes of
  migration 0002 serve for three characters or more; the same prefix ranges for shorter texts.
* Both: a credit-code prefix is a range on the unique ``uscc`` btree (``uscc >= q AND uscc < q||U+FFFF``,
  which, unlike ``LIKE 'q%'``, SQLite can answer from an index whatever ``case_sensitive_like`` says),
  and a resident ID number is an equality on the blind-index column ``id_number_hash``.

Scope is a plain ``org_path LIKE 'path%'`` (and ``manager_id = me``) filter on top: it narrows what the
index found and never replaces the index as the access path (tests/bulk/test_search_plans.py).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from kehu.customers import rules
from kehu.customers.blind_index import id_number_filter

FTS_TABLE = "customers_customer_fts"
# A trigram index can only answer texts of at least this many characters (SQLite FTS5 ``trigram``
# tokenizer and PostgreSQL pg_trgm alike).
TRIGRAM_MIN = 3
# Counting stops here: a list says "10,000+" rather than counting a million rows for every page.
COUNT_CAP = 10_000
# The picker (search-as-you-type in forms) returns at most this many rows.
PICKER_LIMIT_MAX = 20
_TOP = "\uffff"
# The first 8 characters of a credit code are the registration authority and type and the 6-digit
# region code (GB 32100-2015): a prefix this short is common to many customers.
USCC_SHARED_PREFIX = 8


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _fts_phrase(text: str) -> str:
    """``text`` as one FTS5 string: every character literal (quotes doubled), no query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _fts(columns: tuple[str, ...], text: str) -> Q:
    match = "{" + " ".join(columns) + "} : " + _fts_phrase(text)
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))


def _prefix(field: str, text: str) -> Q:
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + _TOP})


def _substring(field: str, text: str) -> Q:
    """A substring filter that the trigram index of this database answers (for >= 3 characters)."""
    if _sqlite():
        return _fts((field,), text)
    return Q(**{f"{field}__contains": text})


def text_filter(q: str) -> Q | None:
    """The filter for search text ``q`` (None when there is nothing to search for)."""
    q = (q or "").strip()
    if not q:
        return None
    how = rules.classify_query(q)
    if how == "id_number":
        normal = rules.clean_resident_id(q) or q.upper()
        # Many real credit codes are 17 digits and a digit (Bank of China: 911000001000013428), so an
        # ID-shaped query may also be a credit code.
        return id_number_filter(normal) | Q(uscc=q.upper())
    if how == "uscc":
        if _sqlite() and len(q) <= USCC_SHARED_PREFIX:
            # Registration type + region ("91110108") is shared by tens of thousands of codes. A range
            # on the index would make SQLite sort all of them for the first page; a LIKE, which it cannot
            # index, lets it walk the table newest first and stop when the page is full.
            code = Q(uscc__startswith=q.upper())
        else:
            code = _prefix("uscc", q.upper())
        if len(q) >= TRIGRAM_MIN:
            # "3M中国" or a name with digits: a code-like text may also be part of a name.
            return code | _substring("name", q)
        return code
    if how == "pinyin":
        low = q.lower()
        if len(low) >= TRIGRAM_MIN:
            if _sqlite():
                # One MATCH over the three columns; the trigram tokenizer folds ASCII case, so this also
                # finds Latin letters in a name ("IBM中国").
                return _fts(("name", "name_pinyin", "name_initials"), low)
            # ``~*`` rather than Django's ``UPPER(name) LIKE``: pg_trgm serves a case-insensitive regex
            # from the index on ``name``, not a LIKE on UPPER(name). ``q`` is letters only here.
            return (Q(name_pinyin__contains=low) | Q(name_initials__contains=low)
                    | Q(name__iregex=re.escape(q)))
        return _prefix("name_initials", low) | _prefix("name_pinyin", low)
    if len(q) >= TRIGRAM_MIN:
        return _substring("name", q)
    return Q(name__contains=q)


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """Count at most ``cap`` rows of ``queryset``: (count, more). ``more`` means "cap or more".

    ``SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1)``: the database stops after cap + 1 rows, so a
    count costs at most that many index entries whatever the size of the table.
    """
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap
