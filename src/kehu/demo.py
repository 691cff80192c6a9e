"""The whole demo: the customers demo first, then each module's demo on top of it.

Like ``kehu/api.py`` and ``kehu/urls.py`` this project-level module is the one place that knows every
app. Each module's loader takes a ``random.Random`` and runs once: a second call finds its data and
changes nothing, so ``kehu demo`` can be re-run after an interrupted load and completes what is missing.
The order matters: grading scores the trade facts, credit rates the graded customers, the exposure
statistics freeze the credit lines, and the helpdesk raises tickets on the loaded customers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.utils.translation import gettext_lazy as _

# (module, loader, label shown on the CLI). A module without a demo yet is skipped.
MODULE_DEMOS: list[tuple[str, str, object]] = [
    ("kehu.trade.demo", "load_demo_trade", _("Trade facts and orders")),
    ("kehu.grading.demo", "load_demo_grading", _("Monthly grading")),
    ("kehu.credit.demo", "load_demo_credit", _("Credit lines")),
    ("kehu.exposure.demo", "load_demo_exposure", _("Exposure statistics")),
    ("kehu.helpdesk.demo", "load_demo_helpdesk", _("Customer service")),
    # after the trade facts and grading (whose runs recalculated the limits); last, so that the modules
    # above keep their seeds
    ("kehu.tradecredit.demo", "load_demo_trade_credit", _("Trade credit")),
    # new modules go after the others so that the seeds above stay as they are
    ("kehu.activities.demo", "load_demo_activities", _("Activities and follow-ups")),
    ("kehu.reception.demo", "load_demo_reception", _("Reception")),
    ("kehu.surveys.demo", "load_demo_surveys", _("Satisfaction surveys")),
    # after the others, so that adding it keeps their seeds
    ("kehu.suitability.demo", "load_demo_suitability", _("Asset-management suitability")),
    ("kehu.accounts.demo", "load_demo_accounts", _("Personal accounts")),
    ("kehu.staff.demo", "load_demo_staff", _("Staff assessment")),
    ("kehu.privacy.demo", "load_demo_privacy", _("Personal-information protection")),
    # last: the demo's one backup set holds what every module above loaded
    ("kehu.backup.demo", "load_demo_backup", _("Backups")),
]

# What to try first with the logins the modules add (the customers demo describes its own).
ROLE_HINTS = {
    "credit_approver": _("approve credit lines within the authority matrix"),
    "risk_officer": _("customer ratings (a line needs one), the monthly large-credit table and its sign-off by "
                      "a second officer"),
    "finance_officer": _("capital bases; invoices; service approvals"),
    "service_agent": _("raise and work complaints, returns and allowances"),
    "service_supervisor": _("extensions, approvals and the complaint analysis"),
    "sales_manager": _("place orders; release held orders up to 10 per cent over the limit; sign allowances"),
    "finance_manager": _("approve limit increases; release held orders up to 30 per cent over; sign allowances"),
    "general_manager": _("release any held order; approve limit increases; sign the largest allowances"),
    "customer_office": _("scorecards, grading runs and overrides, admission office review"),
    "committee": _("committee votes; approve scorecards and grade overrides"),
    "privacy_officer": _("personal-information requests at /privacy/: verify the identity, export the data of an "
                         "access request, answer within 15 working days"),
}


@dataclass
class ModuleResult:
    label: str
    created: bool
    detail: dict


def _loader(module: str, name: str) -> Callable[[random.Random], dict] | None:
    try:
        if find_spec(module) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(import_module(module), name, None)


def load_module_demos(*, seed: int = 2026) -> list[ModuleResult]:
    """Run every module's demo loader in order; each has its own seeded generator, so adding a module
    does not change the data of the others."""
    # the CLI imports kehu.demo before Django is set up: models load when the demo runs
    from kehu.core.services import shared_password_hash
    from kehu.customers.demo import DEMO_PASSWORD

    results = []
    # The modules' logins share the demo's one password: hashed once for all of them.
    with shared_password_hash(DEMO_PASSWORD):
        for index, (module, name, label) in enumerate(MODULE_DEMOS):
            loader = _loader(module, name)
            if loader is None:
                continue
            detail = loader(random.Random(seed + index + 1)) or {}
            results.append(ModuleResult(label=str(label), created=bool(detail.get("created")), detail=detail))
    return results


def module_logins(exclude: set[str]) -> list[tuple[str, str, str, str]]:
    """(username, org code, roles, hint) of the demo users the modules created."""
    # the CLI imports kehu.demo before Django is set up: models load when the demo runs
    from kehu.core.models import RoleAssignment

    rows: dict[str, tuple[str, list[str]]] = {}
    # ``exclude`` holds the customers demo's logins, which it prints with its own notes.
    for username, org, role in (RoleAssignment.objects.exclude(user__username__in=exclude)
                                .order_by("user__username", "role")
                                .values_list("user__username", "org_unit__code", "role")):
        rows.setdefault(username, (org, []))[1].append(role)
    return [(username, org, ", ".join(roles), "; ".join(str(ROLE_HINTS[r]) for r in roles if r in ROLE_HINTS))
            for username, (org, roles) in rows.items()]
