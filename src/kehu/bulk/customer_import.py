"""Set-based import of customers (P11: 1 M rows at 10,000 rows/s with full validation).

A chunk goes through two stages:

``prepare_rows`` (pure Python, no database; runs in worker processes when the runner has them) validates
every column with the archive's own steps (``kehu.customers.services.build``: ``clean_identity`` with
``kehu.customers.rules``, and the ``text`` and ``amount`` helpers), derives what the archive derives (normalised
identifiers, the blind index of the ID number through ``kehu.customers.blind_index``, pinyin columns and the
masked name of individuals through ``build.set_name``) and builds the unsaved ``Customer`` a create would save,
with its audit view.

``apply_rows`` (in the runner's transaction for the chunk) finds the customers the chunk's rows name in ONE
query by credit code or ID blind index, decides per row exactly as ``apply_customer`` does
(create, update, unchanged or rejected, by mode, scope and uniqueness), and writes the decisions set-based:
``bulk_create`` of new customers, ``bulk_update`` of changed ones, their ``InfoChangeLog`` rows, consent
records for personal-data changes (S3 Art.8), and the per-customer audit events the archive writes, chained
with ``audit_record_many``. The search indexes follow by themselves: SQLite's FTS5 tables (trigrams, name
bigrams) are kept by triggers on the customer table and PostgreSQL's pg_trgm and bigram indexes are ordinary
and expression indexes (customers migrations 0002/0003/0005).

Rows of a chunk that touch the same customer, credit code or ID number are applied in order: the chunk is
cut into segments at such a row, and each segment is written before the next one is decided.

The per-row path (``apply_customer`` through the archive services) is kept for one case only: if a
segment's bulk write hits a unique index, another transaction created one of its customers after the
lookup (possible on PostgreSQL, where importers and the web run concurrently); the segment is rolled back
to its savepoint and its rows go one by one through the archive services, which turn that race into a
``DuplicateCustomer`` rejection of the row, as they do for a single create.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.bulk.audit import AuditEntry, audit_record_many
from kehu.bulk.importers import Column, ImportSpec, SetBased, register_spec
from kehu.bulk.outcomes import Outcome, attempt
from kehu.core.audit import normalise_values
from kehu.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from kehu.core.inputs import amount, text
from kehu.core.models import OrgUnit
from kehu.core.selectors import access_for
from kehu.core.writes import db_values, insert_fields, insert_rows, reserve_ids
from kehu.customers import rules
from kehu.customers.blind_index import id_number_filter, id_number_indexes, set_id_number_hash
from kehu.customers.errors import DuplicateCustomer
from kehu.customers.events import CustomerEvent
from kehu.customers.models import ConsentRecord, Customer, InfoChangeLog
from kehu.customers.permissions import CustomerPerm
from kehu.customers.selectors import customer_field_value, personal_fields

# The archive's services (the row-by-row path) and its own validation and derivation steps
# (kehu.customers.services.build): the import must accept and store exactly what a create or update
# through the archive would.
from kehu.customers.services import archive, build

IDENTITY = ("uscc", "id_number", "phone", "email")
TEXT_FIELDS = ("legal_representative", "industry", "region", "business_scope", "address", "occupation")
NAME_FIELDS = ("name", "name_encrypted", "name_pinyin", "name_initials")
# The columns a changed customer writes (what archive.customer_update's save() changes).
INSERT_FIELDS = insert_fields(Customer)
UPDATE_COLUMNS = [*NAME_FIELDS, "uscc", "id_number", "id_number_hash", "phone", "email",
                  "registered_capital_amount", *TEXT_FIELDS, "version", "updated_at"]


# -------------------------------------------------------------------------- the columns, one row at a time

# Kind written as its Chinese label or its code.
KIND_ALIASES = {
    "enterprise": "enterprise", "企业": "enterprise", "企业客户": "enterprise",
    "individual": "individual", "个人": "individual", "个人客户": "individual",
    "financial_institution": "financial_institution", "金融机构": "financial_institution",
    "scattered": "scattered", "散户": "scattered", "零散客户": "scattered",
}

CUSTOMER_COLUMNS = [
    Column("kind", ("客户类型", "类型", "type"), gettext_lazy("Customer kind")),
    Column("name", ("客户名称", "名称", "姓名", "customer name"), gettext_lazy("Name")),
    Column("uscc", ("统一社会信用代码", "信用代码", "credit code"), gettext_lazy("Unified social credit code")),
    Column("id_number", ("身份证号", "身份证号码", "id number", "resident id"), gettext_lazy("Resident ID number")),
    Column("phone", ("电话", "手机", "联系电话"), gettext_lazy("Phone")),
    Column("email", ("邮箱", "电子邮箱", "e-mail"), gettext_lazy("E-mail")),
    Column("legal_representative", ("法定代表人", "legal representative"), gettext_lazy("Legal representative")),
    Column("registered_capital_amount", ("注册资本", "registered capital"), gettext_lazy("Registered capital")),
    Column("industry", ("行业",), gettext_lazy("Industry")),
    Column("region", ("地区", "区域"), gettext_lazy("Region")),
    Column("business_scope", ("经营范围", "business scope"), gettext_lazy("Business scope")),
    Column("address", ("地址", "住所"), gettext_lazy("Address")),
    Column("occupation", ("职业",), gettext_lazy("Occupation")),
]


def _find_existing(record: dict[str, Any]):
    """The natural key: the credit code, or the blind index of the resident ID number."""
    code = rules.clean_uscc(record.get("uscc") or "") if record.get("uscc") else None
    if code:
        return Customer.objects.filter(uscc=code).first()
    number = rules.clean_resident_id(record.get("id_number") or "") if record.get("id_number") else None
    if number:
        return Customer.objects.filter(id_number_filter(number)).first()
    return None


def apply_customer(*, actor, mode: str, org_code: str | None, record: dict[str, Any], channel: str) -> str:
    """Create or update one row through the archive services (validation, encryption, blind index, pinyin,
    audit as the archive does it). The set-based path below (``apply_rows``) decides every row the same way;
    the runner uses this one only where a set-based write cannot be used (``_one_by_one``, ``set_based=False``)."""
    kind = kind_of(record)
    if kind is None:
        raise InvalidInput(_("Unknown customer kind %(kind)s.") % {"kind": record.get("kind") or "—"}, field="kind")
    values = record_values(record)
    existing = _find_existing(record)
    if existing is None:
        if mode == "update":
            raise InvalidInput(_("No such customer to update."), code="not_found")
        archive.customer_create(actor=actor, kind=kind, org_code=org_code, channel=channel, **values)
        return "created"
    if mode == "create":
        raise DuplicateCustomer()
    changes = {k: v for k, v in values.items() if k in build.EDITABLE_FIELDS}
    before = existing.version
    customer = archive.customer_update(actor=actor, customer_id=existing.pk, changes=changes, channel=channel)
    return "updated" if customer.version != before else "unchanged"


# ---------------------------------------------------------------------------------------------- prepare


@dataclass(slots=True)
class Row:
    """One file row after the pure stage."""

    line: int
    cells: list[str]
    record: dict[str, str]
    kind: str | None  # None: unknown customer kind
    norm: dict[str, Any]  # the row's non-empty columns, validated and normalised (the update's changes)
    invalid: bool  # a column failed validation
    lookup_uscc: str | None  # the natural key (_find_existing): the credit code if valid ...
    lookup_hashes: tuple[str, ...]  # ... else the blind indexes of the ID number under every key
    id_hashes: tuple[str, ...]  # blind indexes of the row's ID number (uniqueness of the ID)
    name_fields: tuple[str, ...] | None  # NAME_FIELDS as build.set_name derives them for the row's kind
    create_invalid: bool  # columns valid, but the kind's required identifier is missing
    # A valid row's new customer: its column values as the database stores them (personal data encrypted,
    # in writes.insert_fields(Customer) order), and its audit view (personal data masked), normalised.
    insert: tuple[Any, ...] | None
    audit_new: dict[str, Any] | None


@dataclass(frozen=True)
class CreateContext:
    """What a create needs besides the row, fixed for the whole import (picklable for worker processes)."""

    org_unit: Any  # OrgUnit or None when the import's org unit is refused
    manager_id: int | None
    created_by_id: int | None


def record_values(record: dict[str, str]) -> dict[str, Any]:
    """The values ``apply_customer`` passes on: the non-empty columns, the name always, no thousands separators."""
    values: dict[str, Any] = {k: v for k, v in record.items() if k != "kind" and v not in (None, "")}
    values["name"] = record.get("name") or ""
    if "registered_capital_amount" in values:
        values["registered_capital_amount"] = values["registered_capital_amount"].replace(",", "")
    return values


def kind_of(record: dict[str, str]) -> str | None:
    return KIND_ALIASES.get((record.get("kind") or "").strip().lower())


def column_errors(values: dict[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    """Validate every given column (not only up to the first error, so the error file lists them all)."""
    norm: dict[str, Any] = {}
    errors: list[DomainError] = []
    for key, value in values.items():
        try:
            if key == "name":
                norm[key] = text(value, "name", max_length=200, required=True)
            elif key in IDENTITY:
                norm[key] = build.clean_identity("", {key: value})[key]
            elif key == "registered_capital_amount":
                norm[key] = amount(value, key)
            elif key in build.EDITABLE_FIELDS:
                norm[key] = text(value, key, max_length=build.EDITABLE_FIELDS[key] or 0)
        except DomainError as exc:
            errors.append(exc)
    return norm, errors


def _blank_customer(ctx: CreateContext) -> Customer:
    """An unsaved customer with what every new customer of the import shares (org unit, creator, manager)."""
    unit = ctx.org_unit
    return Customer(org_unit=unit, org_path=unit.path if unit else "", created_by_id=ctx.created_by_id,
                    manager_id=ctx.manager_id)


def _new_customer(kind: str, norm: dict[str, Any], ctx: CreateContext, blank: Customer | None = None) -> Customer:
    """The customer ``archive.customer_create`` would save for these validated values (not saved).

    ``blank`` (``_blank_customer(ctx)``) is copied instead of building a model instance per row (P11: Model.__init__
    was a tenth of the validation); no field of Customer has a callable or mutable default, and every field a row
    sets is set below."""
    customer = copy.copy(blank) if blank is not None else _blank_customer(ctx)
    customer.kind = kind
    build.set_name(customer, norm["name"])
    customer.uscc = norm.get("uscc") or None
    customer.id_number = norm.get("id_number", "")
    set_id_number_hash(customer)
    customer.phone = norm.get("phone", "")
    customer.email = norm.get("email", "")
    customer.registered_capital_amount = norm.get("registered_capital_amount")
    for key in TEXT_FIELDS:
        setattr(customer, key, norm.get(key, ""))
    return customer


def prepare_rows(rows: list[tuple[int, list[str], dict[str, str]]], ctx: CreateContext) -> list[Row]:
    """The pure stage of a chunk: validate and derive every row. No database access (worker processes)."""
    out = []
    blank = _blank_customer(ctx)
    for line, cells, record in rows:
        kind = kind_of(record)
        norm, errors = column_errors(record_values(record))
        id_hashes = id_number_indexes(norm.get("id_number") or "")
        # _find_existing: the credit code if it is valid, else the ID number if that is valid
        # (column_errors ran the same rules.clean_uscc / clean_resident_id on the same cells).
        lookup_uscc = norm.get("uscc") or None
        row = Row(line=line, cells=cells, record=record, kind=kind, norm=norm, invalid=bool(errors),
                  lookup_uscc=lookup_uscc, lookup_hashes=() if lookup_uscc else id_hashes, id_hashes=id_hashes,
                  name_fields=None, create_invalid=False, insert=None, audit_new=None)
        if kind is not None and not errors:
            customer = _new_customer(kind, norm, ctx, blank)
            row.name_fields = tuple(getattr(customer, f) for f in NAME_FIELDS)
            try:
                build.check_required_by_kind(customer)
            except DomainError:
                row.create_invalid = True
            else:
                if ctx.org_unit is not None:
                    row.insert = db_values(customer, INSERT_FIELDS)
                    view = build.audit_view(customer)
                    # audit_record stores values as their JSON round trip; plain values are that already.
                    row.audit_new = view if all(v is None or type(v) in (str, int, bool) for v in view.values()) \
                        else normalise_values(view)
        out.append(row)
    return out


def pack_rows(rows: list[Row]) -> list[tuple]:
    """A worker's prepared rows as plain tuples, without the line, cells and record the runner's process
    holds already (P11: they were half of what was pickled back)."""
    return [(r.kind, r.norm, r.invalid, r.lookup_uscc, r.lookup_hashes, r.id_hashes, r.name_fields, r.create_invalid,
             r.insert, r.audit_new) for r in rows]


def unpack_rows(packed: list[tuple], chunk: list[tuple[int, list[str], dict[str, str]]]) -> list[Row]:
    """``pack_rows``' tuples as Rows again, with the chunk's own lines, cells and records."""
    return [Row(line, cells, record, *values) for (line, cells, record), values in zip(chunk, packed, strict=True)]


# ---------------------------------------------------------------------------------------------- apply


def _raise(factory: Callable[[], DomainError]) -> Callable[[], list[DomainError]]:
    return lambda: [factory()]


def _unknown_kind(row: Row) -> Callable[[], list[DomainError]]:
    return _raise(lambda: InvalidInput(_("Unknown customer kind %(kind)s.") % {"kind": row.record.get("kind") or "—"},
                                       field="kind"))


def _column_problems(row: Row) -> Callable[[], list[DomainError]]:
    return lambda: column_errors(record_values(row.record))[1]


def _required_problem(row: Row, ctx: CreateContext) -> Callable[[], list[DomainError]]:
    return lambda: _required_of(_new_customer(row.kind or "", row.norm, ctx))


def _required_of(customer: Customer) -> list[DomainError]:
    try:
        build.check_required_by_kind(customer)
    except DomainError as exc:
        return [exc]
    return []


def _duplicate_uscc(code: str) -> Callable[[], list[DomainError]]:
    return _raise(lambda: DuplicateCustomer(_("A customer with credit code %(code)s already exists.") % {"code": code}))


def _duplicate_id() -> Callable[[], list[DomainError]]:
    return _raise(lambda: DuplicateCustomer(_("A customer with this resident ID number already exists.")))


@dataclass
class _Change:
    row: Row
    before: Customer
    after: Customer
    changed: list[str]
    old_view: dict[str, Any]
    new_view: dict[str, Any]
    personal: list[str]


@dataclass
class Segment:
    """Decided rows not yet written; no two of them touch the same customer or identifier."""

    creates: list[Row] = field(default_factory=list)
    changes: list[_Change] = field(default_factory=list)
    order: list[Any] = field(default_factory=list)  # Rows and _Changes in file order (for the audit chain)
    keys: set[tuple[str, Any]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.order)


class ChunkApplier:
    """Decide and write one chunk of prepared rows. Runs inside the runner's transaction for the chunk."""

    def __init__(self, *, actor, mode: str, org_code: str | None, ctx: CreateContext,
                 org_error: Callable[[], list[DomainError]] | None, channel: str = "import") -> None:
        self.actor = actor
        self.mode = mode
        self.org_code = org_code
        self.ctx = ctx
        self.org_error = org_error
        self.channel = channel
        self.access = access_for(actor) if actor is not None else None
        self.by_uscc: dict[str, Customer] = {}
        self.by_hash: dict[str, Customer] = {}
        self.rows: list[Row] = []
        self.outcome = Outcome()

    def _reject(self, row: Row, explain: Callable[[], list[DomainError]]) -> None:
        self.outcome.reject(row.line, row.cells, explain)

    # -------------------------------------------------------------------------------- lookup

    def _load(self, rows: list[Row]) -> None:
        """One query for every customer the chunk's rows may name, by credit code or by ID blind index."""
        self.by_uscc.clear()
        self.by_hash.clear()
        codes = {r.lookup_uscc for r in rows if r.lookup_uscc}
        hashes = {h for r in rows for h in r.id_hashes}
        if not codes and not hashes:
            return
        queryset = Customer.objects.select_related("org_unit").filter(Q(uscc__in=codes) | id_number_filter(indexes=hashes))
        if connection.vendor == "postgresql":
            # The customers this chunk may update stay locked until the chunk commits, as customer_update
            # locks its row (SQLite's IMMEDIATE transaction already holds the database's write lock).
            queryset = queryset.select_for_update(of=("self",))
        for customer in queryset.order_by("pk"):
            self._remember(customer)

    def _remember(self, customer: Customer) -> None:
        if customer.uscc:
            self.by_uscc[customer.uscc] = customer
        if customer.id_number_hash:
            self.by_hash[customer.id_number_hash] = customer

    def _existing(self, row: Row) -> Customer | None:
        if row.lookup_uscc:
            return self.by_uscc.get(row.lookup_uscc)
        for digest in row.lookup_hashes:
            if digest in self.by_hash:
                return self.by_hash[digest]
        return None

    def _id_owner(self, hashes: tuple[str, ...]) -> Customer | None:
        for digest in hashes:
            if digest in self.by_hash:
                return self.by_hash[digest]
        return None

    # -------------------------------------------------------------------------------- decide

    @staticmethod
    def _keys(row: Row, existing: Customer | None) -> set[tuple[str, Any]]:
        keys: set[tuple[str, Any]] = {("h", h) for h in (*row.lookup_hashes, *row.id_hashes)}
        for code in (row.lookup_uscc, row.norm.get("uscc")):
            if code:
                keys.add(("u", code))
        if existing is not None:
            keys.add(("c", existing.pk))
        return keys

    def apply(self, rows: list[Row]) -> Outcome:
        self.rows = rows
        self._load(rows)
        segment = Segment()
        for row in rows:
            if row.kind is None:
                self._reject(row, _unknown_kind(row))
                continue
            keys = self._keys(row, self._existing(row))
            if keys & segment.keys:
                # An earlier row of this segment touches the same customer or identifier: write it first,
                # so this row is decided on the state that row leaves, as the row-by-row import would.
                self._flush(segment)
                segment = Segment()
                self._load(rows)
                keys = self._keys(row, self._existing(row))
            if self._decide(row, segment):
                segment.keys |= keys
        self._flush(segment)
        return self.outcome

    def _decide(self, row: Row, segment: Segment) -> bool:
        """Reject the row or add it to ``segment``; True if it was added."""
        existing = self._existing(row)
        if existing is None:
            if self.mode == "update":
                self._reject(row, _raise(lambda: InvalidInput(_("No such customer to update."),
                                                                     code="not_found")))
                return False
            if self.org_error is not None:
                self._reject(row, self.org_error)
                return False
            if row.invalid:
                self._reject(row, _column_problems(row))
                return False
            if row.create_invalid or row.insert is None:
                self._reject(row, _required_problem(row, self.ctx))
                return False
            code = row.norm.get("uscc")
            if code and code in self.by_uscc:
                self._reject(row, _duplicate_uscc(code))
                return False
            if self._id_owner(row.id_hashes) is not None:
                self._reject(row, _duplicate_id())
                return False
            segment.creates.append(row)
            segment.order.append(row)
            return True
        if self.mode == "create":
            self._reject(row, _raise(DuplicateCustomer))
            return False
        scope = self._scope_problem(existing)
        if scope is not None:
            self._reject(row, scope)
            return False
        if row.invalid:
            self._reject(row, _column_problems(row))
            return False
        change = self._change(row, existing)
        if isinstance(change, str):
            self.outcome.counts["unchanged"] += 1
            return False
        if callable(change):
            self._reject(row, change)
            return False
        segment.changes.append(change)
        segment.order.append(change)
        return True

    def _scope_problem(self, customer: Customer) -> Callable[[], list[DomainError]] | None:
        """customer_get(perm=CUSTOMER_EDIT): 404 outside the user's scope, 403 in scope without the right."""
        if self.access is None:
            return None
        access = self.access
        if not access.has(CustomerPerm.CUSTOMER_VIEW) and not access.has(CustomerPerm.CUSTOMER_EDIT):
            return _raise(PermissionDenied)
        where = {"org_path": customer.org_path, "owner_id": customer.manager_id}
        if not (access.reaches(CustomerPerm.CUSTOMER_VIEW, **where) or access.reaches(CustomerPerm.CUSTOMER_EDIT, **where)):
            return _raise(NotFound)
        if not access.reaches(CustomerPerm.CUSTOMER_EDIT, **where):
            return _raise(PermissionDenied)
        return None

    def _change(self, row: Row, existing: Customer):
        """What customer_update would do with the row's columns: "unchanged", a problem, or a _Change."""
        fields = [f for f in build.EDITABLE_FIELDS if f != "manager_id"]
        before_values = {f: customer_field_value(existing, f) for f in fields}
        after = copy.copy(existing)
        for key, value in row.norm.items():
            if key == "name":
                if build.name_is_hidden(existing.kind) == build.name_is_hidden(row.kind) and row.name_fields is not None:
                    for name_field, name_value in zip(NAME_FIELDS, row.name_fields, strict=True):
                        setattr(after, name_field, name_value)
                else:
                    build.set_name(after, value)
            else:
                setattr(after, key, value)
        if "id_number" in row.norm:
            set_id_number_hash(after)
        # In customer_update's order: the kind's required identifiers and uniqueness, then "anything changed?".
        try:
            build.check_required_by_kind(after)
        except DomainError:
            return lambda: _required_of(after)
        if after.uscc and self.by_uscc.get(after.uscc) not in (None, existing):
            return _duplicate_uscc(after.uscc)
        owner = self._id_owner(row.id_hashes) if "id_number" in row.norm else None
        if owner is not None and owner.pk != existing.pk:
            return _duplicate_id()
        after_values = {f: customer_field_value(after, f) for f in fields}
        changed = [f for f in fields if before_values[f] != after_values[f]]
        if not changed:
            return "unchanged"
        after.version = existing.version + 1
        after.updated_at = timezone.now()
        personal = [f for f in changed if f in personal_fields(after)]
        return _Change(row=row, before=existing, after=after, changed=changed, old_view=build.audit_view(existing),
                       new_view=build.audit_view(after), personal=personal)

    # -------------------------------------------------------------------------------- write

    def _flush(self, segment: Segment) -> None:
        if not segment:
            return
        try:
            with transaction.atomic():
                self._write(segment)
        except IntegrityError:
            self._one_by_one(segment)

    def _write(self, segment: Segment) -> None:
        ids = reserve_ids(Customer, len(segment.creates))
        if ids:
            insert_rows(Customer, INSERT_FIELDS, ((pk, *row.insert) for pk, row in zip(ids, segment.creates,
                                                                                      strict=True)))
        created_pk = {id(row): pk for pk, row in zip(ids, segment.creates, strict=True)}
        if segment.changes:
            Customer.objects.bulk_update([c.after for c in segment.changes], UPDATE_COLUMNS, batch_size=500)
            InfoChangeLog.objects.bulk_create([
                InfoChangeLog(customer_id=c.after.pk, field=f, old_display=str(c.old_view.get(f) or "")[:500],
                              new_display=str(c.new_view.get(f) or "")[:500], is_personal=f in c.personal,
                              actor=self.actor if self.actor is not None and self.actor.pk else None)
                for c in segment.changes for f in c.changed
            ], batch_size=500)
        # S3 Art.8, as customer_update does it: every changed field but the internal ones asks the customer.
        notified = {c.after.pk: [f for f in c.changed if f not in archive.NOT_NOTIFIED] for c in segment.changes}
        consents = {c.after.pk: ConsentRecord(customer_id=c.after.pk, purpose="info_change",
                                              fields=notified[c.after.pk])
                    for c in segment.changes if notified[c.after.pk]}
        if consents:
            ConsentRecord.objects.bulk_create(list(consents.values()), batch_size=500)
        entries: list[AuditEntry] = []
        for item in segment.order:
            if isinstance(item, Row):
                pk = created_pk[id(item)]
                entries.append(AuditEntry(CustomerEvent.CUSTOMER_CREATED, "customer", pk, customer_id=pk,
                                          new=item.audit_new, channel=self.channel, normalised=True))
                continue
            pk = item.after.pk
            entries.append(AuditEntry(CustomerEvent.CUSTOMER_UPDATED, "customer", pk, customer_id=pk,
                                      old={f: item.old_view[f] for f in item.changed},
                                      new={f: item.new_view[f] for f in item.changed}, channel=self.channel))
            if pk in consents:
                entries.append(AuditEntry(CustomerEvent.CUSTOMER_CONSENT_RECORDED, "consent", consents[pk].pk, customer_id=pk,
                                          new={"status": "pending", "fields": notified[pk]}, channel=self.channel))
        audit_record_many(actor=self.actor, entries=entries)
        # The change notices (kehu.privacy sends them through the outbox), as customer_update sends them.
        for change in segment.changes:
            consent = consents.get(change.after.pk)
            if consent is None:
                continue
            old = {f: customer_field_value(change.before, f) for f in notified[change.after.pk]}
            for hook in archive.CHANGE_NOTICE_HOOKS:
                hook(consent=consent, customer=change.after, old=old, actor=self.actor)
        self.outcome.counts["created"] += len(ids)
        self.outcome.counts["updated"] += len(segment.changes)

    def _one_by_one(self, segment: Segment) -> None:
        """Another transaction took one of the segment's identifiers after the lookup: apply its rows through
        the archive services one at a time, as the row-by-row import does."""
        for item in segment.order:
            row = item if isinstance(item, Row) else item.row
            result, explain = attempt(lambda row=row: apply_customer(
                actor=self.actor, mode=self.mode, org_code=self.org_code, record=row.record, channel=self.channel))
            if explain is not None:
                self._reject(row, explain)
            else:
                self.outcome.counts[result] += 1
        # The database changed under the lookup: read the chunk's customers again for the rows that follow.
        self._load(self.rows)


def job_context(*, actor, org_code: str | None) -> tuple[CreateContext, Callable[[], list[DomainError]] | None]:
    """The org unit and manager of created customers, as customer_create chooses them; if the org unit is
    refused, every row that would create a customer is rejected with that reason."""

    try:
        unit = build.org_for_create(actor, org_code or None)
    except DomainError:
        def org_error() -> list[DomainError]:
            try:
                build.org_for_create(actor, org_code or None)
            except DomainError as exc:
                return [exc]
            return []

        return CreateContext(org_unit=None, manager_id=None, created_by_id=None), org_error
    # A plain copy of the unit, without caches, travels to the worker processes.
    unit = OrgUnit.objects.get(pk=unit.pk)
    manager_id = actor.pk if actor is not None and access_for(actor).has(CustomerPerm.ADMISSION_SUBMIT) else None
    created_by_id = actor.pk if actor is not None and actor.pk else None
    return CreateContext(org_unit=unit, manager_id=manager_id, created_by_id=created_by_id), None


def apply_rows(*, actor, mode: str, org_code: str | None, context: CreateContext,
               problem: Callable[[], list[DomainError]] | None, prepared: list[Row], channel: str = "import") -> Outcome:
    """Decide and write a chunk of prepared rows (inside the runner's transaction for the chunk)."""
    applier = ChunkApplier(actor=actor, mode=mode, org_code=org_code, ctx=context, org_error=problem, channel=channel)
    return applier.apply(prepared)


def _apply_rows(**kwargs):
    # Looked up when called, not when registered: the kill-and-rerun tests replace ``apply_rows`` with one
    # that dies mid-import.
    return apply_rows(**kwargs)


register_spec(ImportSpec(target="customers", columns=CUSTOMER_COLUMNS, apply=apply_customer,
                         required={"kind", "name"},
                         set_based=SetBased(context=job_context, prepare=prepare_rows, apply=_apply_rows,
                                            pack=pack_rows, unpack=unpack_rows)))
