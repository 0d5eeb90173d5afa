"""The WeCom callback: URL verification, signature, AES decryption and the encrypted passive reply.

The test encrypts, signs and decrypts by WeCom's documented scheme itself (``cryptography``'s own
PKCS#7 padder with 256-bit blocks, hashlib for the signature), not with service.wecom.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from service.app import create_app
from service.settings import Settings
from service.wecom import WeComCrypto, WeComError, parse_xml
from tests.service.conftest import make_settings
from tests.service.helpers import ADMIN_TOKEN

CORP_ID = "ww0123456789abcdef"
TOKEN = "QDG6eK"
AES_KEY_TEXT = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
KEY = base64.b64decode(AES_KEY_TEXT + "=")


def sign(timestamp: str, nonce: str, encrypted: str, token: str = TOKEN) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def encrypt(message: str, corp_id: str = CORP_ID) -> str:
    raw = message.encode()
    padder = padding.PKCS7(256).padder()
    plain = padder.update(os.urandom(16) + struct.pack(">I", len(raw)) + raw + corp_id.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str) -> tuple[str, str]:
    decryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).decryptor()
    padded = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    unpadder = padding.PKCS7(256).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


def user_message(content: str, msg_type: str = "text", user: str = "zhangsan") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>1348831860</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>1234567890123456</MsgId><AgentID>1000002</AgentID></xml>"
    )


@pytest.fixture(scope="module")
def wecom(built_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path_factory.mktemp("wecom"),
        built_index,
        wecom_corp_id=CORP_ID,
        wecom_token=TOKEN,
        wecom_encoding_aes_key=AES_KEY_TEXT,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def post(client: TestClient, message: str, **override: str) -> tuple[int, str]:
    """POST ``message`` as WeCom would; returns the status and the decrypted reply ("" if none)."""
    encrypted = encrypt(message)
    params = {"timestamp": str(int(time.time())), "nonce": "1372623149"}
    params["msg_signature"] = sign(params["timestamp"], params["nonce"], encrypted)
    params.update(override)
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        "<AgentID><![CDATA[1000002]]></AgentID></xml>"
    )
    response = client.post("/webhook/wecom", params=params, content=body.encode())
    if response.status_code != 200 or not response.content:
        return response.status_code, ""
    reply = parse_xml(response.content)
    assert reply["MsgSignature"] == sign(reply["TimeStamp"], reply["Nonce"], reply["Encrypt"])
    assert reply["Nonce"] == params["nonce"]
    plain, corp_id = decrypt(reply["Encrypt"])
    assert corp_id == CORP_ID
    inner = parse_xml(plain.encode())
    assert inner["ToUserName"] == "zhangsan" and inner["MsgType"] == "text"
    return 200, inner["Content"]


def test_url_verification_echoes_the_decrypted_echostr(wecom: TestClient) -> None:
    echostr = encrypt("5927782489442352469")
    params = {"timestamp": "1409659589", "nonce": "263014780", "echostr": echostr}
    params["msg_signature"] = sign(params["timestamp"], params["nonce"], echostr)
    response = wecom.get("/webhook/wecom", params=params)
    assert response.status_code == 200 and response.text == "5927782489442352469"
    bad = wecom.get("/webhook/wecom", params={**params, "msg_signature": "0" * 40})
    assert bad.status_code == 403 and "企业微信回调校验失败" in bad.json()["detail"]
    assert wecom.get("/webhook/wecom", params={"echostr": echostr}).status_code == 400


def test_text_message_gets_an_encrypted_answer_with_citations(wecom: TestClient) -> None:
    status, content = post(wecom, user_message("岳阳片区谁牵头企业开办一网通办？"))
    assert status == 200
    answer, _, citations = content.partition("\n\n")
    assert "市市场监管局" in answer and "2023年8月底前" in answer
    assert citations.startswith("[1] 《") and "[4]" not in citations


def test_follow_up_is_read_against_the_senders_last_question(wecom: TestClient) -> None:
    post(wecom, user_message("岳阳片区谁牵头企业开办一网通办？", user="zhangsan"))
    _, content = post(wecom, user_message("湖北省的呢？", user="zhangsan"))
    assert content.startswith("（接上一问：湖北省 企业开办一网通办）") and "省市场监管局" in content


def test_other_message_types(wecom: TestClient) -> None:
    assert "只支持文字" in post(wecom, user_message("", msg_type="image"))[1]
    assert post(wecom, user_message("", msg_type="event")) == (200, "")


@pytest.mark.parametrize(
    ("override", "status"),
    [({"msg_signature": "f" * 40}, 403), ({"msg_signature": ""}, 400), ({"nonce": "another"}, 403)],
    ids=["wrong-signature", "no-signature", "tampered-nonce"],
)
def test_bad_signature_is_refused(wecom: TestClient, override: dict[str, str], status: int) -> None:
    assert post(wecom, user_message("你好"), **override)[0] == status


def test_message_for_another_corp_is_refused(wecom: TestClient) -> None:
    encrypted = encrypt(user_message("你好"), corp_id="wwsomeoneelse")
    ts, nonce = "1409659589", "1"
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    params = {"timestamp": ts, "nonce": nonce, "msg_signature": sign(ts, nonce, encrypted)}
    assert wecom.post("/webhook/wecom", params=params, content=body.encode()).status_code == 403


@pytest.mark.parametrize(
    "body",
    [b"not xml", b'<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', b"<xml></xml>"],
    ids=["not-xml", "entity", "no-encrypt"],
)
def test_malformed_body_is_400(wecom: TestClient, body: bytes) -> None:
    params = {"timestamp": "1", "nonce": "1", "msg_signature": "x"}
    assert wecom.post("/webhook/wecom", params=params, content=body).status_code == 400


def test_disabled_without_settings(client: TestClient) -> None:
    assert client.get("/webhook/wecom", params={"echostr": "x"}).status_code == 404
    assert client.post("/webhook/wecom", content=b"<xml/>").status_code == 404


def test_partial_or_malformed_settings_are_refused_in_production() -> None:
    base = {"environment": "production", "admin_token": ADMIN_TOKEN}
    with pytest.raises(ValidationError, match="POLICYQA_WECOM_TOKEN"):
        Settings(**base, wecom_corp_id=CORP_ID, wecom_encoding_aes_key=AES_KEY_TEXT)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="43 characters"):
        Settings(**base, wecom_corp_id=CORP_ID, wecom_token=TOKEN, wecom_encoding_aes_key="short")  # type: ignore[arg-type]
    assert Settings(**base).wecom_enabled is False  # type: ignore[arg-type]
    development = Settings(admin_token=ADMIN_TOKEN, wecom_corp_id=CORP_ID)  # type: ignore[arg-type]
    assert development.wecom_enabled is False


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()))
def test_decrypt_refuses_garbage_with_a_wecom_error(encrypted: str) -> None:
    """Untrusted ciphertext: only WeComError (400/403), never another exception."""
    crypto = WeComCrypto(TOKEN, AES_KEY_TEXT, CORP_ID)
    try:
        crypto.decrypt(encrypted)
    except WeComError as exc:
        assert exc.status in (400, 403)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_xml_refuses_garbage_with_a_wecom_error(body: bytes) -> None:
    try:
        parse_xml(body)
    except WeComError as exc:
        assert exc.status == 400


@given(st.text(max_size=300))
def test_encrypt_decrypt_round_trip(message: str) -> None:
    crypto = WeComCrypto(TOKEN, AES_KEY_TEXT, CORP_ID)
    assert crypto.decrypt(crypto.encrypt(message)) == message
    assert decrypt(crypto.encrypt(message)) == (message, CORP_ID)
