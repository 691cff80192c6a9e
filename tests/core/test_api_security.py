"""Issue 11 through the API: tokens refused when the account is not usable, one's token list and
revocation, role grants refused for incompatible roles, unmasking past the threshold without a factor."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kehu.core.models import ApiToken, RoleAssignment, RuleParameter, User


def test_a_token_stops_working_when_the_account_is_locked_or_its_password_expires(api, world):
    assert api.get("bj_cm", "/me").status_code == 200
    User.objects.filter(pk=world.bj_cm.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    assert api.get("bj_cm", "/me").status_code == 401
    User.objects.filter(pk=world.bj_cm.pk).update(locked_until=None,
                                                  password_changed_at=timezone.now() - timedelta(days=100))
    assert api.get("bj_cm", "/me").status_code == 401
    User.objects.filter(pk=world.bj_cm.pk).update(password_changed_at=timezone.now())
    assert api.get("bj_cm", "/me").status_code == 200


def test_a_user_lists_and_revokes_their_tokens(api, world):
    api.token("bj_cm")
    api.get("bj_cm", "/me")
    listed = api.get("bj_cm", "/tokens").json()
    assert len(listed) == 1 and listed[0]["last_used_at"] is not None and listed[0]["expires_at"] is not None
    api.token("sh_cm")
    other = ApiToken.objects.get(user=world.sh_cm)
    assert api.call("bj_cm", "DELETE", f"/tokens/{other.pk}").status_code == 404
    assert api.call("bj_cm", "DELETE", f"/tokens/{2**70}").status_code in (404, 422)
    assert api.call("bj_cm", "DELETE", f"/tokens/{listed[0]['id']}").status_code == 204
    assert api.get("bj_cm", "/me").status_code == 401


def test_role_grants_through_the_api_refuse_incompatible_roles(api, world):
    response = api.post("admin", "/users/bj_cm/roles", {"role": "auditor", "org": "BJ"})
    assert response.status_code == 400 and response.json()["code"] == "sod_conflict"
    assert not RoleAssignment.objects.filter(user=world.bj_cm, role="auditor").exists()
    assert api.post("admin", "/users/bj_cm/roles", {"role": "customer_office", "org": "BJ"}).status_code == 201
    assert api.post("bj_office", "/users/bj_cm/roles", {"role": "committee", "org": "BJ"}).status_code == 403
    assert api.post("admin", "/users/admin/roles", {"role": "sysadmin", "org": "SH"}).status_code == 403


def test_unmasking_past_the_threshold_needs_the_factor_which_a_token_never_has(api, world):
    RuleParameter.objects.create(code="sec.mfa_unmask_threshold", value=1, status="approved",
                                 effective_from=timezone.localdate() - timedelta(days=1), approved_at=timezone.now())
    person = world.individual()
    body = {"fields": ["phone"], "reason": "核实客户身份"}
    assert api.post("bj_cm", f"/customers/{person.pk}/unmask", body).status_code == 200
    refused = api.post("bj_cm", f"/customers/{person.pk}/unmask", body)
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"
