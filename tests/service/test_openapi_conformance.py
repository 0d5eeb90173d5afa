"""What schemathesis (benchmarks/schemathesis_run.sh) found, pinned: no 5xx for bad input, the
OpenAPI document describes the bodies and statuses the service really sends, 405s list every method.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.helpers import SOURCE_003, wait_for_job


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.removeprefix("#/components/schemas/")
    return dict(spec["components"]["schemas"][name])


def _check(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "body") -> None:
    """A small JSON-schema check (type, required, properties, items): enough for the error bodies."""
    schema = _resolve(spec, schema)
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _check(spec, option, value, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: {value!r} matches no anyOf option: {errors}")
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if kind in types:
        assert isinstance(value, types[kind]), f"{where}: {value!r} is not {kind}"
    if kind == "object":
        for name in schema.get("required", []):
            assert name in value, f"{where}: {name!r} is required"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                _check(spec, sub, value[name], f"{where}.{name}")
    if kind == "array":
        for i, item in enumerate(value):
            _check(spec, schema.get("items", {}), item, f"{where}[{i}]")


def _documented_body(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path}: status {status} is not documented"
    return dict(responses[str(status)]["content"]["application/json"]["schema"])


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


# --- the one 5xx: POST /webhook/dingtalk answered 503 when no appSecret is configured ------------
# (test_webhook.py::test_webhook_is_disabled_without_a_secret checks the 404 that replaced it)


def test_disabled_webhook_is_documented_as_404(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/webhook/dingtalk"]["post"]["responses"]
    assert "404" in responses
    assert not any(status.startswith("5") for status in responses)


# --- 422 bodies: FastAPI documented {"detail": [ValidationError]}, the service sends a string ---


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("post", "/api/ask", {}),  # no body at all
        ("post", "/api/ask", {"json": {"question": ""}}),  # our validator's bilingual message
        ("post", "/api/ask", {"json": {"question": "谁牵头？", "top_k": "5"}}),
        ("get", "/api/search", {"params": {"q": ""}}),  # a domain error (InvalidQueryError)
        ("get", "/api/tasks", {"params": {"lead_only": True}}),
        ("get", "/api/tasks", {"params": {"format": "pdf"}}),
        ("post", "/v1/chat/completions", {"json": {"messages": [{"role": "system", "content": "x"}]}}),
    ],
)
def test_422_bodies_match_the_documented_schema(
    client: TestClient, spec: dict[str, Any], method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = client.request(method.upper(), path, **kwargs)
    assert response.status_code == 422
    body = response.json()
    _check(spec, _documented_body(spec, path, method, 422), body)
    assert isinstance(body["detail"], str) and " / " in body["detail"]


def test_every_documented_error_has_a_body_schema(spec: dict[str, Any]) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert "application/json" in response.get("content", {}), f"{method} {path} {status}"
    detail = spec["components"]["schemas"]["HTTPValidationError"]["properties"]["detail"]
    assert detail["type"] == "string"


# --- statuses the routes send but did not document ----------------------------------------------


def test_tasks_documents_its_404_and_downloads(client: TestClient, spec: dict[str, Any]) -> None:
    response = client.get("/api/tasks", params={"source": "no-such-file.txt"})
    assert response.status_code == 404
    _check(spec, _documented_body(spec, "/api/tasks", "get", 404), response.json())
    content = spec["paths"]["/api/tasks"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= content.keys()


# --- the spec said less than the validators check, so valid-looking input was refused ------------


def test_question_constraints_are_in_the_spec(spec: dict[str, Any]) -> None:
    question = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["minLength"] == 1 and question["maxLength"] == 512 and question["pattern"] == r"\S"
    (q,) = [p for p in spec["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["pattern"] == r"\S"


@pytest.mark.parametrize("name", ["due_before", "due_after"])
def test_date_filters_are_iso_dates_or_empty(client: TestClient, spec: dict[str, Any], name: str) -> None:
    (param,) = [p for p in spec["paths"]["/api/tasks"]["get"]["parameters"] if p["name"] == name]
    assert {"type": "string", "format": "date"} in param["schema"]["anyOf"]
    assert client.get("/api/tasks", params={name: "2023-08-31"}).status_code == 200
    assert client.get("/api/tasks", params={name: ""}).status_code == 200  # an empty form field
    # Other spellings date.fromisoformat takes would be compared as strings against YYYY-MM-DD.
    for bad in ("20230831", "2023-W35-4", "2023-02-30", "２０２３-０８-３１"):
        response = client.get("/api/tasks", params={name: bad})
        assert response.status_code == 422, bad
        assert "YYYY-MM-DD" in response.json()["detail"]


def test_compact_dates_no_longer_filter_wrongly(client: TestClient) -> None:
    # "20230831" used to be accepted and compared as a string: every "2023-…" deadline sorts
    # before it, so due_before kept deadlines of 2024 and later too.
    assert client.get("/api/tasks", params={"due_before": "20230831"}).status_code == 422
    dated = client.get("/api/tasks", params={"due_before": "2023-08-31", "source": SOURCE_003}).json()
    assert all(t["deadline_date"] <= "2023-08-31" for t in dated["tasks"])


# --- the spec said integer / boolean; pydantic's lax mode took true, "5", "yes" --------------------


@pytest.mark.parametrize("top_k", [True, "5", None, 5.5])
def test_ask_top_k_must_be_a_json_integer(client: TestClient, top_k: Any) -> None:
    response = client.post("/api/ask", json={"question": "谁牵头企业开办一网通办？", "top_k": top_k})
    assert response.status_code == 422
    assert "top_k" in response.json()["detail"]


def test_ask_top_k_may_be_written_as_a_float_without_fraction(client: TestClient) -> None:
    # JSON Schema counts 3.0 as an integer, so a schema-valid request must be accepted.
    response = client.post("/api/ask", json={"question": "谁牵头企业开办一网通办？", "top_k": 3.0})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 3


@pytest.mark.parametrize("extra", [{"stream": "yes"}, {"stream": 1}, {"top_k": True}])
def test_chat_stream_and_top_k_types(client: TestClient, extra: dict[str, Any]) -> None:
    body = {"messages": [{"role": "user", "content": "谁牵头企业开办一网通办？"}], **extra}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 422


# --- 405: Allow named only the first matching route's method ---------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", f"/api/documents/{SOURCE_003}", {"GET", "DELETE"}),
        ("PUT", "/api/documents", {"GET", "POST"}),
        ("GET", "/api/ask", {"POST"}),
        ("POST", "/healthz", {"GET"}),
        ("POST", "/static/app.js", {"GET", "HEAD"}),  # StaticFiles' own Allow is kept
    ],
)
def test_405_allow_lists_every_method_of_the_path(client: TestClient, method: str, path: str, allow: set[str]) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == allow
    assert response.json()["detail"] == "不支持该请求方法 / Method Not Allowed"


# --- uploads answer 202 with the job; the job's body is the documented JobRecord ------------------


def test_upload_job_bodies_match_the_documented_schema(
    writable_client: TestClient, admin: dict[str, str], spec: dict[str, Any]
) -> None:
    text = "某市测试方案\n一、重点任务\n(一)推进测试工作。(牵头单位:市商务局 完成时限:2025年6月底前)\n"
    response = writable_client.post("/api/documents", files={"file": ("测试.txt", text.encode())}, headers=admin)
    assert response.status_code == 202
    documented = spec["paths"]["/api/documents"]["post"]["responses"]["202"]
    assert "Location" in documented["headers"]
    _check(spec, documented["content"]["application/json"]["schema"], response.json())
    job = wait_for_job(writable_client, response.headers["location"])
    _check(spec, _documented_body(spec, "/api/jobs/{job_id}", "get", 200), job)
    listed = writable_client.get("/api/jobs").json()
    _check(spec, _documented_body(spec, "/api/jobs", "get", 200), listed)
    missing = writable_client.get("/api/jobs/nope")
    assert missing.status_code == 404
    _check(spec, _documented_body(spec, "/api/jobs/{job_id}", "get", 404), missing.json())
    assert "503" in spec["paths"]["/api/documents"]["post"]["responses"]
