"""A configurator reads what each parameter means in Chinese: every registered parameter (core's and every
app's) has a Chinese description and unit, and the parameter list of the admin shows them beside the code."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from tests.conftest import PASSWORD

from kehu.core.params import REGISTRY, param_description, param_unit

CJK = re.compile(r"[\u4e00-\u9fff]")
# units that read the same in both languages
SAME_IN_CHINESE = {"%"}


def test_every_parameter_has_a_chinese_description_and_unit():
    with translation.override("zh-hans"):
        untranslated = sorted(code for code in REGISTRY if not CJK.search(param_description(code)))
        units = sorted(code for code, spec in REGISTRY.items()
                       if spec.unit and spec.unit not in SAME_IN_CHINESE and not CJK.search(param_unit(code)))
    assert len(REGISTRY) > 150  # every app's parameters are registered in this process
    assert untranslated == [], untranslated
    assert units == [], units
    with translation.override("en"):
        assert param_description("sec.lockout_failures") == "Failed logins after which the account is locked."
        assert param_unit("sec.lockout_failures") == "attempts"


@pytest.mark.django_db
def test_the_parameter_list_shows_the_meaning_and_unit(world):
    from kehu.core import services

    admin = services.user_create(username="cfg_admin", org_code="HQ", roles=["sysadmin"], password=PASSWORD,
                                 actor=None)
    services.parameter_propose(code="sec.lockout_failures", value=6, effective_from=date(2027, 1, 1), reason="审计建议",
                               actor=admin)
    client = Client()
    assert client.login(username="cfg_admin", password=PASSWORD)
    page = client.get("/admin/core/ruleparameter/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200, page.status_code
    text = page.content.decode()
    row = text[text.index("sec.lockout_failures = 6"):]
    row = row[:row.index("</tr>")]
    assert "登录失败达到此次数后锁定账户。" in row and ">次<" in row and "待批准" in row
    assert "Proposed by" not in text and "提议人" in text
