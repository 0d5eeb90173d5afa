"""Feishu (飞书 / Lark) app event callbacks: URL verification, token and signature checks, decryption, replies.

Feishu documents the event subscription ("事件订阅"):

- the request URL is verified with ``{"type": "url_verification", "token", "challenge"}``, to be
  answered ``{"challenge": …}`` when ``token`` is the app's Verification Token;
- events (schema 2.0) carry the token in ``header.token``; a message is ``im.message.receive_v1``
  with ``event.message`` (``message_id``, ``chat_id``, ``message_type``, ``content`` = JSON text);
- with an Encrypt Key set, the body is ``{"encrypt": base64}``: AES-256-CBC with
  ``key = sha256(Encrypt Key)``, the IV the first 16 bytes, PKCS#7 padding; and requests carry
  ``X-Lark-Request-Timestamp``, ``X-Lark-Request-Nonce`` and
  ``X-Lark-Signature = sha256_hex(timestamp + nonce + Encrypt Key + body)``;
- a bot answers by calling the reply API with a tenant access token; the callback itself must
  answer within 3 seconds, so the reply is sent after the 200.

Example:
    >>> read_callback(b'{"type": "url_verification", "token": "t0k", "challenge": "c1"}', {}, "t0k", "").challenge
    'c1'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

log = logging.getLogger(__name__)

#: Largest callback body accepted (events are a few kB).
MAX_BODY_BYTES = 64 * 1024


class FeishuError(Exception):
    """A callback failed a check; ``status`` is the HTTP status to answer (400 or 403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """``X-Lark-Signature``: SHA-256 of timestamp + nonce + Encrypt Key + raw body, in hex."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def decrypt(encrypted: str, encrypt_key: str) -> str:
    """The JSON text inside an ``{"encrypt": …}`` body.

    Raises:
        FeishuError: 400 when it is not base64 of an IV and whole blocks, the padding is wrong
            (another Encrypt Key) or it is not UTF-8.
    """
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise FeishuError(400, "Feishu 'encrypt' is not base64") from None
    if len(data) < 32 or len(data) % 16:
        raise FeishuError(400, f"Feishu ciphertext of {len(data)} bytes is not an IV and whole AES blocks")
    key = hashlib.sha256(encrypt_key.encode("utf-8")).digest()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise FeishuError(400, "Feishu payload does not decrypt (wrong Encrypt Key?)") from None


@dataclass(frozen=True, slots=True)
class FeishuCallback:
    """What a checked callback asks for.

    Attributes:
        kind: "challenge", "message" (a text message to answer) or "other" (acknowledged only).
        challenge: the URL-verification challenge to echo.
        event_id: the event's id (Feishu re-sends an event it got no 200 for).
        message_id, chat_id, sender, text: the message to answer.
        message_type: the message's type ("text", "image", …).
    """

    kind: str
    challenge: str = ""
    event_id: str = ""
    message_id: str = ""
    chat_id: str = ""
    sender: str = ""
    text: str = ""
    message_type: str = ""


def read_callback(body: bytes, headers: dict[str, str], verification_token: str, encrypt_key: str) -> FeishuCallback:
    """Check and read one callback body.

    Args:
        body: the raw request body.
        headers: the request headers, lower-case names.
        verification_token: the app's Verification Token.
        encrypt_key: the app's Encrypt Key ("" when encryption is off).

    Raises:
        FeishuError: 400 for a body over 64 kB, not JSON, or encrypted without a key; 403 for a
            wrong signature or token.
    """
    if len(body) > MAX_BODY_BYTES:
        raise FeishuError(400, f"Feishu body of {len(body)} bytes exceeds {MAX_BODY_BYTES}")
    payload = _json(body)
    if "encrypt" in payload:
        if not encrypt_key:
            raise FeishuError(400, "Feishu body is encrypted but POLICYQA_FEISHU_ENCRYPT_KEY is not set")
        signature = headers.get("x-lark-signature")
        if signature is not None:  # the URL verification request comes without signature headers
            timestamp, nonce = headers.get("x-lark-request-timestamp", ""), headers.get("x-lark-request-nonce", "")
            expected = feishu_signature(timestamp, nonce, encrypt_key, body)
            if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
                raise FeishuError(403, "Feishu X-Lark-Signature does not match")
        payload = _json(decrypt(str(payload["encrypt"]), encrypt_key).encode("utf-8"))
    header = _object(payload.get("header"))
    token = str(header.get("token") or payload.get("token") or "")
    if not hmac.compare_digest(token.encode(), verification_token.encode()):
        raise FeishuError(403, "Feishu verification token does not match")
    if payload.get("type") == "url_verification":
        return FeishuCallback("challenge", challenge=str(payload.get("challenge", "")))
    event = _object(payload.get("event"))
    message = _object(event.get("message"))
    if header.get("event_type") != "im.message.receive_v1" or not message:
        return FeishuCallback("other", event_id=str(header.get("event_id", "")))
    sender = _object(_object(event.get("sender")).get("sender_id"))
    return FeishuCallback(
        "message",
        event_id=str(header.get("event_id", "")),
        message_id=str(message.get("message_id", "")),
        chat_id=str(message.get("chat_id", "")),
        sender=str(sender.get("open_id", "")),
        text=_text(message),
        message_type=str(message.get("message_type", "")),
    )


def _object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else {} (a missing or malformed part reads as empty)."""
    return value if isinstance(value, dict) else {}


def _json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FeishuError(400, "Feishu body is not JSON") from None
    if not isinstance(value, dict):
        raise FeishuError(400, "Feishu body is not a JSON object")
    return value


def _text(message: dict[str, Any]) -> str:
    """The text of a text message, without @-mention placeholders ("@_user_1 问题" -> "问题")."""
    if message.get("message_type") != "text":
        return ""
    try:
        text = str(json.loads(str(message.get("content", "{}"))).get("text", ""))
    except (json.JSONDecodeError, AttributeError):
        return ""
    return " ".join(word for word in text.split() if not word.startswith("@_user_"))


@dataclass
class FeishuClient:
    """Sends replies through Feishu's open API with a cached tenant access token.

    Args:
        app_id, app_secret: the app's credentials.
        base_url: the API host ("https://open.feishu.cn"; Lark: "https://open.larksuite.com").
        timeout: seconds per API call.
    """

    app_id: str
    app_secret: str
    base_url: str = "https://open.feishu.cn"
    timeout: float = 10.0
    _token: tuple[str, float] = ("", 0.0)
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def first_time(self, event_id: str, keep: int = 1000) -> bool:
        """True the first time ``event_id`` is seen (Feishu re-delivers events)."""
        with self._lock:
            if not event_id:
                return True
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            while len(self._seen) > keep:
                self._seen.popitem(last=False)
            return True

    def tenant_token(self) -> str:
        """A tenant access token, fetched again 5 minutes before it expires.

        Raises:
            httpx.HTTPError: the API cannot be reached or refuses the credentials.
        """
        with self._lock:
            token, expires = self._token
            if token and time.monotonic() < expires:
                return token
        response = httpx.post(
            f"{self.base_url.rstrip('/')}/open-apis/auth/v3/tenant_access_token/internal",
            json={"app_id": self.app_id, "app_secret": self.app_secret},
            timeout=self.timeout,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("code") != 0:
            raise httpx.HTTPError(f"Feishu refused the app credentials: {body.get('msg')!r}")
        token = str(body["tenant_access_token"])
        with self._lock:
            self._token = (token, time.monotonic() + max(60, int(body.get("expire", 7200)) - 300))
        return token

    def reply(self, message_id: str, text: str) -> None:
        """Reply to ``message_id`` with a text message; failures are logged, not raised (no one waits)."""
        url = f"{self.base_url.rstrip('/')}/open-apis/im/v1/messages/{message_id}/reply"
        try:
            headers = {"Authorization": f"Bearer {self.tenant_token()}"}
            body = {"msg_type": "text", "content": json.dumps({"text": text}, ensure_ascii=False)}
            response = httpx.post(url, json=body, headers=headers, timeout=self.timeout)
            response.raise_for_status()
            if response.json().get("code") != 0:
                log.warning("Feishu refused the reply to %s: %s", message_id, response.text[:200])
        except httpx.HTTPError as exc:
            log.warning("could not reply to Feishu message %s: %s", message_id, exc)
