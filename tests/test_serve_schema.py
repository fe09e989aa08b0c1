"""Property test of the explorer's API over its own OpenAPI spec (schemathesis): generated requests, valid and
invalid, never get a server error. Starting trials is left out (each would start a background process); their
input checks are in test_serve.py."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")

from adqsp.faces.serve.app import create_app  # noqa: E402

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(max_jobs=1))


@schema.exclude(method="POST", path="/api/trials").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call()
    assert response.status_code < 500, response.text
