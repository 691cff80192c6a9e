"""Connections to the databases a backup reads from and a restore writes to."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dj_database_url
from django.db import connections
from django.db.utils import load_backend
from django.utils.translation import gettext as _

from .errors import BackupError


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: named by KEHU_PG_DUMP / KEHU_PG_RESTORE, else found on PATH."""
    named = os.environ.get(f"KEHU_{name.upper()}", "").strip()
    path = named or shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(_("%(tool)s was not found: install the PostgreSQL client tools or set KEHU_%(var)s.")
                          % {"tool": name, "var": name.upper()})
    return path


def pg_conninfo(settings_dict: dict) -> dict:
    info = {"dbname": settings_dict.get("NAME") or "", "user": settings_dict.get("USER") or "",
            "host": settings_dict.get("HOST") or "", "port": str(settings_dict.get("PORT") or ""),
            "password": settings_dict.get("PASSWORD") or ""}
    return {k: v for k, v in info.items() if v}


def pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    info = pg_conninfo(settings_dict)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD"),
                     ("dbname", "PGDATABASE")):
        if key in info:
            env[var] = info[key]
    return env


def pg_connect(settings_dict: dict):
    # psycopg is needed only on PostgreSQL: the embedded default never loads it
    import psycopg
    from psycopg.types.string import TextLoader

    conn = psycopg.connect(**pg_conninfo(settings_dict))
    # JSON columns arrive as their text, as through Django's own connection and in SQLite: psycopg's default
    # loader would decode them, and a JSON string value ("" or "abc") would then look like unparsed text to the
    # table hashes and fail to parse (or hash differently from the same row read through Django).
    conn.adapters.register_loader("json", TextLoader)
    conn.adapters.register_loader("jsonb", TextLoader)
    return conn


def target_settings(target: str) -> dict:
    """A restore target: a PostgreSQL URL or a SQLite file path -> a Django database settings dict."""
    base = dict(connections["default"].settings_dict)
    if target.startswith(("postgres://", "postgresql://")):
        parsed = dj_database_url.parse(target)
        base.update(ENGINE="django.db.backends.postgresql", NAME=parsed["NAME"], USER=parsed.get("USER", ""),
                    PASSWORD=parsed.get("PASSWORD", ""), HOST=parsed.get("HOST", ""),
                    PORT=parsed.get("PORT", ""), OPTIONS={})
    elif "://" in target:
        raise BackupError(_("A restore target is a SQLite file path or a postgresql:// URL, got %(t)s.")
                          % {"t": target})
    else:
        base.update(ENGINE="django.db.backends.sqlite3", NAME=str(Path(target).resolve()), USER="", PASSWORD="",
                    HOST="", PORT="", OPTIONS={"transaction_mode": "IMMEDIATE", "timeout": 30,
                                               "init_command": "PRAGMA foreign_keys=ON;"})
    base["CONN_MAX_AGE"] = 0
    base["CONN_HEALTH_CHECKS"] = False
    base["TEST"] = {**base.get("TEST", {}), "NAME": None}
    return base


def vendor_of(settings_dict: dict) -> str:
    return "sqlite" if settings_dict["ENGINE"].endswith("sqlite3") else "postgresql"


def open_alias(alias: str, settings_dict: dict) -> str:
    """Open a connection under ``alias`` for a restore target, in this thread only.

    The wrapper is made directly and never added to ``DATABASES``: the running kehu's configuration stays as
    it is, and nothing else (another thread, a request) can reach the target by accident.
    """

    close_alias(alias)
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    return alias


def close_alias(alias: str) -> None:
    try:
        wrapper = getattr(connections._connections, alias)
    except AttributeError:
        return
    wrapper.close()
    del connections[alias]
