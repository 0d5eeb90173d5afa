"""Constants shared by the service tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token-0123456789"
DINGTALK_SECRET = "test-dingtalk-app-secret"
SOURCE_003 = "003_f31d9fd870de6b80.txt"


class _Getter(Protocol):
    def get(self, url: str) -> Any: ...


def wait_for_job(client: _Getter, location: str, timeout: float = 300.0) -> dict[str, Any]:
    """Poll an upload job (``Location`` of a 202) until it is done, failed or interrupted; its record.

    ``client`` is a TestClient or an ``httpx.Client`` with a ``base_url``.

    Raises:
        AssertionError: still unfinished after ``timeout`` seconds, or the job URL answers non-200.
    """
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(location)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()
        if record["status"] not in ("queued", "running"):
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {record['status']} after {timeout} s: {record}")
        time.sleep(0.05)


def upload_and_wait(
    client: Any, name: str, data: bytes, headers: dict[str, str], timeout: float = 300.0
) -> dict[str, Any]:
    """POST a file to /api/documents (expecting 202) and follow its job to the end; the job record."""
    response = client.post("/api/documents", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == response.json()["location"]
    return wait_for_job(client, response.headers["location"], timeout)
