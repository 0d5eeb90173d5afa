"""DingTalk (钉钉) robot messages: the request signature check and the reply message format.

When a user @-mentions an enterprise-internal robot, DingTalk POSTs the message to the robot's
callback URL with two headers: ``timestamp`` (milliseconds) and ``sign``. DingTalk documents
the check: the timestamp must be within one hour of now, and ``sign`` must equal
``base64(HmacSHA256(key=appSecret, msg=timestamp + "\\n" + appSecret))``. A synchronous reply
is a message in DingTalk's robot message format, e.g. ``{"msgtype": "text", "text": {...}}``.

Example:
    >>> dingtalk_sign("1577262236757", "this is secret")
    'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM='
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SignatureError(Exception):
    """A DingTalk request failed the signature check; ``status`` is 401 (missing) or 403 (wrong)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def dingtalk_sign(timestamp: str, app_secret: str) -> str:
    """The ``sign`` header DingTalk sends with ``timestamp`` for a robot with ``app_secret``."""
    string_to_sign = f"{timestamp}\n{app_secret}".encode()
    digest = hmac.new(app_secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(
    timestamp: str | None, sign: str | None, app_secret: str, now_ms: int, max_skew_ms: int = 3_600_000
) -> None:
    """Check a request's ``timestamp`` and ``sign`` headers as DingTalk documents it.

    Args:
        timestamp: the ``timestamp`` header (milliseconds since the epoch).
        sign: the ``sign`` header.
        app_secret: the robot's appSecret.
        now_ms: the current time in milliseconds.
        max_skew_ms: the largest allowed distance between ``timestamp`` and ``now_ms``.

    Raises:
        SignatureError: 401 when a header is missing, 403 when the timestamp is malformed or
            too far from now, or the signature does not match.
    """
    if not timestamp or not sign:
        raise SignatureError(401, "missing DingTalk 'timestamp' or 'sign' header")
    if not timestamp.isdigit():
        raise SignatureError(403, f"DingTalk timestamp {timestamp!r} is not a number of milliseconds")
    if abs(now_ms - int(timestamp)) > max_skew_ms:
        raise SignatureError(403, f"DingTalk timestamp {timestamp} is more than {max_skew_ms} ms from now")
    expected = dingtalk_sign(timestamp, app_secret)
    if not hmac.compare_digest(sign.strip().encode(), expected.encode()):
        raise SignatureError(403, "DingTalk signature does not match")


class DingTalkText(BaseModel):
    """The ``text`` object of a DingTalk message."""

    content: str = ""


class DingTalkMessage(BaseModel):
    """The fields this service reads from a DingTalk robot message (all others are ignored).

    Attributes:
        msgtype: "text" for typed questions (the only type robots receive today).
        text: the message text; in a group it follows the robot's @-mention.
        senderStaffId: the sender's staff id, used to @-mention them in a group reply.
        conversationType: "1" for a one-to-one chat, "2" for a group.
        conversationId: the chat's id; with the sender it keys the conversation's recent
            questions, so follow-ups are read against them.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    msgtype: str = "text"
    text: DingTalkText = Field(default_factory=DingTalkText)
    senderStaffId: str | None = None
    conversationType: str | None = None
    conversationId: str | None = None


def text_reply(content: str, message: DingTalkMessage) -> dict[str, Any]:
    """A DingTalk text message answering ``message``; in a group it @-mentions the sender."""
    reply: dict[str, Any] = {"msgtype": "text", "text": {"content": content}}
    if message.conversationType == "2" and message.senderStaffId:
        reply["at"] = {"atUserIds": [message.senderStaffId], "isAtAll": False}
    return reply
