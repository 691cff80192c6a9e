"""Issue 11 through the pages: the second factor at login (enrolment for roles that require it, a code
computed here with pyotp, recovery codes), the tokens pages, and the unmasking threshold."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import PASSWORD

from kehu.core import services, twofactor
from kehu.core.models import ApiToken, AuditEvent, RecoveryCode, RuleParameter, User


def next_code(username):
    """The code of the step after the last one used (the app shows it within 30 seconds; the step after
    now still counts, as clocks drift)."""
    user = User.objects.get(username=username)
    return pyotp.TOTP(user.totp_secret).generate_otp(user.totp_last_step + 1)


def login(username, password=PASSWORD):
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    return client, response


def enrol_at_login(username):
    client, response = login(username)
    assert response.status_code == 302 and response.url == "/login/code/"
    assert "_auth_user_id" not in client.session  # not logged in after the password alone
    page = client.get("/login/code/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = User.objects.get(username=username).totp_secret
    done = client.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f-]{20})</code>", done.content.decode())
    return client, secret, codes


def test_a_sysadmin_must_enrol_before_the_login_completes(world):
    client, response = login("admin")
    assert client.get("/").status_code == 302  # the dashboard is not reachable yet
    client.post("/login/code/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    client, secret, codes = enrol_at_login("hq_auditor")
    assert len(codes) == 10 and RecoveryCode.objects.filter(user=world.hq_auditor).count() == 10
    assert codes[0] not in str(list(RecoveryCode.objects.values_list("code_hash", flat=True)))
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(event_code=1030, actor_name="hq_auditor").exists()


def test_an_enrolled_user_logs_in_with_a_code_and_not_without(world):
    _client, secret, codes = enrol_at_login("admin")
    client, response = login("admin")
    assert response.url == "/login/code/"
    wrong = client.post("/login/code/", {"code": "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    code = next_code("admin")
    ok = client.post("/login/code/", {"code": code})
    assert ok.status_code == 302 and client.session["_auth_user_id"] == str(world.admin.pk)
    # The same code is good once: replayed at once, it is refused.
    replay, _ = login("admin")
    assert replay.post("/login/code/", {"code": code}).status_code == 400
    assert "_auth_user_id" not in replay.session
    # A recovery code works once.
    client, _ = login("admin")
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 302
    client, _ = login("admin")
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 400


def test_the_code_step_allows_few_tries_and_expires(world):
    enrol_at_login("admin")
    client, _ = login("admin")
    for _ in range(5):
        client.post("/login/code/", {"code": "999999"})
    secret = User.objects.get(username="admin").totp_secret
    response = client.post("/login/code/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.url == "/login/"
    assert "_auth_user_id" not in client.session


def test_others_log_in_without_a_factor_and_may_enrol_and_switch_it_off(world):
    client, response = login("bj_cm")
    assert response.url == "/"
    page = client.post("/account/security/", {"action": "enrol"})
    assert "<svg" in page.content.decode()
    secret = User.objects.get(username="bj_cm").totp_secret
    client.post("/account/security/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    assert twofactor.enabled(User.objects.get(username="bj_cm"))
    again, response = login("bj_cm")
    assert response.url == "/login/code/"
    client.post("/account/security/", {"action": "disable"})
    assert not twofactor.enabled(User.objects.get(username="bj_cm"))


def test_a_sysadmin_cannot_switch_the_factor_off(world):
    client, _secret, _codes = enrol_at_login("admin")
    client.post("/account/security/", {"action": "disable"})
    assert twofactor.enabled(User.objects.get(username="admin"))


def test_the_tokens_pages_list_and_revoke(world):
    mine = services.token_create(user=world.bj_cm, name="ERP", actor=None)
    theirs = services.token_create(user=world.sh_cm, name="BI", actor=None)
    services.token_authenticate(mine)
    client = Client()
    client.force_login(world.bj_cm)
    page = client.get("/account/security/").content.decode()
    assert "ERP" in page and "BI" not in page and mine[:12] in page
    other = ApiToken.objects.get(user=world.sh_cm)
    client.post("/account/security/", {"action": "revoke", "token": str(other.pk)})
    assert services.token_authenticate(theirs) == world.sh_cm  # not theirs to revoke
    assert client.get("/account/tokens/").status_code == 403
    client.post("/account/security/", {"action": "revoke", "token": "99999999999999999999999"})
    admin = Client()
    admin.force_login(world.admin)
    listing = admin.get("/account/tokens/").content.decode()
    assert "ERP" in listing and "BI" in listing and "bj_cm" in listing
    admin.post("/account/tokens/", {"token": str(other.pk)})
    assert services.token_authenticate(theirs) is None


@pytest.fixture
def threshold_two(world):
    RuleParameter.objects.create(code="sec.mfa_unmask_threshold", value=2, status="approved",
                                 effective_from=timezone.localdate() - timedelta(days=1), approved_at=timezone.now())


def test_unmasking_beyond_the_threshold_needs_the_second_factor(world, threshold_two):
    person = world.individual()
    client = Client()
    client.force_login(world.bj_cm)
    url = f"/customers/{person.pk}/unmask/"
    for _ in range(2):
        assert client.post(url, {"unmask-reason": "核实客户身份"}).status_code == 200
    assert client.post(url, {"unmask-reason": "核实客户身份"}).status_code == 403
    # Logged in with the second factor, the same user may go on.
    _c, secret, _codes = None, None, None
    client.post("/account/security/", {"action": "enrol"})
    secret = User.objects.get(username="bj_cm").totp_secret
    client.post("/account/security/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    fresh, response = login("bj_cm")
    fresh.post("/login/code/", {"code": next_code("bj_cm")})
    assert fresh.post(url, {"unmask-reason": "核实客户身份"}).status_code == 200
