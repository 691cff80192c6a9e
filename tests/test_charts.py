"""Charts of counts have whole-number ticks and none below zero (a grading month with one customer, a
helpdesk analysis with one or two tickets per category, a month of sales)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def tick_numbers(svg: str) -> list[float]:
    return [float(t.replace("−", "-")) for t in re.findall(r">\s*([−-]?\d+(?:\.\d+)?)\s*</text>", svg)]


def assert_counts(svg: str) -> None:
    ticks = tick_numbers(svg)
    assert ticks, "the axis has tick labels"
    assert all(t == int(t) for t in ticks), ticks
    assert min(ticks) >= 0, ticks


def test_helpdesk_bar_chart_counts_in_whole_numbers():
    from kehu.helpdesk.analysis import bar_chart_svg

    assert_counts(bar_chart_svg([("质量", 1), ("交期", 2)], "类别"))
    assert_counts(bar_chart_svg([("质量", 1)], "类别"))


def test_grading_charts_count_in_whole_numbers(gworld, policy):
    from kehu.grading.models import GradeResult
    from kehu.grading.reports import charts
    from kehu.grading.services.run import run_period

    gworld.admit(gworld.enterprise())
    run_period(actor=gworld.hq_office, period="2026-10")
    out = charts(GradeResult.objects.filter(period=date(2026, 10, 1)))
    assert_counts(out["distribution"])
    assert_counts(out["histogram"])


def test_sales_chart_has_no_negative_ticks():
    from kehu.trade.views import sales_chart

    ticks = tick_numbers(sales_chart([(date(2026, 9, 1), Decimal("0")), (date(2026, 10, 1), Decimal("0"))]))
    assert ticks and min(ticks) >= 0


def test_charts_keep_chinese_labels_as_text_in_cjk_fonts_without_glyph_warnings(recwarn):
    """The browser draws the labels (the server may have no CJK font): the SVG holds the Chinese text itself,
    names a CJK family before the Latin one, and drawing it warns about no missing glyph."""
    from django.utils import translation

    from kehu.helpdesk.analysis import bar_chart_svg
    from kehu.trade.views import sales_chart

    svg = bar_chart_svg([("质量问题", 3)], "投诉类别")
    with translation.override("zh-hans"):
        sales = sales_chart([(date(2026, 10, 1), Decimal("25000"))])
    assert "投诉类别" in svg and "质量问题" in svg
    assert ">万元<" in sales  # the axis unit in Chinese (it read "10k CNY")
    for text in (svg, sales):
        family = re.search(r"font-family: ([^;]+);", text).group(1)
        assert family.index("Noto Sans CJK SC") < family.index("DejaVu Sans"), family
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


@pytest.fixture
def gworld(world):
    from tests.grading.conftest import add_grading_users

    from kehu.grading.services import policies  # noqa: F401

    add_grading_users(world)
    import tests.grading.conftest as gc

    admit = world.admit

    def admit_with_facts(customer):
        customer = admit(customer)
        gc.paid_on_time(customer)
        return customer

    world.admit = admit_with_facts
    return world


@pytest.fixture
def policy(gworld):
    from kehu.grading.services import policies

    draft = policies.policy_create(actor=gworld.hq_office, name="默认评分卡")
    return policies.policy_approve(actor=gworld.hq_committee1, policy_id=draft.pk)
