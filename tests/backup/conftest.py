"""Restore targets for the backup tests: a fresh SQLite path, or an empty PostgreSQL database made for the test
on the server the suite uses (127.0.0.1:5432 unless KEHU_TEST_PG_URL names another)."""

from __future__ import annotations

import os
import uuid

import pytest


def _server() -> str:
    return os.environ.get("KEHU_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")


@pytest.fixture
def pg_target():
    import psycopg

    made = []

    def make() -> str:
        name = f"kehu_h8_bk_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_server() + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{_server()}/{name}"

    yield make
    with psycopg.connect(_server() + "/postgres", autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
