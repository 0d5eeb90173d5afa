"""The Feishu event callback: URL verification, token and signature checks, decryption, the reply API call.

Feishu's open API is played by a small local HTTP server (127.0.0.1) that records the calls; the
test encrypts and signs bodies by Feishu's documented scheme itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from service.app import create_app
from service.feishu import FeishuError, read_callback
from tests.service.conftest import _free_port, make_settings

TOKEN = "v3rification-t0ken"
ENCRYPT_KEY = "test-encrypt-key"


def encrypt(payload: dict[str, Any]) -> bytes:
    key = hashlib.sha256(ENCRYPT_KEY.encode()).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(payload).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    encrypted = base64.b64encode(iv + encryptor.update(plain) + encryptor.finalize()).decode()
    return json.dumps({"encrypt": encrypted}).encode()


def signed(body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "n0nce"
    digest = hashlib.sha256((timestamp + nonce + ENCRYPT_KEY).encode() + body).hexdigest()
    return {"X-Lark-Request-Timestamp": timestamp, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": digest}


def message_event(text: str, event_id: str, message_type: str = "text") -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {"event_id": event_id, "token": TOKEN, "event_type": "im.message.receive_v1", "app_id": "cli_x"},
        "event": {
            "sender": {"sender_id": {"open_id": "ou_user1"}, "sender_type": "user"},
            "message": {
                "message_id": f"om_{event_id}",
                "chat_id": "oc_chat1",
                "chat_type": "group",
                "message_type": message_type,
                "content": json.dumps({"text": f"@_user_1 {text}"}, ensure_ascii=False),
            },
        },
    }


@pytest.fixture(scope="module")
def feishu_api() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A stand-in for open.feishu.cn on 127.0.0.1: issues a token and records replies."""
    calls: list[dict[str, Any]] = []
    api = FastAPI()

    @api.post("/open-apis/auth/v3/tenant_access_token/internal")
    async def token(request: Request) -> dict[str, Any]:
        body = await request.json()
        ok = body == {"app_id": "cli_x", "app_secret": "s3cret"}
        return {"code": 0 if ok else 10014, "msg": "ok", "tenant_access_token": "t-abc", "expire": 7200}

    @api.post("/open-apis/im/v1/messages/{message_id}/reply")
    async def reply(message_id: str, request: Request) -> dict[str, Any]:
        calls.append({"message_id": message_id, "auth": request.headers.get("authorization"), **await request.json()})
        return {"code": 0, "msg": "success", "data": {}}

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", calls
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def feishu(
    built_index: Path, tmp_path_factory: pytest.TempPathFactory, feishu_api: tuple[str, list[dict[str, Any]]]
) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path_factory.mktemp("feishu"),
        built_index,
        feishu_app_id="cli_x",
        feishu_app_secret="s3cret",
        feishu_verification_token=TOKEN,
        feishu_encrypt_key=ENCRYPT_KEY,
        feishu_api_base=feishu_api[0],
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_url_verification_plain_and_encrypted(feishu: TestClient) -> None:
    challenge = {"type": "url_verification", "token": TOKEN, "challenge": "ajls384kdjx98XX"}
    assert feishu.post("/webhook/feishu", json=challenge).json() == {"challenge": "ajls384kdjx98XX"}
    assert feishu.post("/webhook/feishu", content=encrypt(challenge)).json() == {"challenge": "ajls384kdjx98XX"}
    wrong = feishu.post("/webhook/feishu", json={**challenge, "token": "other"})
    assert wrong.status_code == 403 and "飞书回调校验失败" in wrong.json()["detail"]


def test_message_is_answered_through_the_reply_api(
    feishu: TestClient, feishu_api: tuple[str, list[dict[str, Any]]]
) -> None:
    calls = feishu_api[1]
    calls.clear()
    body = encrypt(message_event("岳阳片区谁牵头企业开办一网通办？", "ev1"))
    assert feishu.post("/webhook/feishu", content=body, headers=signed(body)).json() == {}
    body = encrypt(message_event("那什么时候完成？", "ev2"))
    feishu.post("/webhook/feishu", content=body, headers=signed(body))
    assert [c["message_id"] for c in calls] == ["om_ev1", "om_ev2"]
    assert all(c["auth"] == "Bearer t-abc" and c["msg_type"] == "text" for c in calls)
    first, follow_up = (json.loads(c["content"])["text"] for c in calls)
    assert "市市场监管局" in first and "\n\n[1] 《" in first
    assert follow_up.startswith("（接上一问：岳阳片区 企业开办一网通办）完成时限：2023年8月底前")


def test_redelivered_event_is_answered_once(feishu: TestClient, feishu_api: tuple[str, list[dict[str, Any]]]) -> None:
    calls = feishu_api[1]
    calls.clear()
    for _ in range(2):
        body = encrypt(message_event("咸宁“退更免”业务全程电子化谁牵头？", "ev-same"))
        feishu.post("/webhook/feishu", content=body, headers=signed(body))
    assert len(calls) == 1


def test_bad_signature_and_malformed_bodies(feishu: TestClient) -> None:
    body = encrypt(message_event("你好", "ev3"))
    headers = {**signed(body), "X-Lark-Signature": "0" * 64}
    assert feishu.post("/webhook/feishu", content=body, headers=headers).status_code == 403
    assert feishu.post("/webhook/feishu", content=b"not json").status_code == 400
    assert feishu.post("/webhook/feishu", content=b'{"encrypt": "bm90IGFlcw=="}').status_code == 400


def test_disabled_without_settings(client: TestClient) -> None:
    assert client.post("/webhook/feishu", json={"type": "url_verification"}).status_code == 404


def test_partial_settings_are_refused_in_production() -> None:
    from pydantic import ValidationError

    from service.settings import Settings
    from tests.service.helpers import ADMIN_TOKEN

    with pytest.raises(ValidationError, match="POLICYQA_FEISHU_APP_SECRET"):
        Settings(environment="production", admin_token=ADMIN_TOKEN, feishu_app_id="cli_x")  # type: ignore[arg-type]
    assert not Settings(admin_token=ADMIN_TOKEN, feishu_app_id="cli_x").feishu_enabled  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=100).map(lambda t: json.dumps({"encrypt": t}).encode()))
def test_untrusted_bodies_fail_with_a_feishu_error(body: bytes) -> None:
    try:
        read_callback(body, {}, TOKEN, ENCRYPT_KEY)
    except FeishuError as exc:
        assert exc.status in (400, 403)
