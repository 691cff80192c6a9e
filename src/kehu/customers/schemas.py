"""API schemas of the customers app. Inputs forbid unknown fields, so a typo is a 422, not a no-op."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from kehu.core.inputs import PlainDecimal

Text = Annotated[str, StringConstraints(max_length=2000)]
Money = Annotated[PlainDecimal, Field(ge=0, max_digits=19, decimal_places=2)]
Kind = Literal["enterprise", "individual", "financial_institution", "scattered"]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(In):
    kind: Kind
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    org_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    manager_id: int | None = None
    uscc: Annotated[str, StringConstraints(max_length=22)] | None = None
    legal_representative: Annotated[str, StringConstraints(max_length=100)] = ""
    registered_capital_amount: Money | None = None
    industry: Annotated[str, StringConstraints(max_length=100)] = ""
    region: Annotated[str, StringConstraints(max_length=100)] = ""
    business_scope: Text = ""
    address: Annotated[str, StringConstraints(max_length=300)] = ""
    id_number: Annotated[str, StringConstraints(max_length=22)] = ""
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    occupation: Annotated[str, StringConstraints(max_length=100)] = ""


class CustomerPatch(In):
    expected_version: int | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    uscc: Annotated[str, StringConstraints(max_length=22)] | None = None
    legal_representative: Annotated[str, StringConstraints(max_length=100)] | None = None
    registered_capital_amount: Money | None = None
    industry: Annotated[str, StringConstraints(max_length=100)] | None = None
    region: Annotated[str, StringConstraints(max_length=100)] | None = None
    business_scope: Text | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    id_number: Annotated[str, StringConstraints(max_length=22)] | None = None
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    occupation: Annotated[str, StringConstraints(max_length=100)] | None = None
    manager_id: int | None = None


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    name_pinyin: str
    uscc: str | None
    legal_representative: str
    registered_capital_amount: Decimal | None
    currency: str
    industry: str
    region: str
    business_scope: str
    address: str
    id_number: str
    phone: str
    email: str
    occupation: str
    org_unit: str
    manager_id: int | None
    manager: str | None
    admission_status: str
    grade: str
    version: int
    masked: bool
    created_at: datetime
    updated_at: datetime


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_before: int | None
    # Only when asked for (count=true): the number of matches up to search.COUNT_CAP; count_more says
    # "at least that many".
    count: int | None = None
    count_more: bool = False


class UnmaskIn(In):
    fields: list[Literal["name", "id_number", "phone", "email", "address"]] = []
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class UnmaskOut(Schema):
    values: dict[str, str]


class ContactIn(In):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    title: Annotated[str, StringConstraints(max_length=100)] = ""
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    is_primary: bool = False


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str
    is_primary: bool


class LicenceIn(In):
    kind: Literal["business_licence", "tax_registration", "safety_permit", "environmental_permit",
                  "financial_licence", "other"]
    number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    issuer: Annotated[str, StringConstraints(max_length=200)] = ""
    valid_from: date | None = None
    valid_to: date | None = None
    annual_report_ok: bool = True
    document_id: int | None = None


class LicenceOut(Schema):
    id: int
    kind: str
    number: str
    issuer: str
    valid_from: date | None
    valid_to: date | None
    annual_report_ok: bool
    state: str
    document_id: int | None


class ContractIn(In):
    number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    kind: Literal["purchase_sales", "framework", "other"] = "purchase_sales"
    signed_on: date
    valid_to: date | None = None
    amount: Money | None = None
    document_id: int | None = None


class ContractOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    signed_on: date
    valid_to: date | None
    amount: Decimal | None
    currency: str
    status: str


class AgreementIn(In):
    number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    signed_on: date
    valid_to: date | None = None


class AgreementOut(Schema):
    id: int
    number: str
    signed_on: date
    valid_to: date | None
    status: str


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class CustomerChangeOut(Schema):
    id: int
    field: str
    old_display: str
    new_display: str
    is_personal: bool
    actor: str | None
    ts: datetime


class ConsentOut(Schema):
    id: int
    purpose: str
    fields: list[str]
    status: str
    channel: str
    requested_at: datetime
    responded_at: datetime | None


class ConsentIn(In):
    status: Literal["confirmed", "declined"]
    channel: Annotated[str, StringConstraints(max_length=32)] = ""


class TerminateIn(In):
    reason: Literal["false_information", "failed_evaluation", "grade_e_exit", "other"]
    note: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class AdmissionNoteIn(In):
    note: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class GroupIn(In):
    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    org_code: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class MemberIn(In):
    customer_id: int
    relation: Literal["parent", "subsidiary", "common_control", "key_individual", "other"]
    evidence: Annotated[str, StringConstraints(max_length=500)] = ""
    since: date | None = None


class MemberOut(Schema):
    customer_id: int
    customer_name: str
    relation: str
    evidence: str
    since: date | None


class GroupOut(Schema):
    id: int
    code: str
    name: str
    org_unit: str
    members: list[MemberOut]


class Questionnaire(In):
    main_products: Annotated[str, StringConstraints(max_length=500)] = ""
    annual_purchase_plan: Annotated[str, StringConstraints(max_length=500)] = ""
    payment_terms: Annotated[str, StringConstraints(max_length=200)] = ""
    bank_name: Annotated[str, StringConstraints(max_length=200)] = ""
    employees: Annotated[str, StringConstraints(max_length=20)] = ""
    main_suppliers: Annotated[str, StringConstraints(max_length=500)] = ""
    credit_record: Annotated[str, StringConstraints(max_length=500)] = ""
    remarks: Annotated[str, StringConstraints(max_length=1000)] = ""


class AdmissionIn(In):
    questionnaire: Questionnaire | None = None
    expected_annual_volume_amount: Money | None = None
    volume_justification: Text = ""
    scope_attested: bool = False


class AdmissionPatch(In):
    questionnaire: Questionnaire | None = None
    expected_annual_volume_amount: Money | None = None
    volume_justification: Text | None = None
    scope_attested: bool | None = None


class ReviewOut(Schema):
    id: int
    round: int
    stage: str
    department: str
    opinion: str
    comment: str
    reviewer: str
    created_at: datetime


class CustomerStatusChangeOut(Schema):
    from_status: str
    to_status: str
    actor: str | None
    note: str
    ts: datetime


class AdmissionOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    status: str
    round: int
    questionnaire: dict
    expected_annual_volume_amount: Decimal | None
    volume_justification: str
    scope_attested: bool
    submitted_by: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime


class AdmissionDetail(AdmissionOut):
    problems: list[str]
    reviews: list[ReviewOut]
    history: list[CustomerStatusChangeOut]
    missing_departments: list[str]


class AdmissionPage(Schema):
    items: list[AdmissionOut]
    next_before: int | None


class AdmissionDecisionIn(In):
    approve: bool = True
    comment: Text = ""


class OpinionIn(In):
    department: Literal["enterprise_mgmt", "production", "finance", "audit", "safety_env"]
    opinion: Literal["approve", "conditional", "reject"]
    comment: Text = ""


class CommentIn(In):
    comment: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class SubmitIn(In):
    note: Text = ""


class InboxItem(Schema):
    kind: str
    object_type: str
    object_id: int
    customer_id: int
    customer_name: str
    status: str


class InboxOut(Schema):
    counts: dict[str, int]
    items: list[InboxItem]
