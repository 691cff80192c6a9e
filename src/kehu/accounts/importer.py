"""``kehu accounts import``: personal accounts from a CSV, one row at a time through ``account_open``.

Columns: account_no,id_number,name,tier,opened_on,channel,bound_account_no,bound_same_bank,bound_kind. A new
ID number creates the individual in the archive (validated and encrypted by the customers service). The
file does not say how identity was checked: a counter or staffed smart teller is taken as face to face,
every other channel as the five-element verification that non-face-to-face opening requires (A-6).
An account already recorded with the same customer and tier is left unchanged, so a re-run is harmless.
Rejected rows go to an error file, as the customer import does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from kehu.accounts import services
from kehu.accounts.events import AccountsEvent
from kehu.accounts.ingest import REASON_HEADERS, error_dir
from kehu.accounts.models import PersonalAccount
from kehu.bulk.outcomes import Rejection, attempt, reasons
from kehu.bulk.readers import read_rows
from kehu.core.audit import audit_record
from kehu.core.errors import InvalidInput
from kehu.core.exports import safe_row
from kehu.customers.rules import clean_resident_id

COLUMNS = ["account_no", "id_number", "name", "tier", "opened_on", "channel", "bound_account_no", "bound_same_bank",
           "bound_kind"]
TRUE = {"1", "true", "yes", "y", "是"}
FALSE = {"0", "false", "no", "n", "否"}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    error_file: str = ""


def _bool(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise InvalidInput(_("bound_same_bank must be true or false."), field="bound_same_bank")


def _apply(values: dict[str, str], *, actor, org_code: str | None):
    existing = PersonalAccount.objects.select_related("customer").filter(account_no=values["account_no"]).first()
    if existing is not None:
        number = clean_resident_id(values["id_number"]) or ""
        if existing.tier == values["tier"] and existing.customer.id_number == number:
            return "unchanged"
        raise InvalidInput(_("Account %(no)s is already recorded for another person or tier.")
                           % {"no": values["account_no"]}, field="account_no", code="duplicate_account")
    channel = values["channel"]
    identity = "face_to_face" if channel in services.FACE_TO_FACE_CHANNELS else "five_elements"
    services.account_open(
        actor=actor, account_no=values["account_no"], tier=values["tier"], opened_on=values["opened_on"],
        channel=channel, identity_check=identity, id_number=values["id_number"], name=values["name"],
        org_code=org_code, bound_account_no=values["bound_account_no"],
        bound_same_bank=_bool(values["bound_same_bank"]), bound_kind=values["bound_kind"])
    return "created"


def import_accounts(path: Path, *, actor=None, org_code: str | None = None) -> ImportResult:
    path = Path(path)
    rows = read_rows(path)
    try:
        _line, header = next(rows)
    except StopIteration:
        raise InvalidInput(_("The file is empty."), code="empty_file") from None
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(_("Required columns are missing: %(c)s.") % {"c": ", ".join(missing)},
                           code="missing_columns")
    index = {c: header.index(c) for c in COLUMNS}
    result = ImportResult()
    for line, cells in rows:
        result.rows += 1
        padded = cells + [""] * len(header)
        values = {c: padded[i] for c, i in index.items()}
        outcome, explain = attempt(lambda v=values: _apply(v, actor=actor, org_code=org_code))
        if explain is not None:
            result.rejected.append(Rejection(line, cells, explain))
        elif outcome == "created":
            result.created += 1
        else:
            result.unchanged += 1
    audit_record(actor=actor, event_code=AccountsEvent.ACCOUNTS_IMPORTED, object_type="accounts_import",
                 new={"file": path.name, "rows": result.rows, "created": result.created,
                      "unchanged": result.unchanged, "rejected": len(result.rejected)})
    if result.rejected:
        out = error_dir() / f"accounts-import-{path.stem}-errors.csv"
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([*header, *REASON_HEADERS])
            for rejection in result.rejected:
                why = reasons(rejection)
                writer.writerow(safe_row([*(rejection.cells + [""] * len(header))[: len(header)], why["zh-hans"],
                                                 why["en"]]))
        result.error_file = str(out)
    return result
