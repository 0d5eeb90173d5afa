"""Locust load for a running policy-qa service: a realistic mix of the JSON API, no think time.

Each user sends its next request as soon as the previous one is answered, so N users are N concurrent
clients. Per 17 requests: 10 ``POST /api/ask`` and 3 ``GET /api/search`` with questions drawn from
eval/data/questions.jsonl, 2 ``GET /api/tasks`` filtered by a unit those questions name, 1
``GET /api/documents`` and 1 ``GET /healthz``. A 2xx whose JSON lacks the expected field counts as a
failure. Only loopback hosts are accepted (see :func:`benchmarks.soak.is_loopback_url`).

Example (from the repository root, which locust puts on ``sys.path``):
    locust -f benchmarks/locustfile.py --host http://127.0.0.1:8000 --headless -u 20 -r 20 -t 60s

``python benchmarks/soak.py`` runs this file and also samples the server's memory.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, task
from locust.clients import ResponseContextManager
from locust.exception import StopTest

from benchmarks.soak import is_loopback_url

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "eval" / "data" / "questions.jsonl"
#: Seconds before a request is given up and counted as a failure.
REQUEST_TIMEOUT_S = 30.0


def load_questions(path: Path) -> list[dict[str, Any]]:
    """The judged questions, one JSON object a line (``question``, ``expect``: lead_units, units …)."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def expected_units(questions: list[dict[str, Any]]) -> list[str]:
    """Every unit the questions expect as lead or other unit, once each, in first-seen order."""
    units: dict[str, None] = {}
    for question in questions:
        expect = question.get("expect") or {}
        for unit in [*(expect.get("lead_units") or []), *(expect.get("units") or [])]:
            units[unit] = None
    return list(units)


def problem(response: ResponseContextManager, field: str) -> str | None:
    """Why ``response`` counts as a failure: no response at all, not 2xx, or a JSON object without ``field``.

    Short and free of the URL, so that locust counts each kind of failure under one key.
    """
    if response.error is not None:
        return type(response.error).__name__  # ConnectionError, ReadTimeout …
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return "response is not JSON"
    if not isinstance(body, dict) or field not in body:
        return f"no {field!r} in the response"
    return None


_RECORDS = load_questions(QUESTIONS_FILE)
QUESTIONS = [record["question"] for record in _RECORDS]
UNITS = expected_units(_RECORDS)


class PolicyQaUser(HttpUser):
    """One client of the service that never pauses between requests."""

    wait_time = constant(0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        if not is_loopback_url(self.host or ""):
            raise StopTest(f"refusing to load {self.host!r}: only 127.0.0.0/8, localhost and ::1 are allowed")

    def _json(self, method: str, path: str, name: str, field: str, **kwargs: Any) -> None:
        """Send one request and record it as a failure when :func:`problem` finds one."""
        with self.client.request(
            method, path, name=name, timeout=REQUEST_TIMEOUT_S, catch_response=True, **kwargs
        ) as response:
            if (error := problem(response, field)) is not None:
                response.failure(error)

    @task(10)
    def ask(self) -> None:
        self._json("POST", "/api/ask", "/api/ask", "answer", json={"question": random.choice(QUESTIONS), "top_k": 5})

    @task(3)
    def search(self) -> None:
        params = {"q": random.choice(QUESTIONS), "mode": "hybrid", "top_k": 10}
        self._json("GET", "/api/search", "/api/search", "results", params=params)

    @task(2)
    def tasks_of_unit(self) -> None:
        self._json("GET", "/api/tasks", "/api/tasks?unit=", "tasks", params={"unit": random.choice(UNITS)})

    @task(1)
    def documents(self) -> None:
        self._json("GET", "/api/documents", "/api/documents", "documents")

    @task(1)
    def healthz(self) -> None:
        self._json("GET", "/healthz", "/healthz", "status")
