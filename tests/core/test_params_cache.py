"""The per-process parameter cache (issue 17): one generation query per request at most, and a parameter
approved by another connection is seen from the next request (scope) on. Real threads, each on its own
database connection, stand in for two processes."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehu.core import services as core_services
from kehu.core.params import get_param, param_scope

CODE = "sec.lockout_failures"


def _approve(world, value: int):
    row = core_services.parameter_propose(code=CODE, value=value, reason="测试",
                                          effective_from=timezone.localdate() - timedelta(days=1), actor=None)
    return core_services.parameter_approve(parameter_id=row.pk, actor=world.admin)


def test_a_scope_asks_the_database_once_and_sees_one_set_of_values(world):
    _approve(world, 7)
    with param_scope(), CaptureQueriesContext(connection) as ctx:
        assert get_param(CODE) == 7
        assert get_param("sec.lockout_minutes") == 30  # the default: no row
        assert get_param(CODE) == 7
    assert len(ctx.captured_queries) <= 2  # the generation, and the rows when they changed
    with param_scope(), CaptureQueriesContext(connection) as ctx:
        assert get_param(CODE) == 7
        assert get_param(CODE) == 7
    assert len(ctx.captured_queries) == 1  # unchanged generation: the cached rows


def test_a_value_approved_on_another_connection_is_seen_by_the_next_scope(tworld):
    assert get_param(CODE) == 5
    seen: dict[str, object] = {}
    approved, checked = threading.Event(), threading.Event()

    def other_process():
        try:
            with param_scope():
                seen["before"] = get_param(CODE)
                approved.wait(60)
                seen["same_request"] = get_param(CODE)  # one request sees one set of values
            with param_scope():
                seen["next_request"] = get_param(CODE)
            seen["outside"] = get_param(CODE)
        finally:
            checked.set()
            connection.close()

    pending = core_services.parameter_propose(code=CODE, value=9, reason="测试", actor=None,
                                              effective_from=timezone.localdate() - timedelta(days=1))
    thread = threading.Thread(target=other_process)
    thread.start()
    while "before" not in seen and thread.is_alive():
        thread.join(0.05)
    # Approved as another process would: committed on another connection, no signal reaches this process.
    with connection.cursor() as cur:
        cur.execute("UPDATE core_ruleparameter SET status = 'approved', approved_at = %s, approved_by_id = %s "
                    "WHERE id = %s", [timezone.now(), tworld.admin.pk, pending.pk])
    approved.set()
    checked.wait(60)
    thread.join(60)
    assert seen == {"before": 5, "same_request": 5, "next_request": 9, "outside": 9}


def test_the_middleware_gives_each_request_a_scope():
    from kehu.core import params

    seen = []

    def view(request):
        seen.append(params._scope.get() is not None)
        from django.http import HttpResponse

        return HttpResponse("ok")

    params.ParamCacheMiddleware(view)(None)
    assert seen == [True]
    assert params._scope.get() is None


def test_a_row_written_in_this_process_is_seen_at_once(world):
    from kehu.core.models import RuleParameter

    with param_scope():
        assert get_param(CODE) == 5
        RuleParameter.objects.create(code=CODE, value=3, status="approved",
                                     effective_from=timezone.localdate() - timedelta(days=1))
        assert get_param(CODE) == 3
