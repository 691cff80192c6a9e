"""The REST API as a client calls it: `ApiClient` and the `api` fixture. tests/customers/conftest.py and
tests/core/conftest.py import the fixture; tests elsewhere build an ApiClient on their own world."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kehu.core.services import token_create


class ApiClient:
    """Calls the REST API as a client would: JSON bodies, Bearer tokens."""

    def __init__(self, world) -> None:
        self.world = world
        self.client = Client()
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = token_create(user=self.world.users[username], actor=None)
        return self.tokens[username]

    def call(self, username: str | None, method: str, path: str, body=None, *, raw: bytes | None = None,
             content_type: str = "application/json", **extra):
        headers = {}
        if username:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token(username)}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        fn = getattr(self.client, method.lower())
        if method.upper() in ("GET", "DELETE") and data is None:
            return fn("/api/v1" + path, **headers, **extra)
        return fn("/api/v1" + path, data=data, content_type=content_type, **headers, **extra)

    def get(self, username, path, **kw):
        return self.call(username, "GET", path, **kw)

    def post(self, username, path, body=None, **kw):
        return self.call(username, "POST", path, body, **kw)

    def patch(self, username, path, body=None, **kw):
        return self.call(username, "PATCH", path, body, **kw)

    def delete(self, username, path, **kw):
        return self.call(username, "DELETE", path, **kw)


@pytest.fixture
def api(world):
    return ApiClient(world)
