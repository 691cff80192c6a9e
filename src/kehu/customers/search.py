"""How a customer search text becomes an indexed filter, per database (docs/search.md).

``customer_search`` (selectors) reads the query with ``rules.classify_query`` and asks this module for
the filter. Each filter is written so that the database answers it from an index:

* SQLite: a substring of three or more characters (Chinese name, full pinyin, initials) goes through
  the FTS5 trigram table ``customers_customer_fts`` (migration 0003) as ``id IN (SELECT rowid ...
  MATCH ...)``; a text of two characters through the FTS5 bigram table ``customers_customer_bigram``
  (migration 0005), with the ``LIKE`` kept on top. One or two letters match the pinyin and initials
  by prefix (a btree range); one character falls back to ``LIKE`` on the name, which stops as soon
  as a page is full.
* PostgreSQL: ``LIKE '%q%'`` on name / pinyin / initials, which the pg_trgm GIN indexes of
  migration 0002 serve for three characters or more; two characters through the GIN index on
  ``kehu_name_bigrams(name)`` (0005); the same prefix ranges for short letters.
* Both: a credit-code prefix is a range on the unique ``uscc`` btree (``uscc >= q AND uscc < q||U+FFFF``,
  which, unlike ``LIKE 'q%'``, SQLite can answer from an index whatever ``case_sensitive_like`` says),
  and a resident ID number is an equality on the blind-index column ``id_number_hash``.

Scope is a plain ``org_path LIKE 'path%'`` (and ``manager_id = me``) filter on top: it narrows what the
index found and never replaces the index as the access path (tests/bulk/test_search_plans.py). A page
(``page``) of a text that an FTS5 table answers is read from the index newest first in windows, so a
text that thousands of names contain costs a window, not all its matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from kehu.customers import rules
from kehu.customers.blind_index import id_number_filter

FTS_TABLE = "customers_customer_fts"
# The bigram index of names (migration 0005): an FTS5 table on SQLite, an expression GIN index on PostgreSQL.
BIGRAM_TABLE = "customers_customer_bigram"
BIGRAM_FUNCTION = "kehu_name_bigrams"
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
# A page of an FTS5 search is read from the index newest first, a window of matches at a time (see
# ``page``): the first window holds this many times the rows asked for, each next one WINDOW_GROWTH
# times more. Past WINDOW_MAX matches the rest is read in one query, as without windows: a text that
# matches that many customers and hardly any in scope costs at most ~1.3 times what it did.
WINDOW_FACTOR = 4
WINDOW_MIN = 100
WINDOW_GROWTH = 4
WINDOW_MAX = 50_000


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _fts_phrase(text: str) -> str:
    """``text`` as one FTS5 string: every character literal (quotes doubled), no query syntax."""
    return '"' + text.replace('"', '""') + '"'


def bigram_term(text: str) -> str:
    """The term of a two-character text in the SQLite bigram table: the hex of its UTF-8 bytes after
    ASCII lower-casing, as the table's triggers write it (SQLite's ``lower()`` and ``LIKE`` fold ASCII only)."""
    folded = "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)
    return folded.encode("utf-8").hex().upper()


@dataclass(frozen=True)
class FtsSource:
    """An FTS5 query whose matches are customer ids: SQLite can list them newest first with a bound."""

    table: str
    match: str

    def subquery(self, *, below: int | None = None, window: int | None = None) -> tuple[str, list[Any]]:
        sql = f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s"
        params: list[Any] = [self.match]
        if below is not None:
            # FTS5 seeks to a rowid bound in its doclists rather than reading the matches above it.
            sql += " AND rowid < %s"
            params.append(below)
        if window is not None:
            sql += " ORDER BY rowid DESC LIMIT %s"
            params.append(window)
        return sql, params

    def q(self, *, below: int | None = None, window: int | None = None) -> Q:
        sql, params = self.subquery(below=below, window=window)
        return Q(pk__in=RawSQL(sql, params))

    def window_end(self, *, below: int | None, window: int) -> int | None:
        """The lowest id of the window, or None when the window held every match below ``below``."""
        sql, params = self.subquery(below=below, window=window)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT min(rowid), count(*) FROM ({sql})", params)
            low, n = cursor.fetchone()
        return low if n >= window else None


@dataclass(frozen=True)
class TextFilter:
    """A search text as a filter: ``source`` (when an FTS5 table answers it) and ``rest`` together."""

    source: FtsSource | None = None
    rest: Q | None = None

    def q(self, *, below: int | None = None, window: int | None = None) -> Q:
        """The filter; ``below`` and ``window`` bound the FTS5 source (ignored without one)."""
        parts = [self.source.q(below=below, window=window)] if self.source is not None else []
        if self.rest is not None:
            parts.append(self.rest)
        result = Q()
        for part in parts:
            result &= part
        return result


def _fts(columns: tuple[str, ...], text: str) -> FtsSource:
    return FtsSource(FTS_TABLE, "{" + " ".join(columns) + "} : " + _fts_phrase(text))


class _BigramsContain(Func):
    """PostgreSQL: ``kehu_name_bigrams(name) @> ARRAY[text]``, the expression of the GIN index of 0005."""

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        name_sql, name_params = compiler.compile(self.source_expressions[0])
        text_sql, text_params = compiler.compile(self.source_expressions[1])
        return (f"{BIGRAM_FUNCTION}({name_sql}) @> ARRAY[{text_sql}]::text[]", [*name_params, *text_params])


def two_character_filter(text: str) -> TextFilter:
    """``name LIKE '%xy%'`` (Django's ``contains``) answered by the bigram index of this database."""
    if _sqlite():
        # The term is exact under SQLite's default LIKE; the LIKE stays on top so that the rows are the
        # LIKE's even if a connection turned ``case_sensitive_like`` on. It costs nothing: it is checked
        # only on the rows the index hands over.
        return TextFilter(FtsSource(BIGRAM_TABLE, _fts_phrase(bigram_term(text))), Q(name__contains=text))
    # No LIKE beside it here: "name contains xy" and "xy is one of the name's bigrams" are the same test
    # (both case-sensitive, both literal), and a second condition on the same fact would make the planner
    # multiply two selectivities, think a frequent text rare and sort all its matches rather than walk
    # the primary key newest first and stop at a page.
    return TextFilter(rest=Q(_BigramsContain(F("name"), Value(text))))


def _prefix(field: str, text: str) -> Q:
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + _TOP})


def _substring(field: str, text: str) -> TextFilter:
    """A substring filter that the trigram index of this database answers (for >= 3 characters)."""
    if _sqlite():
        return TextFilter(_fts((field,), text))
    return TextFilter(rest=Q(**{f"{field}__contains": text}))


def text_search(q: str) -> TextFilter | None:
    """The filter for search text ``q`` (None when there is nothing to search for)."""
    q = (q or "").strip()
    if not q:
        return None
    how = rules.classify_query(q)
    if how == "id_number":
        normal = rules.clean_resident_id(q) or q.upper()
        # Many real credit codes are 17 digits and a digit (Bank of China: 911000001000013428), so an
        # ID-shaped query may also be a credit code.
        return TextFilter(rest=id_number_filter(normal) | Q(uscc=q.upper()))
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
            return TextFilter(rest=code | _substring("name", q).q())
        return TextFilter(rest=code)
    if how == "pinyin":
        low = q.lower()
        if len(low) >= TRIGRAM_MIN:
            if _sqlite():
                # One MATCH over the three columns; the trigram tokenizer folds ASCII case, so this also
                # finds Latin letters in a name ("IBM中国").
                return TextFilter(_fts(("name", "name_pinyin", "name_initials"), low))
            # ``~*`` rather than Django's ``UPPER(name) LIKE``: pg_trgm serves a case-insensitive regex
            # from the index on ``name``, not a LIKE on UPPER(name). ``q`` is letters only here.
            return TextFilter(rest=Q(name_pinyin__contains=low) | Q(name_initials__contains=low)
                              | Q(name__iregex=re.escape(q)))
        return TextFilter(rest=_prefix("name_initials", low) | _prefix("name_pinyin", low))
    if len(q) >= TRIGRAM_MIN:
        return _substring("name", q)
    if len(q) == 2:
        return two_character_filter(q)
    # One character: no index; the LIKE walks the table newest first and stops when the page is full.
    return TextFilter(rest=Q(name__contains=q))


def text_filter(q: str) -> Q | None:
    """The filter for search text ``q`` as one ``Q`` (None when there is nothing to search for)."""
    text = text_search(q)
    return None if text is None else text.q()


def page(text: TextFilter | None, *, before: int | None, size: int,
         fetch: Callable[[Q | None, int | None, int], list[Any]]) -> list[Any]:
    """The first ``size`` rows, newest first, of a search below id ``before``.

    ``fetch(text_q, below, n)`` runs the whole search (scope, filters, ``id < below``, ``ORDER BY id
    DESC``) with ``text_q`` as its text filter and returns at most ``n`` rows. Without an FTS5 source
    that is one query. With one, a text that matches tens of thousands of names would hand all of them
    to the query to be sorted by id for a page of 20; instead the matches are taken from the index
    newest first in windows (``rowid < bound ORDER BY rowid DESC LIMIT window``, which FTS5 reads in
    rowid order and stops), scope and filters are applied to each window, and the next window starts
    below the last one until the page is full or the matches run out. The windows are consecutive
    ranges of the matches, so the rows are exactly those of the single query, in the same order.
    """
    if text is None or text.source is None:
        return fetch(None if text is None else text.q(), before, size)
    source = text.source
    rows: list[Any] = []
    below = before
    window = max(size * WINDOW_FACTOR, WINDOW_MIN)
    while len(rows) < size:
        if window > WINDOW_MAX:
            rows += fetch(text.q(below=below), below, size - len(rows))
            break
        rows += fetch(text.q(below=below, window=window), below, size - len(rows))
        if len(rows) >= size:
            break
        end = source.window_end(below=below, window=window)
        if end is None:
            break
        below = end
        window *= WINDOW_GROWTH
    return rows


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """Count at most ``cap`` rows of ``queryset``: (count, more). ``more`` means "cap or more".

    ``SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1)``: the database stops after cap + 1 rows, so a
    count costs at most that many index entries whatever the size of the table.
    """
    cap = COUNT_CAP if cap is None else cap
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap
