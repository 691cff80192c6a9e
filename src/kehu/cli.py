"""The ``kehu`` command line for operators.

Every command parses its arguments before Django starts, so ``--help`` and usage errors work even when
the configuration is incomplete. Exit codes: 0 success, 1 refused (a business rule, a configuration or
database problem, a broken audit chain), 2 usage error (argparse), 130 interrupted.

The commands stay thin: they call the services with ``actor=None`` (the operator acting as the
system), and each write is one transaction, so a refused command leaves nothing half-written.
Argument help is English only (it is printed before Django, and so translations, are loaded); what a
command reports after start-up is translated into the operator's locale (``LANG``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from django.utils.translation import gettext as _

from kehu.core.progress import ProgressBars as _ProgressBars

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CommandFailed(Exception):
    """A command cannot go on; the message is printed as it is."""


# ----------------------------------------------------------------------------- start-up


def _language_from_locale() -> str:
    """Return the UI language for the operator's locale: Chinese for zh_*, English otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


def _setup(*, demo: bool = False) -> None:
    """Configure and start Django. May raise ImproperlyConfigured (reported by ``main``)."""
    if demo:
        # Before settings load: demo mode lets settings generate the secret key and data keys under
        # KEHU_HOME instead of refusing to start without them.
        os.environ["KEHU_DEMO"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehu.settings"
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    import django
    from django.utils import translation

    django.setup()
    translation.activate(_language_from_locale())


def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _migrate(verbosity: int = 1) -> None:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _pending_migrations() -> list[str]:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def _database_label() -> str:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {settings['NAME']}"
    host = settings.get("HOST") or "localhost"
    return f"PostgreSQL {settings.get('NAME')} @ {host}:{settings.get('PORT') or 5432}"


# ----------------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    _setup()
    _migrate(verbosity=args.verbosity)
    _out(_("Database ready: %(db)s") % {"db": _database_label()})
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    _setup(demo=True)
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.services import shared_password_hash
    from kehu.customers.demo import DEMO_PASSWORD, load_demo
    from kehu.demo import load_module_demos, module_logins

    _migrate(verbosity=0)
    # Every demo login has the one printed password: hashed once for all of them (Argon2 takes most of a second).
    with shared_password_hash(DEMO_PASSWORD):
        with _ProgressBars() as bars:
            summary = load_demo(progress=lambda done, total: bars(_("Demo customers"), done, total))
        if summary.created:
            c = summary.counts
            _out(_("Demo data loaded: %(customers)d customers, %(applications)d admission applications, "
                   "%(licences)d licences, %(contracts)d contracts.") % c)
        else:
            _out(_("Demo data is already loaded (org unit HQ exists); nothing was changed."))
        for result in load_module_demos():
            if result.created:
                _out(_("%(module)s: demo data loaded.") % {"module": result.label})
            else:
                _out(_("%(module)s: demo data already loaded; nothing was changed.") % {"module": result.label})
    _out()
    _out(_("Demo logins (org unit, role):"))
    for login in summary.logins:
        _out(f"  {login.username:<15} {login.org_code:<5} {', '.join(login.roles):<18} {login.note}")
    for username, org, roles, hint in module_logins({login.username for login in summary.logins}):
        _out(f"  {username:<15} {org:<5} {roles:<18} {hint}")
    _out()
    _out(_("Password for every demo login: %(password)s") % {"password": summary.password})
    if args.seed_only:
        return EXIT_OK
    return _serve(host=args.host, port=args.port, workers=args.workers, job_worker=not args.no_worker)


def _start_job_worker() -> None:
    """Start ``kehu worker --embedded`` beside gunicorn (no broker configured): it runs the background jobs
    the web workers queue in the database, and stops when this process (gunicorn after the exec) is gone."""
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    import subprocess

    os.environ["KEHU_JOB_RUNNER"] = "worker"  # the web workers queue jobs for it instead of running threads
    subprocess.Popen([sys.executable, "-m", "kehu.cli", "worker", "--embedded", "--parent-pid", str(os.getpid())],
                     stdin=subprocess.DEVNULL, env=os.environ.copy())


def _serve(*, host: str, port: int, workers: int, job_worker: bool = True) -> int:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.conf import settings
    from django.db import connections

    pending = _pending_migrations()
    if pending:
        raise CommandFailed(
            _("The database is not up to date (%(n)d migrations pending); run `kehu init` first.") % {"n": len(pending)}
        )
    if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        _err(_("Note: browsers must reach kehu under a name listed in KEHU_ALLOWED_HOSTS (now: %(hosts)s).")
             % {"hosts": ", ".join(settings.ALLOWED_HOSTS)})
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    _out(_("kehu is starting at http://%(host)s:%(port)d/ (press Ctrl+C to stop)") % {"host": shown, "port": port})
    # A fresh process for gunicorn: no database connection or lock of this one leaks into the workers.
    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    if job_worker and not settings.KEHU_BROKER_URL:
        _start_job_worker()
    command = [sys.executable, "-m", "gunicorn", "kehu.wsgi:application", "--bind", f"{host}:{port}",
               "--workers", str(workers), "--access-logfile", "-"]
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    import gunicorn.config

    if hasattr(gunicorn.config, "ControlSocketDisable"):
        # gunicorn >= 25.1 opens a control socket at one fixed path in $HOME: a second kehu (or any
        # other gunicorn) on the machine would take it over. kehu does not use it.
        command.append("--no-control-socket")
    os.execv(sys.executable, command)
    return EXIT_OK  # not reached


def _refuse_keys_in_home() -> None:
    """Outside demo and debug mode the keys come from the environment or files outside KEHU_HOME that the
    operator names; keys lying in KEHU_HOME (a demo's) are not used, and kehu does not start on them."""
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.conf import settings

    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu import conf

    if settings.KEHU_ALLOW_GENERATED_SECRETS:
        return
    missing = [name for name, value in (("KEHU_DATA_KEYS", settings.KEHU_DATA_KEYS),
                                        ("KEHU_AUDIT_KEY", settings.KEHU_AUDIT_KEY)) if not value]
    if not missing:
        return
    in_home = conf.keys_only_in_home(settings.KEHU_HOME)
    found = (_(" Keys were found only in KEHU_HOME (%(files)s); outside demo mode they are not used: move them "
               "to a file outside KEHU_HOME and name it.") % {"files": ", ".join(in_home)}) if in_home else ""
    raise CommandFailed(
        _("kehu will not start without its keys: set %(vars)s (or %(files)s, naming files outside KEHU_HOME)."
          "%(found)s See docs/configuration.md.")
        % {"vars": " and ".join(missing), "files": " and ".join(f"{m}_FILE" for m in missing), "found": found}
    )


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    _refuse_keys_in_home()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.conf import settings

    if settings.KEHU_AUDIT_CHECKPOINT_DIR is None:
        _err(_("Warning: KEHU_AUDIT_CHECKPOINT_DIR is not set; no signed checkpoints of the audit log are "
               "published (see docs/security.md)."))
    return _serve(host=args.host, port=args.port, workers=args.workers, job_worker=not args.no_worker)


def _die_with_parent() -> None:
    """Linux: ask the kernel for SIGTERM when the parent dies, so a worker busy with a long job stops at once
    (elsewhere the worker notices between jobs that its parent is gone)."""
    try:
        # Linux only, in a worker process: loaded where it is used
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM
    except (OSError, AttributeError):
        pass


def cmd_worker(args: argparse.Namespace) -> int:
    if args.embedded:
        _die_with_parent()
        if args.parent_pid and os.getppid() != args.parent_pid:
            return EXIT_OK  # kehu serve stopped before its worker started
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.conf import settings

    if settings.KEHU_BROKER_URL and not args.embedded:
        # Celery runs the jobs: exec its worker on kehu's app (the broker comes from KEHU_BROKER_URL).
        command = [sys.executable, "-m", "celery", "-A", "kehu.celery", "worker", "-Q", "kehu",
                   "--loglevel", args.loglevel, "-P", args.pool]
        if args.concurrency:
            command += ["--concurrency", str(args.concurrency)]
        if args.schedule:
            # Celery beat inside this worker sends the scheduler's tick every minute (instead of cron)
            command += ["--beat", "--schedule", str(settings.KEHU_HOME / "celerybeat-schedule")]
        sys.stdout.flush()
        sys.stderr.flush()
        # Django is set up by the command first (module docstring): kehu and Django modules load after it
        from django.db import connections

        connections.close_all()
        os.execv(sys.executable, command)
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.jobs import worker_loop
    from kehu.core.scheduler import TICK_SECONDS, run_due

    if not args.embedded:
        _out(_("kehu worker: running background jobs from the database (press Ctrl+C to stop)."))
    # kehu serve's worker ticks the scheduler, so one machine runs its monthly, daily and 15-minute jobs
    # without cron; the due slots are queued and this worker runs them like any other job.
    tick = (lambda: run_due(inline=False)) if (args.embedded or args.schedule) and not args.once else None
    ran = worker_loop(parent_pid=args.parent_pid if args.embedded else None, once=args.once, tick=tick,
                      tick_every=TICK_SECONDS)
    if args.once:
        _out(_("%(n)d background jobs run.") % {"n": ran})
    return EXIT_OK


def cmd_org_create(args: argparse.Namespace) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.services import org_unit_create

    unit = org_unit_create(code=args.code, name=args.name, parent_code=args.parent, actor=None)
    _out(_("Created org unit %(code)s %(name)s (%(path)s).") % {"code": unit.code, "name": unit.name,
                                                                 "path": unit.path})
    return EXIT_OK


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise CommandFailed(_("No password on standard input."))
    return password


def cmd_user_create(args: argparse.Namespace) -> int:
    _setup()
    password = _read_password() if args.password_stdin else None
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.db import transaction

    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.services import role_grant, user_create

    departments = list(dict.fromkeys(args.department or []))
    with transaction.atomic():
        user = user_create(
            username=args.username, org_code=args.org, roles=list(dict.fromkeys(args.role)), password=password,
            display_name=args.display_name or "", department=departments[0] if departments else "",
            own_customers_only=args.own_customers_only, actor=None,
        )
        # A department reviewer may speak for several departments: one grant each.
        for department in departments[1:]:
            role_grant(user=user, role="dept_reviewer", org_code=args.org, department=department, actor=None)
    _out(_("Created user %(user)s in %(org)s with roles %(roles)s.")
         % {"user": user.username, "org": args.org, "roles": ", ".join(dict.fromkeys(args.role))})
    if password is None:
        _err(_("The user has no password yet and can only use API tokens (see `kehu token create`)."))
    return EXIT_OK


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.errors import NotFound
    from kehu.core.models import User
    from kehu.core.services import token_create

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise NotFound(_("User %(u)s does not exist.") % {"u": args.username})
    token = token_create(user=user, name=args.name or "", days=args.days, actor=None)
    # Only the token on stdout, so that scripts can capture it: TOKEN=$(kehu token create bob)
    _out(token)
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.audit import PARALLEL_MIN_ROWS, chain_status, problem_label, read_checkpoints, verify_chain
    from kehu.core.errors import InvalidInput
    from kehu.core.models import AuditEvent

    status = chain_status()
    workers = args.workers
    if workers is None:  # as many processes as cores (at most 8), when the chain is long enough to gain
        workers = min(os.cpu_count() or 1, 8) if status.sealed >= PARALLEL_MIN_ROWS else 1
    if workers < 1:
        raise InvalidInput(_("--workers must be at least 1."))
    problems = list(verify_chain(workers=workers))
    total = AuditEvent.objects.count()
    if status.pending:
        _out(_("%(n)d rows are committed but not sealed into the chain yet (the oldest from %(at)s); each one's "
               "own hash verifies. `kehu audit seal` chains them.") % {"n": status.pending,
                                                                       "at": status.oldest_pending})
    checkpoints, _bad = read_checkpoints()
    if checkpoints:
        last = max(checkpoints, key=lambda c: c["last_id"])
        _out(_("Checked against the checkpoint of %(at)s (row %(id)d, %(n)d rows).")
             % {"at": last["at"], "id": last["last_id"], "n": last["count"]})
    else:
        _out(_("No signed checkpoint found; a truncation of the newest rows would go unnoticed "
               "(run `kehu audit checkpoint`)."))
    if not problems:
        _out(_("OK: the audit chain of %(n)d rows is intact.") % {"n": total})
        return EXIT_OK
    for problem in problems:
        row = problem.row_id if problem.row_id is not None else "-"
        _out(_("Row %(row)s: %(kind)s: %(detail)s") % {"row": row, "kind": problem_label(problem.kind),
                                                        "detail": problem.detail})
    _out(_("FAILED: %(n)d problems in the audit chain of %(total)d rows.") % {"n": len(problems), "total": total})
    return EXIT_REFUSED


def cmd_audit_seal(args: argparse.Namespace) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.audit import chain_status, seal

    sealed = seal()
    _out(_("Sealed %(n)d pending rows; the chain holds %(total)d rows.") % {"n": sealed,
                                                                           "total": chain_status().sealed})
    return EXIT_OK


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.audit import checkpoint_path, publish_checkpoint

    body = publish_checkpoint()
    _out(_("Checkpoint written to %(path)s: row %(id)d, %(n)d rows, head %(hash)s.")
         % {"path": checkpoint_path(), "id": body["last_id"], "n": body["count"], "hash": body["head_hash"][:16]})
    return EXIT_OK


def _configured_key_ids() -> list[str]:
    """Key ids already configured, read without starting Django (the config may be incomplete)."""
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.core.exceptions import ImproperlyConfigured

    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu import conf

    raw = conf.env_str("KEHU_DATA_KEYS")
    named = conf.env_str("KEHU_DATA_KEYS_FILE")
    if not raw and named and os.path.exists(named):
        raw = open(named, encoding="utf-8").read().strip()
    if not raw:
        stored = conf.kehu_home() / "data-keys"
        raw = stored.read_text(encoding="utf-8").strip() if stored.exists() else ""
    try:
        return [key_id for key_id, _material in conf.parse_data_keys(raw)] if raw else []
    except ImproperlyConfigured:
        return []


def cmd_keys_generate(args: argparse.Namespace) -> int:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu import conf

    if args.audit:
        print(conf.new_audit_key(), flush=True)
        print("Set it as KEHU_AUDIT_KEY, or write it to a file outside KEHU_HOME named by KEHU_AUDIT_KEY_FILE.\n"
              "Keep it: without it the audit log cannot be verified.", file=sys.stderr)
        return EXIT_OK
    if args.id:
        key_id = args.id
    else:
        numbers = [int(k[1:]) for k in _configured_key_ids() if k[:1] == "k" and k[1:].isdigit()]
        key_id = f"k{max(numbers, default=0) + 1}"
    item = conf.new_data_key_item(key_id)
    conf.parse_data_keys(item)  # the same checks as at start-up (id format)
    print(item, flush=True)
    print(
        "Append it to KEHU_DATA_KEYS (comma-separated, newest last) or to KEHU_HOME/data-keys, restart kehu,\n"
        "run `kehu keys reencrypt`, and drop the old key only once that reports no problem.",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_keys_reencrypt(args: argparse.Namespace) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.keys import reencrypt_all

    with _ProgressBars() as bars:
        stats = reencrypt_all(bars, batch_size=args.batch_size)
    _out(
        _("Re-encrypted %(values)d values in %(rows)d rows, %(hashes)d lookup hashes and %(files)d files "
          "under key %(key)s.") % {**stats, "key": stats["key_id"]}
    )
    if stats["problems"]:
        for problem in stats["problems"]:
            where = f"{problem['object']}.{problem['field']}" if problem["field"] else problem["object"]
            _out(_("Cannot re-encrypt %(where)s: %(problem)s") % {"where": where, "problem": problem["problem"]})
        _out(_("%(n)d values could not be decrypted with any configured key; keep the old keys until they "
               "are resolved.") % {"n": len(stats["problems"])})
        return EXIT_REFUSED
    return EXIT_OK


# `kehu <group> <action> ...` runs the Django management command of a module: each module keeps its
# operator commands as management commands (`<app>_<verb>`), and these are the names operators type.
ALIASES: dict[tuple[str, str], str] = {
    ("accounts", "import"): "accounts_import",
    ("accounts", "ingest"): "accounts_ingest",
    ("accounts", "breaches"): "accounts_breaches",
    ("accounts", "triggers"): "accounts_triggers",
    ("backup", "create"): "backup_create",
    ("backup", "verify"): "backup_verify",
    ("backup", "restore"): "backup_restore",
    ("backup", "prune"): "backup_prune",
    ("backup", "drill"): "backup_drill",
    ("credit", "expire"): "credit_expire",
    ("credit", "reconcile"): "credit_reconcile",
    ("exposure", "month"): "exposure_month",
    ("grading", "reopen"): "grading_reopen",
    ("grading", "run"): "grading_run",
    ("helpdesk", "watch"): "helpdesk_sla_watch",
    ("import", "customers"): "bulk_import_customers",
    ("import", "sales"): "trade_import_sales",
    ("import", "deliveries"): "trade_import_deliveries",
    ("import", "invoices"): "trade_import_invoices",
    ("import", "payments"): "trade_import_payments",
    ("trade", "recalc"): "trade_recalc",
    ("schedule", "run"): "core_schedule_run",
    ("suitability", "expire"): "suitability_expire",
    ("schedule", "list"): "core_schedule_list",
    ("export", "customers"): "bulk_export_customers",
    ("export", "template"): "bulk_export_template",
    ("outbox", "dispatch"): "outbox_dispatch",
    ("reception", "purge"): "reception_purge",
    ("surveys", "dispatch"): "surveys_dispatch",
    ("staff", "score"): "staff_score",
}

# What each module group and each of its commands does, for `kehu GROUP --help` (printed before Django
# starts, so it cannot come from the commands themselves; tests/test_cli.py checks every alias has one).
GROUP_HELP: dict[str, str] = {
    "credit": "bank credit lines: daily expiry, counter reconciliation",
    "exposure": "month-end statistics: freeze, large-credit table, concentration, export",
    "grading": "monthly customer grading: run a month, reopen a closed month",
    "helpdesk": "customer service: the SLA watcher",
    "import": "import customers or trade facts from CSV/XLSX",
    "export": "export customers and the import template",
    "trade": "trade credit: recalculate limits from the grades",
    "schedule": "scheduled jobs: run the due ones, list them",
    "accounts": "personal account tiers: import accounts, ingest transactions, breaches, Class III triggers",
    "backup": "backups: create, verify, restore, prune, the restore drill",
    "suitability": "asset-management suitability: expire questionnaires and cooling-off periods",
    "outbox": "the message outbox: send what is due, retry what failed",
    "reception": "visitor reception: erase old registrations",
    "surveys": "satisfaction surveys: send the surveys that are due",
    "staff": "staff assessment: compute a month's scorecards",
}
ALIAS_HELP: dict[tuple[str, str], str] = {
    ("credit", "expire"): "expire reservations and matured lines, shrink lapsed temporary lines",
    ("credit", "reconcile"): "check every line's counters against its uses and the limit invariant",
    ("exposure", "month"): "freeze a month, draft the large-credit table, check concentration, export",
    ("grading", "reopen"): "reopen a closed grading month so it can be run again (reason audited)",
    ("grading", "run"): "grade every tradable customer for a month (resumable)",
    ("helpdesk", "watch"): "warn near the time limits, record breaches, escalate (every 15 minutes)",
    ("import", "customers"): "import customers (create, update or upsert)",
    ("import", "sales"): "import monthly sales",
    ("import", "deliveries"): "import deliveries",
    ("import", "invoices"): "import invoices",
    ("import", "payments"): "import payments",
    ("trade", "recalc"): "recalculate trade credit limits from a month's grades",
    ("schedule", "run"): "run the scheduled jobs that are due (from cron or a timer)",
    ("schedule", "list"): "list the scheduled jobs and their last runs",
    ("export", "customers"): "export the customers you may see, masked unless you may unmask",
    ("accounts", "import"): "record personal accounts from a CSV file",
    ("accounts", "ingest"): "ingest core-banking transactions: counters, breaches, Class III triggers",
    ("accounts", "breaches"): "write every breach as txn_id,rule",
    ("accounts", "triggers"): "write every Class III 50,000-yuan trigger",
    ("backup", "create"): "make an encrypted backup set while kehu serves",
    ("backup", "verify"): "check a backup set against its manifest",
    ("backup", "restore"): "restore a set into an empty database and check it table by table",
    ("backup", "prune"): "destroy the sets retention no longer keeps",
    ("backup", "drill"): "restore the newest set into a scratch target and record the result",
    ("suitability", "expire"): "expire questionnaires and end cooling-off periods",
    ("outbox", "dispatch"): "send the queued messages, retry the failed ones",
    ("reception", "purge"): "erase registrations of visits not linked to a customer after the retention period",
    ("surveys", "dispatch"): "send the satisfaction surveys that are due",
    ("staff", "score"): "compute the month's scorecards of service and reception staff",
    ("export", "template"): "write the customer import template",
}

# Django's own options of every management command: they still work, but a module command's --help does not
# list them (they are noise to an operator; `kehu manage COMMAND --help` still shows them).
DJANGO_BASE_OPTIONS = {"--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color",
                       "--force-color", "--skip-checks"}

# Every role a user can hold (kehu.core.models.Role; tests/test_cli.py keeps the two lists equal).
ROLES = ("customer_manager", "customer_office", "dept_reviewer", "committee", "auditor", "sysadmin",
         "credit_approver", "risk_officer", "finance_officer", "service_agent", "service_supervisor",
         "sales_manager", "finance_manager", "general_manager", "privacy_officer")


def _alias_available(command: str) -> bool:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from importlib.util import find_spec

    app = command.split("_", 1)[0]
    try:
        return find_spec(f"kehu.{app}.management.commands.{command}") is not None
    except ModuleNotFoundError:
        return False


def _aliases_text() -> str:
    lines = [f"  kehu {group} {action}  (= kehu manage {command})"
             for (group, action), command in sorted(ALIASES.items()) if _alias_available(command)]
    return "Module commands (each has --help):\n" + "\n".join(lines) if lines else ""


def cmd_manage(argv: list[str]) -> int:
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kehu manage", *argv])
    return EXIT_OK


def cmd_module(group: str, action: str, argv: list[str]) -> int:
    """Run a module's management command under its short name, without Django's options in its help."""
    _setup()
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.core.management import get_commands, load_command_class

    name = ALIASES[(group, action)]
    command = load_command_class(get_commands()[name], name)
    make_parser = command.create_parser

    def create_parser(prog_name: str, subcommand: str, **kwargs):
        parser = make_parser(prog_name, subcommand, **kwargs)
        for option in parser._actions:
            if DJANGO_BASE_OPTIONS.intersection(option.option_strings):
                option.help = argparse.SUPPRESS
        return parser

    command.create_parser = create_parser
    command.run_from_argv(["kehu", f"{group} {action}", *argv])
    return EXIT_OK


# ----------------------------------------------------------------------------- parser


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {port}")
    return port


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be {low}-{high}, got {number}")
        return number

    return parse


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on (default: %(default)s)")
    parser.add_argument("--workers", type=_bounded(1, 64), default=2,
                        help="gunicorn worker processes (default: %(default)s)")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start the background-job worker process (another machine runs `kehu worker`)")


def _version() -> str:
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kehu")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kehu",
        description="kehu 客户管理系统: customer management for Chinese enterprises and financial institutions.",
        epilog=_aliases_text() + "\n\nConfiguration comes from environment variables (KEHU_HOME, KEHU_DATABASE_URL, "
               "KEHU_SECRET_KEY, KEHU_DATA_KEYS, ...); see docs/configuration.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kehu {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("init", help="create or upgrade the database (migrate)",
                            description="Create the database tables, or apply pending migrations.")
    p.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=1,
                   help="how much migrate reports: 0 nothing, 1 normal (default), 2-3 more")
    p.set_defaults(handler=cmd_init)

    p = commands.add_parser(
        "demo", help="load demo data and serve it",
        description="Migrate, load the demo data once (a second run changes nothing), print the demo logins "
                    "and serve kehu. Secret key and data keys are generated under KEHU_HOME if missing.",
    )
    p.add_argument("--seed-only", action="store_true", help="load the data and print the logins, do not serve")
    _serve_options(p)
    p.set_defaults(handler=cmd_demo)

    p = commands.add_parser("serve", help="serve the web UI and API with gunicorn",
                            description="Serve kehu.wsgi with gunicorn; static files are served by kehu itself.")
    _serve_options(p)
    p.set_defaults(handler=cmd_serve)

    p = commands.add_parser(
        "worker", help="run background jobs (Celery worker when KEHU_BROKER_URL is set)",
        description="Run the background jobs (imports, exports, month-end freezes, grading runs, ingests, survey dispatch, backups). With "
                    "KEHU_BROKER_URL set this is a Celery worker on that broker; without it, jobs are taken from "
                    "the database (kehu serve starts one such worker itself). See docs/deployment.md.",
    )
    p.add_argument("--once", action="store_true", help="database queue: run what is queued, then stop")
    p.add_argument("--schedule", action="store_true",
                   help="also tick the scheduler every minute, instead of cron (the worker kehu serve starts "
                        "always does; with Celery: beat inside this worker; ticks from several machines claim each slot once)")
    p.add_argument("--concurrency", type=_bounded(1, 64), metavar="N", help="Celery: worker processes or threads")
    p.add_argument("--pool", choices=["prefork", "solo", "threads"], default="prefork",
                   help="Celery: execution pool (default: %(default)s)")
    p.add_argument("--loglevel", choices=["DEBUG", "INFO", "WARNING", "ERROR"], default="INFO",
                   help="Celery: log level (default: %(default)s)")
    p.add_argument("--embedded", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_worker)

    org = commands.add_parser("org", help="org units", description="Manage org units.")
    org_commands = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    p = org_commands.add_parser("create", help="create an org unit",
                                description="Create an org unit (head office, branch, sub-branch, department).")
    p.add_argument("code", metavar="CODE", help="stable code: letters, digits, - or _ (e.g. BJ01)")
    p.add_argument("name", metavar="NAME", help="display name (e.g. 北京分公司)")
    p.add_argument("--parent", metavar="CODE", help="code of the parent org unit")
    p.set_defaults(handler=cmd_org_create)

    user = commands.add_parser("user", help="users", description="Manage users.")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = user_commands.add_parser(
        "create", help="create a user",
        description="Create a user holding one or more roles in an org unit. Roles: " + ", ".join(ROLES) + ".",
    )
    p.add_argument("username", metavar="USERNAME", help="login name of the new user")
    p.add_argument("--org", required=True, metavar="CODE", help="org unit the roles are held in")
    p.add_argument("--role", required=True, action="append", metavar="ROLE", help="a role; repeat for several")
    p.add_argument("--department", action="append", metavar="D",
                   help="for dept_reviewer: enterprise_mgmt, production, finance, audit or safety_env; "
                        "repeat for several")
    p.add_argument("--display-name", metavar="NAME", help="name shown in the UI")
    p.add_argument("--own-customers-only", action="store_true",
                   help="limit a customer manager to the customers assigned to them")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.set_defaults(handler=cmd_user_create)

    token = commands.add_parser("token", help="API tokens", description="Manage API tokens.")
    token_commands = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    p = token_commands.add_parser("create", help="create an API token and print it",
                                  description="Create an API token for USERNAME and print only the token "
                                              "(it is stored hashed and cannot be shown again).")
    p.add_argument("username", metavar="USERNAME", help="the user the token acts as")
    p.add_argument("--name", metavar="N", help="what the token is for")
    p.add_argument("--days", type=_bounded(1, 3650), metavar="D", help="expire after D days (default: never)")
    p.set_defaults(handler=cmd_token_create)

    audit = commands.add_parser("audit", help="audit log", description="Check the audit log.")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    p = audit_commands.add_parser("verify", help="verify the audit hash chain",
                                  description="Walk the hash-chained audit log; exit 1 if a row was edited, "
                                              "deleted or reordered, or if it does not match the last "
                                              "signed checkpoint (a rewrite or a truncation).")
    p.add_argument("--workers", type=int, default=None,
                   help="processes that check the sealed rows (default: the number of cores, at most 8, for "
                        "a chain of 200,000 rows or more; otherwise 1)")
    p.set_defaults(handler=cmd_audit_verify)
    p = audit_commands.add_parser("seal", help="chain the committed rows not sealed yet",
                                  description="Give every committed audit row that is still pending (e.g. left by "
                                              "a process that stopped between its commit and its seal) its "
                                              "place in the hash chain. Safe to run at any time, also beside "
                                              "a running server.")
    p.set_defaults(handler=cmd_audit_seal)
    p = audit_commands.add_parser("checkpoint", help="publish a signed checkpoint of the audit chain",
                                  description="Sign the chain head (last row, hash, count, time) with the audit key "
                                              "and append it to KEHU_AUDIT_CHECKPOINT_DIR/checkpoints.jsonl "
                                              "(and to KEHU_AUDIT_SYSLOG if set).")
    p.set_defaults(handler=cmd_audit_checkpoint)

    keys = commands.add_parser("keys", help="data encryption keys", description="Manage data encryption keys.")
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = keys_commands.add_parser("generate", help="print a new data key item",
                                 description="Print a new 'id:base64key' item for KEHU_DATA_KEYS.")
    p.add_argument("--id", metavar="ID", help="key id (default: the next kN after the configured keys)")
    p.add_argument("--audit", action="store_true", help="print a new audit-chain key (KEHU_AUDIT_KEY) instead")
    p.set_defaults(handler=cmd_keys_generate)
    p = keys_commands.add_parser(
        "reencrypt", help="re-encrypt all data under the newest key",
        description="Re-encrypt every encrypted field, lookup hash and document file under the newest key of "
                    "KEHU_DATA_KEYS. Safe to run again after an interruption.",
    )
    p.add_argument("--batch-size", type=_bounded(1, 100000), default=500, metavar="N",
                   help="rows per transaction (default: %(default)s)")
    p.set_defaults(handler=cmd_keys_reencrypt)

    # The module groups: `kehu GROUP ACTION ...` never reaches these parsers (main runs the module's
    # command); they answer `kehu GROUP`, `kehu GROUP --help` and an unknown ACTION with the list of actions.
    for group, group_help in GROUP_HELP.items():
        actions = sorted((action, ALIAS_HELP[(g, action)]) for (g, action) in ALIASES if g == group)
        module = commands.add_parser(group, help=group_help, description=group_help[:1].upper() + group_help[1:]
                                     + f". Each command has its own --help (kehu {group} ACTION --help).")
        module_commands = module.add_subparsers(dest=f"{group}_command", metavar="ACTION", required=True)
        for action, action_help in actions:
            module_commands.add_parser(action, help=action_help, add_help=False)

    commands.add_parser("manage", help="run a Django management command (kehu manage help)",
                        description="Pass everything after 'manage' to Django's manage.py.", add_help=False)
    return parser


# ----------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    # Django is set up by the command first (module docstring): kehu and Django modules load after it
    from kehu.core.errors import DomainError

    try:
        if argv and argv[0] == "manage":
            # Django parses its own options (including --help); argparse would take them for ours.
            return cmd_manage(argv[1:])
        if len(argv) >= 2 and (argv[0], argv[1]) in ALIASES:
            return cmd_module(argv[0], argv[1], argv[2:])
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except DomainError as exc:
        _err(f"kehu: {exc.message}")
        return EXIT_REFUSED
    except CommandFailed as exc:
        _err(f"kehu: {exc}")
        return EXIT_REFUSED
    except ImproperlyConfigured as exc:
        _err(f"kehu: configuration error: {exc}")
        return EXIT_REFUSED
    except DatabaseError as exc:
        _err(f"kehu: database error: {str(exc).strip()}")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        _err("kehu: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`kehu ... | head`): stop quietly, and keep Python's exit-time flush of
        # stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
