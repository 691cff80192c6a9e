"""The import framework: an ``ImportSpec`` registry, and the customers importer.

Other modules register their own specs (``register_spec``) and get the same chunked, resumable runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]  # header texts accepted, Chinese and English, compared lower-case without spaces
    label: Any = ""


@dataclass(frozen=True)
class SetBased:
    """A spec's set-based path: the runner calls ``context`` once per import, ``prepare`` per chunk (pure
    Python, possibly in a worker process, so it must be a picklable module-level function) and ``apply``
    per chunk inside the chunk's transaction."""

    # context(actor, org_code) -> (picklable context for prepare, problem callable or None)
    context: Callable[..., tuple[Any, Any]]
    # prepare(rows: list[(line, cells, record)], context) -> prepared rows
    prepare: Callable[..., list]
    # apply(actor, mode, org_code, context, problem, prepared, channel) -> customer_import.Outcome
    apply: Callable[..., Any]


@dataclass
class ImportSpec:
    target: str
    columns: list[Column]
    # apply(actor, mode, org_code, record) -> "created" | "updated" | "unchanged"; raises DomainError to reject.
    apply: Callable[..., str]
    required: set[str] = field(default_factory=set)
    set_based: SetBased | None = None

    def header_map(self, header: list[str]) -> dict[int, str]:
        lookup = {a.lower().replace(" ", ""): c.key for c in self.columns for a in (c.key, *c.aliases)}
        return {i: lookup[h] for i, h in enumerate(header) if h in lookup}


SPECS: dict[str, ImportSpec] = {}


def register_spec(spec: ImportSpec) -> None:
    SPECS[spec.target] = spec


# Kind written as its Chinese label or its code.
KIND_ALIASES = {
    "enterprise": "enterprise", "企业": "enterprise", "企业客户": "enterprise",
    "individual": "individual", "个人": "individual", "个人客户": "individual",
    "financial_institution": "financial_institution", "金融机构": "financial_institution",
    "scattered": "scattered", "散户": "scattered", "零散客户": "scattered",
}

CUSTOMER_COLUMNS = [
    Column("kind", ("客户类型", "类型", "type"), _("Customer kind")),
    Column("name", ("客户名称", "名称", "姓名", "customer name"), _("Name")),
    Column("uscc", ("统一社会信用代码", "信用代码", "credit code"), _("Unified social credit code")),
    Column("id_number", ("身份证号", "身份证号码", "id number", "resident id"), _("Resident ID number")),
    Column("phone", ("电话", "手机", "联系电话"), _("Phone")),
    Column("email", ("邮箱", "电子邮箱", "e-mail"), _("E-mail")),
    Column("legal_representative", ("法定代表人", "legal representative"), _("Legal representative")),
    Column("registered_capital_amount", ("注册资本", "registered capital"), _("Registered capital")),
    Column("industry", ("行业",), _("Industry")),
    Column("region", ("地区", "区域"), _("Region")),
    Column("business_scope", ("经营范围", "business scope"), _("Business scope")),
    Column("address", ("地址", "住所"), _("Address")),
    Column("occupation", ("职业",), _("Occupation")),
]


def _find_existing(record: dict[str, Any]):
    """The natural key: the credit code, or the blind index of the resident ID number."""
    from kehu.core.crypto import keyring
    from kehu.customers import rules
    from kehu.customers.models import Customer

    code = rules.clean_uscc(record.get("uscc") or "") if record.get("uscc") else None
    if code:
        return Customer.objects.filter(uscc=code).first()
    number = rules.clean_resident_id(record.get("id_number") or "") if record.get("id_number") else None
    if number:
        return Customer.objects.filter(id_number_hash__in=keyring().blind_indexes(number)).first()
    return None


def apply_customer(*, actor, mode: str, org_code: str | None, record: dict[str, Any], channel: str) -> str:
    """Create or update one row through the archive services (validation, encryption, blind index, pinyin,
    audit as the archive does it). The set-based path (``customer_import``) decides every row the same way;
    the runner uses this one only where a set-based write cannot be used (see ``customer_import``)."""
    from kehu.bulk.customer_import import kind_of, record_values
    from kehu.core.errors import InvalidInput
    from kehu.customers.errors import DuplicateCustomer
    from kehu.customers.services import archive

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
    changes = {k: v for k, v in values.items() if k in archive.EDITABLE_FIELDS}
    before = existing.version
    customer = archive.customer_update(actor=actor, customer_id=existing.pk, changes=changes, channel=channel)
    return "updated" if customer.version != before else "unchanged"


def _customer_context(actor, org_code: str | None):
    from kehu.bulk import customer_import

    return customer_import.job_context(actor=actor, org_code=org_code)


def _customer_prepare(rows, context):
    from kehu.bulk import customer_import

    return customer_import.prepare_rows(rows, context)


def _customer_apply(**kwargs):
    from kehu.bulk import customer_import

    return customer_import.apply_rows(**kwargs)


register_spec(ImportSpec(target="customers", columns=CUSTOMER_COLUMNS, apply=apply_customer,
                         required={"kind", "name"},
                         set_based=SetBased(context=_customer_context, prepare=_customer_prepare,
                                            apply=_customer_apply)))
