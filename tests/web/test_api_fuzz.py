"""Schemathesis over every route of the workbench API (its OpenAPI document): requests drawn from
each operation's schema, valid and invalid (schemathesis' positive and negative generation), never
get a 500. Runs on a store holding the fixture data, which the import and judgement routes may
change (a fresh store per module)."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from cellmap.web.app import create_app
from cellmap.web.security import Security

from .conftest import small_store, user_token


class _AsAdmin:
    """The app, every request carrying an admin's Bearer token (the fuzzer walks every route)."""

    def __init__(self, app, token: str):
        self.app, self.header = app, (b"authorization", f"Bearer {token}".encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope = {**scope, "headers": [*scope["headers"], self.header]}
        await self.app(scope, receive, send)

    def __getattr__(self, name):
        return getattr(self.app, name)


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    store = small_store(tmp_path_factory.mktemp("api-fuzz"))
    app = create_app(store, Security(allowed_hosts=("*",)))
    yield _AsAdmin(app, user_token(store))
    store.close()


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_route_is_fuzzed_and_none_answers_500(web_app):
    operations = _operations(schemathesis.openapi.from_asgi("/openapi.json", web_app))
    documented = sum(len(methods) for methods in web_app.openapi()["paths"].values())
    assert len(operations) == documented  # every route of the API, not a subset
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    examples = int(os.environ.get("CELLMAP_API_FUZZ_EXAMPLES", "15"))
    for operation in operations:
        # the brief runs every analysis (and Chromium for a PDF): a few inputs keep the suite in
        # budget; its parameters' errors are tested one by one in test_brief.py
        heavy = operation.path == "/api/brief"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=min(examples, 3) if heavy else examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(operation.as_strategy(generation_mode=mode))
            def call(case):
                try:
                    response = case.call()
                except Exception as error:  # noqa: BLE001 — the app raised: a 500 for a client
                    failures.append(f"{case.method} {case.formatted_path}: {error!r}"[:300])
                    return
                statuses[response.status_code // 100] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

            try:
                call()
            except Unsatisfiable:  # no invalid request exists (an operation without parameters)
                assert mode == GenerationMode.NEGATIVE
    assert failures == []
    assert statuses[2] >= 20 and statuses[4] >= 20, statuses  # both answers and refusals reached
