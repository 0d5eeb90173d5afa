"""Property test: no request body sent to /api/ask or /v1/chat/completions makes the service fail (5xx)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Question texts: Chinese, mixed scripts, control characters, very long, whitespace only.
questions = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("谁牵头企业开办一网通办？市场监管局 2023年\n\t\x00<>&\"'"), max_size=60),
    st.text(min_size=500, max_size=530),
    st.just("   "),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
ask_bodies = st.one_of(
    st.fixed_dictionaries(
        {"question": st.one_of(questions, json_values)},
        optional={"top_k": st.one_of(st.integers(-3, 60), json_values), "extra": json_values},
    ),
    json_values,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=ask_bodies)
def test_ask_never_fails(client: TestClient, body: Any) -> None:
    response = client.post("/api/ask", content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 422), response.text
    detail = response.json().get("detail")
    if response.status_code == 422:
        assert isinstance(detail, str) and " / " in detail


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_ask_survives_arbitrary_bytes(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 422)


chat_bodies = st.fixed_dictionaries(
    {
        "messages": st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["user", "system", "assistant", "tool"]),
                    "content": st.one_of(questions, st.none(), json_values),
                }
            ),
            max_size=3,
        )
    },
    optional={"stream": st.booleans(), "model": json_values, "top_k": json_values},
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=chat_bodies)
def test_chat_never_fails(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(
        "/v1/chat/completions", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (200, 422), response.text


upload_names = st.one_of(
    st.sampled_from(["a.txt", "b.docx", "c.pdf", "d.html", "e.htm", "f.exe", "g", "../h.txt", "政策.TXT", ".x.txt"]),
    st.text(max_size=20),
)
policy_chars = st.sampled_from("一、(一)1.牵头单位:市商务局 完成时限:2024年底前<script>\n")
upload_bytes = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet=policy_chars, max_size=120).map(str.encode),
    st.sampled_from([b"PK\x03\x04", b"%PDF-1.4\n", b"<html><body>", b"\xef\xbb\xbf"]).flatmap(
        lambda head: st.binary(max_size=100).map(lambda tail: head + tail)
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=upload_names, data=upload_bytes)
def test_uploads_never_fail(writable_client: TestClient, admin: dict[str, str], name: str, data: bytes) -> None:
    response = writable_client.post("/api/documents", files={"file": (name, data)}, headers=admin)
    assert response.status_code in (202, 400, 409, 413, 415, 422), response.text
    assert " / " in response.json().get("detail", " / ")
