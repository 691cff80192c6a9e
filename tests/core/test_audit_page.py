"""The audit-log page is Chinese and readable: every module's event names, objects by name ("用户 张三",
not "user #15"), the channel in words, and the values as a table of field: old → new, never a raw dict."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import translation
from tests.conftest import PASSWORD

from kehu.core import services as core_services
from kehu.core.audit import _EXTRA_EVENTS, Event
from kehu.core.forms import event_names

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_event_of_every_module_has_a_chinese_name():
    names = event_names()
    codes = {value: key for source in (Event, *_EXTRA_EVENTS) for key, value in vars(source).items()
             if key.isupper() and isinstance(value, int)}
    assert len(_EXTRA_EVENTS) >= 7  # bulk, credit, trade facts, trade credit, grading, helpdesk, exposure
    with translation.override("zh-hans"):
        untranslated = sorted(f"{code} {key}" for code, key in codes.items() if not CJK.search(str(names[code])))
    assert untranslated == []


def test_audit_rows_show_names_channel_and_changes_in_chinese(world):
    created = core_services.user_create(username="zhang3", org_code="BJ", roles=["service_agent"],
                                        display_name="张三", password=PASSWORD, actor=world.admin)
    customer = world.enterprise(name="北京鑫源铜业有限公司")
    person = world.individual(name="王小明")
    client = Client()
    assert client.login(username=world.hq_auditor.username, password=PASSWORD)
    html = client.get("/audit/").content.decode()
    rows = html.split('<td class="num">')[1:]
    assert rows
    created_row = next(r for r in rows if "用户 张三" in r and "用户名" in r)
    assert "创建用户" in created_row and "zhang3" in created_row and "角色" in created_row and "客服" in created_row
    assert "service_agent" not in created_row
    assert f"user #{created.pk}" not in html and "{'" not in html and "': " not in html
    assert "客户 北京鑫源铜业有限公司" in html
    assert "王小明" not in html  # an individual's name stays masked here too
    assert "→" in html or "<table class=\"changes\">" in html
    assert re.search(r"<td>(网页|系统|命令行|演示数据|REST 接口)</td>", html)
    # the customer was created through the service by a customer manager (shown by name, not an id)
    assert person.pk and customer.pk
