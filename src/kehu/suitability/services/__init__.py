"""Writes of the suitability module (one transaction each, audited)."""

from .filings import (  # noqa: F401
    filing_alerts,
    filing_attach,
    filing_create,
    filing_due_date,
    filing_submit,
    record_purge,
    required_documents,
)
from .products import marketing_check, material_attach, product_create  # noqa: F401
from .profiles import (  # noqa: F401
    assessment_current,
    assessment_expire_due,
    assessment_record,
    assessment_valid,
    evidence_add,
    professional_decide,
    professional_request,
    profile_save,
    questionnaire_current,
)
from .subscriptions import (  # noqa: F401
    cooling_off_expire_due,
    evaluate,
    match_for,
    subscription_activate,
    subscription_callback,
    subscription_cancel,
    subscription_check,
    subscription_confirm_warning,
    subscription_create,
    subscription_funds_received,
    subscription_kyc_done,
    subscription_sign_contract,
    subscription_sign_disclosure,
)


def suitability_expire(*, now=None) -> dict:
    """The daily job: expire assessments, flag ended cooling-off periods for the call-back, watch filings."""
    return {"assessments_expired": assessment_expire_due(now=now),
            "callbacks_due": cooling_off_expire_due(now=now), **filing_alerts(now=now)}
