"""Issue 17: what one authenticated API request costs in statements, and that the cheaper path still sees
every change to the token, the user, the roles and the org units on the very next request."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core import params
from kehu.core.models import ApiToken, AuditEvent, OrgUnit, RoleAssignment, User
from kehu.core.services import parameter_approve, parameter_propose, role_grant, token_revoke
from kehu.customers.errors import DuplicateCustomer
from kehu.customers.generators import make_company, make_uscc
from kehu.customers.models import Customer

# The statements of one request (PostgreSQL / SQLite), the test's own transaction making SAVEPOINT/RELEASE
# of the service's atomic block (BEGIN/COMMIT outside a test). A change here is a change of the request's
# cost: look at the listed statements before moving the numbers.
#   lookup: the token with its user, org unit and role grants and the parameter cache's generation (one; the
#           password-age check reads a parameter), the customer (one).
#   create: the same first read, SAVEPOINT, INSERT of the customer (its credit code checked by the unique
#           index), the audit row (PostgreSQL: INSERT and its content hash, sealed after the commit; SQLite:
#           the writer seals its own row: one read of the chain head, INSERT, UPDATE of the head), RELEASE.
LOOKUP = {"postgresql": 2, "sqlite": 2}
CREATE = {"postgresql": 6, "sqlite": 7}


def _body(rng: random.Random, **kw) -> dict:
    name, trade, _code = make_company(rng)
    return {"kind": "enterprise", "name": name, "uscc": make_uscc(rng), "industry": trade, "region": "北京",
            "org_code": "BJ", **kw}


def _listing(ctx: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"][:160] for q in ctx.captured_queries)


def test_an_authenticated_create_and_lookup_take_a_pinned_number_of_statements(api, world):
    rng = random.Random(17)
    assert api.post("bj_cm", "/customers", _body(rng)).status_code == 201  # first use writes last_used_at
    with CaptureQueriesContext(connection) as create:
        response = api.post("bj_cm", "/customers", _body(rng))
    assert response.status_code == 201, response.content
    with CaptureQueriesContext(connection) as lookup:
        assert api.get("bj_cm", f"/customers/{response.json()['id']}").status_code == 200
    assert len(lookup.captured_queries) == LOOKUP[connection.vendor], _listing(lookup)
    assert len(create.captured_queries) == CREATE[connection.vendor], _listing(create)
    # No second read of a row the token's statement already brought: role grants, org units, the user.
    for ctx in (create, lookup):
        again = [q["sql"] for q in ctx.captured_queries[1:] if "customers_customer" not in q["sql"] and any(
            t in q["sql"] for t in ("core_roleassignment", "core_orgunit", "core_user", "core_apitoken",
                                    "core_ruleparameter"))]
        assert again == []


def test_last_use_is_written_at_most_once_a_minute(api, world):
    api.get("bj_cm", "/me")
    row = ApiToken.objects.get(user=world.bj_cm)
    with CaptureQueriesContext(connection) as ctx:
        api.get("bj_cm", "/me")
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    api.get("bj_cm", "/me")
    assert timezone.now() - ApiToken.objects.get(pk=row.pk).last_used_at < timedelta(seconds=30)


def test_a_revoked_or_expired_token_is_refused_on_the_next_request(api, world):
    api.token("bj_sales")
    assert api.get("bj_cm", "/me").status_code == 200
    token_revoke(token_id=ApiToken.objects.get(user=world.bj_cm).pk, actor=world.bj_cm)
    assert api.get("bj_cm", "/me").status_code == 401
    assert api.get("bj_sales", "/me").status_code == 200
    ApiToken.objects.filter(user=world.bj_sales).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("bj_sales", "/me").status_code == 401


@pytest.mark.parametrize("change", [{"is_active": False}, {"locked_until": "future"}])
def test_a_deactivated_or_locked_user_is_refused_on_the_next_request(api, world, change):
    assert api.get("bj_cm", "/me").status_code == 200
    if change.get("locked_until"):
        change = {"locked_until": timezone.now() + timedelta(minutes=5)}
    User.objects.filter(pk=world.bj_cm.pk).update(**change)
    assert api.get("bj_cm", "/me").status_code == 401


def test_a_role_withdrawn_or_granted_counts_from_the_next_request(api, world):
    customer = world.enterprise()
    path = f"/customers/{customer.pk}"
    assert api.get("bj_cm", path).status_code == 200
    RoleAssignment.objects.filter(user=world.bj_cm).delete()
    assert api.get("bj_cm", path).status_code == 404
    assert api.post("bj_cm", "/customers", _body(random.Random(3))).status_code == 403
    role_grant(user=world.bj_cm, role="customer_manager", org_code="BJ", actor=None)
    assert api.get("bj_cm", path).status_code == 200
    # a grant that reaches further than the user's own unit, in the very next request
    assert api.get("bj_cm", f"/customers/{world.enterprise(by=world.sh_cm).pk}").status_code == 404
    role_grant(user=world.bj_cm, role="customer_manager", org_code="SH", actor=None)
    assert api.post("bj_cm", "/customers", _body(random.Random(4), org_code="SH")).status_code == 201


def test_a_deactivated_org_unit_counts_from_the_next_request(api, world):
    customer = world.enterprise()
    assert api.get("bj_cm", f"/customers/{customer.pk}").status_code == 200
    OrgUnit.objects.filter(code="BJ").update(is_active=False)
    # the grant in it is gone, and the unit (also the user's own) takes no new customers
    assert api.get("bj_cm", f"/customers/{customer.pk}").status_code == 404
    response = api.post("bj_cm", "/customers", _body(random.Random(5)))
    assert response.status_code == 400 and response.json()["field"] == "org_code"
    OrgUnit.objects.filter(code="BJ").update(is_active=True)
    assert api.post("bj_cm", "/customers", _body(random.Random(6))).status_code == 201


def test_a_taken_credit_code_is_refused_by_the_index_with_its_message_and_nothing_written(api, world):
    first = world.enterprise()
    api.token("bj_cm")
    audited = AuditEvent.objects.count()
    response = api.post("bj_cm", "/customers", _body(random.Random(7), uscc=first.uscc))
    assert response.status_code == 409, response.content
    assert response.json()["code"] == DuplicateCustomer.code and first.uscc in response.json()["message"]
    # the failed INSERT left the transaction usable (rolled back to the service's own block)
    assert Customer.objects.filter(uscc=first.uscc).count() == 1 and AuditEvent.objects.count() == audited
    assert api.post("bj_cm", "/customers", _body(random.Random(8))).status_code == 201


def test_a_parameter_approved_by_another_process_counts_from_the_next_request(api, world):
    User.objects.filter(pk=world.bj_cm.pk).update(password_changed_at=timezone.now() - timedelta(days=40))
    assert api.get("bj_cm", "/me").status_code == 200  # within the default 90 days
    held = dict(params._cache)  # what this process holds after that request
    row = parameter_propose(code="sec.password_max_age_days", value=30, reason="测试", actor=None,
                            effective_from=timezone.localdate() - timedelta(days=1))
    parameter_approve(parameter_id=row.pk, actor=world.admin)
    params._cache.update(held)  # as if approved elsewhere: this process got no signal and holds the old rows
    assert api.get("bj_cm", "/me").status_code == 401  # the token's statement saw the new generation
