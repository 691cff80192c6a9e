"""The customer page's registries: summary cards and timeline sources that the modules contribute.

The customer page answers "where do we stand with them?" (S3 第五条: one customer information system;
S9: the archive of every dealing). It does not reach into the modules: each module registers, from its
AppConfig.ready(), a summary card and the audit events (or table rows) it adds to the timeline. Modules
sit above customers, so they import this registry, never the other way round.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.errors import InvalidInput
from kehu.core.forms import event_names
from kehu.core.models import AuditEvent, User
from kehu.core.params import get_param
from kehu.core.selectors import Access
from kehu.customers import rules
from kehu.customers.events import CustomerEvent
from kehu.customers.models import ConsentStatus
from kehu.customers.permissions import CustomerPerm


@dataclass(frozen=True)
class SummaryCard:
    """One block at the top of the customer page. ``build`` returns a dict for the template or None."""

    key: str
    label: Any  # lazy translation
    order: int
    perm: str  # the card is built only for users holding this permission on the customer
    # build(customer=, user=, access=, today=) -> {"url": link to the module or "", "rows": [
    #   {"label": ..., "value": ..., "state": "" | "ok" | "warn" | "bad", "url": optional}]} or None
    build: Callable[..., dict | None]


@dataclass(frozen=True)
class TimelineEntry:
    ts: datetime
    key: str  # unique and sortable among entries of the same ts: "<source>:<zero-padded id>"
    kind: str
    title: str
    detail: str = ""
    actor: str = ""
    url: str = ""


@dataclass(frozen=True)
class TimelineKind:
    """A kind of timeline entry: audit events by code, and/or a source reading a module table."""

    kind: str
    label: Any
    order: int
    perm: str
    event_codes: frozenset[int] = field(default_factory=frozenset)
    # source(customer=, before=(ts, key) | None, limit=) -> entries newest first, all < before
    source: Callable[..., list[TimelineEntry]] | None = None
    # Audit codes of this kind that its source already shows (not listed twice).
    shown_by_source: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PageSection:
    """A block a module adds to the customer page (e.g. the activity log form), rendered from its template."""

    key: str
    order: int
    perm: str
    template: str
    build: Callable[..., dict]  # build(request=, customer=, access=) -> template context


CARDS: dict[str, SummaryCard] = {}
KINDS: dict[str, TimelineKind] = {}
SECTIONS: dict[str, PageSection] = {}


def register_section(section: PageSection) -> None:
    SECTIONS[section.key] = section


def register_card(card: SummaryCard) -> None:
    CARDS[card.key] = card


def register_timeline_kind(kind: TimelineKind) -> None:
    existing = KINDS.get(kind.kind)
    if existing is not None and existing != kind:
        # Two modules may add audit codes to one kind (e.g. consents from archive and privacy).
        kind = TimelineKind(kind.kind, existing.label, existing.order, existing.perm,
                            existing.event_codes | kind.event_codes, existing.source or kind.source,
                            existing.shown_by_source | kind.shown_by_source)
    KINDS[kind.kind] = kind


def cards_for(*, customer, user: User, access: Access, today) -> list[dict]:
    """The summary cards this user may see for this customer, in order, each already built."""
    out = []
    for card in sorted(CARDS.values(), key=lambda c: c.order):
        if not access.reaches(card.perm, org_path=customer.org_path, owner_id=customer.manager_id):
            continue
        data = card.build(customer=customer, user=user, access=access, today=today)
        if data is not None:
            out.append({"key": card.key, "label": card.label, **data})
    return out


def sections_for(*, request, customer, access: Access) -> list[dict]:
    out = []
    for section in sorted(SECTIONS.values(), key=lambda s: s.order):
        if access.reaches(section.perm, org_path=customer.org_path, owner_id=customer.manager_id):
            out.append({"template": section.template, **section.build(request=request, customer=customer,
                                                                      access=access)})
    return out


def page_context(*, request, customer, access: Access, today, timeline_size: int = 20) -> dict:
    """Everything the top of the customer page and its timeline need, in one call (one round trip)."""
    entries, next_cursor = timeline(customer=customer, access=access, limit=timeline_size)
    return {"overview_cards": cards_for(customer=customer, user=request.user, access=access, today=today),
            "timeline_entries": entries, "timeline_next": next_cursor,
            "timeline_kinds": kinds_for(customer=customer, access=access),
            "page_sections": sections_for(request=request, customer=customer, access=access)}


def kinds_for(*, customer, access: Access) -> list[TimelineKind]:
    return [k for k in sorted(KINDS.values(), key=lambda k: k.order)
            if access.reaches(k.perm, org_path=customer.org_path, owner_id=customer.manager_id)]


def encode_cursor(entry: TimelineEntry) -> str:
    raw = f"{entry.ts.isoformat()}|{entry.key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        ts_text, key = raw.split("|", 1)
        ts = datetime.fromisoformat(ts_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(_("The cursor is not valid."), field="cursor", code="bad_cursor") from None
    if timezone.is_naive(ts) or len(key) > 64:
        raise InvalidInput(_("The cursor is not valid."), field="cursor", code="bad_cursor")
    return ts, key


def _event_labels() -> dict[int, str]:
    return event_names()


def _audit_entries(customer, codes_by_kind: dict[str, frozenset[int]], other: bool,
                   before: tuple[datetime, str] | None, limit: int, labels: dict[int, str]) -> list[TimelineEntry]:
    """Audit rows of the customer, newest first: the one indexed query behind most of the timeline.

    With ``other``, rows whose code no module registered are included too; rows of registered kinds the
    reader may not see never are."""
    kind_of = {code: kind for kind, codes in codes_by_kind.items() for code in codes}
    rows = AuditEvent.objects.filter(customer_id=customer.pk)
    if other:
        registered = set()
        for k in KINDS.values():
            registered |= k.event_codes | k.shown_by_source
        rows = rows.filter(Q(event_code__in=sorted(kind_of)) | ~Q(event_code__in=sorted(registered)))
    else:
        rows = rows.filter(event_code__in=sorted(kind_of))
    if before is not None:
        ts, key = before
        if key.startswith("a:"):
            rows = rows.filter(Q(ts__lt=ts) | Q(ts=ts, id__lt=int(key[2:])))
        else:
            # The cursor is another source's entry: audit rows at the same instant may still come before it
            # (keys compare as strings); the caller drops whatever is not strictly older.
            rows = rows.filter(ts__lte=ts)
    rows = rows.select_related("actor").only(
        "id", "ts", "event_code", "event", "object_type", "object_id", "reason", "actor__display_name",
        "actor__username", "actor_name", "channel").order_by("-ts", "-id")[:limit]
    out = []
    for row in rows:
        actor = (row.actor.display_name or row.actor.username) if row.actor_id else ""
        out.append(TimelineEntry(ts=row.ts, key=f"a:{row.id:012d}", kind=kind_of.get(row.event_code, "other"),
                                 title=str(labels.get(row.event_code, row.event)), detail=row.reason[:300],
                                 actor=actor))
    return out


def timeline(*, customer, access: Access, kinds: Iterable[str] = (), cursor: str | None = None,
             limit: int = 50) -> tuple[list[TimelineEntry], str | None]:
    """One page of the customer's timeline, newest first, and the cursor of the next page (or None).

    Entries come from the audit log (one indexed query over the customer's rows) and from the sources
    modules register for what they keep only in their own tables (e.g. monthly grades)."""
    allowed = {k.kind: k for k in kinds_for(customer=customer, access=access)}
    wanted = [k for k in kinds if k in allowed] if kinds else list(allowed)
    if kinds and not wanted:
        return [], None
    before = decode_cursor(cursor)
    limit = max(1, min(int(limit), 200))
    # Audit rows of kinds nobody registered appear only in the unfiltered view of users who may read the
    # archive's own history ("other").
    other = not kinds and "archive" in allowed
    codes = {k: allowed[k].event_codes - allowed[k].shown_by_source for k in wanted
             if allowed[k].event_codes - allowed[k].shown_by_source}
    entries: list[TimelineEntry] = []
    if codes or other:
        entries += _audit_entries(customer, codes, other, before, limit + 1, _event_labels())
    for k in wanted:
        if allowed[k].source is not None:
            entries += allowed[k].source(customer=customer, before=before, limit=limit + 1)
    if before is not None:
        entries = [e for e in entries if (e.ts, e.key) < before]
    entries.sort(key=lambda e: (e.ts, e.key), reverse=True)
    page = entries[:limit]
    next_cursor = encode_cursor(page[-1]) if len(entries) > limit else None
    return page, next_cursor


def register_own() -> None:
    """The archive's own card and timeline kinds (admission, licences, consents)."""
    register_card(SummaryCard("archive", gettext_lazy("Archive and admission"), 10, CustomerPerm.CUSTOMER_VIEW, _archive_card))
    archive_codes = {v for k, v in vars(CustomerEvent).items() if k.isupper() and 2000 <= v < 2100}
    consent_codes = {CustomerEvent.CUSTOMER_CONSENT_RECORDED}
    register_timeline_kind(TimelineKind("archive", gettext_lazy("Archive changes"), 10, CustomerPerm.CUSTOMER_VIEW,
                                        frozenset(archive_codes - consent_codes)))
    register_timeline_kind(TimelineKind("admission", gettext_lazy("Admission"), 20, CustomerPerm.CUSTOMER_VIEW,
                                        frozenset(v for k, v in vars(CustomerEvent).items()
                                                  if k.isupper() and 2100 <= v < 2200)))
    register_timeline_kind(TimelineKind("consent", gettext_lazy("Consents"), 90, CustomerPerm.CUSTOMER_VIEW, frozenset(consent_codes)))


def _archive_card(*, customer, user, access, today) -> dict:
    warning = int(get_param("customers.licence_expiry_warning_days"))
    states = [rules.licence_expiry_state(valid_to, today, warning)
              for valid_to in customer.licences.values_list("valid_to", flat=True)]
    expired, expiring = states.count("expired"), states.count("expiring")
    pending = customer.consents.filter(status=ConsentStatus.PENDING).count()
    status_state = {"active": "ok", "qualified": "ok", "rejected": "bad", "terminated": "bad",
                    "exited": "bad"}.get(customer.admission_status, "warn")
    rows = [{"label": _("Admission status"), "value": customer.get_admission_status_display(),
             "state": status_state}]
    if expired or expiring:
        rows.append({"label": _("Licences"), "state": "bad" if expired else "warn",
                     "value": _("%(expired)d expired, %(expiring)d expiring") % {"expired": expired,
                                                                                   "expiring": expiring}})
    else:
        rows.append({"label": _("Licences"), "value": _("all valid") if states else _("none filed"),
                     "state": "ok" if states else "warn"})
    rows.append({"label": _("Consents pending"), "value": str(pending), "state": "warn" if pending else ""})
    if customer.manager_id:
        rows.append({"label": _("Customer manager"), "value": customer.manager.display_name or
                     customer.manager.username})
    return {"url": reverse("customers:detail", args=[customer.pk]) + "#archive", "rows": rows}
