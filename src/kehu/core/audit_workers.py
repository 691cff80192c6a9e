"""The processes of a parallel audit verification (``kehu audit verify --workers N``, P12).

Each process checks one range of sealed rows through :func:`kehu.core.audit.verify_part` on its own database
connection. They are started with ``spawn``, not ``fork``: a forked child would share the parent's open
database connection (closing it there would close the parent's). A spawned child imports this module before
Django is set up, so it imports nothing of Django or kehu at the top; ``_start`` sets Django up first.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _start(db_settings: dict[str, Any], using: str, language: str | None) -> None:
    """Set Django up in the child, on the database the parent verifies (a test database has another name than
    the settings give), speaking the parent's language (the problems' details are read by its user)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    # this module is imported before Django is set up (the module's docstring): Django loads here, in order
    import django

    django.setup()
    # the connections and translations read the settings, which exist only now
    from django.db import connections

    connections[using].settings_dict.update(db_settings)
    if language:
        # the settings exist only after django.setup() above
        from django.utils import translation

        translation.activate(language)


def _part(job: dict[str, Any], using: str) -> dict[str, Any]:
    # Django is set up by _start when this runs in a child process
    from kehu.core.audit import verify_part

    return verify_part(**job, using=using)


def run_parts(jobs: list[dict[str, Any]], *, using: str = "default") -> list[dict[str, Any]]:
    """Run each job (``verify_part``'s arguments) in its own process; the results in the jobs' order."""
    if not jobs:
        return []
    # Django is set up in the parent, which asks this; the children get its database's name and place
    from django.db import connections
    from django.utils import translation

    db: dict[str, Any] = dict(connections[using].settings_dict)
    db_settings: dict[str, Any] = {k: db[k] for k in ("NAME", "HOST", "PORT", "USER", "PASSWORD") if k in db}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context, initializer=_start,
                             initargs=(db_settings, using, translation.get_language())) as pool:
        return list(pool.map(_part, jobs, [using] * len(jobs)))
