"""``POST /webhook/dingtalk``: answer questions @-mentioned to a DingTalk robot.

Set the robot's message receiving URL to ``https://<host>/webhook/dingtalk`` and
``POLICYQA_DINGTALK_APP_SECRET`` to its appSecret; see docs/integrations.md.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Header

from corpus.errors import InvalidQueryError
from qa.answer import validate_question
from qa.records import TurnRecord
from service.conversations import RESET_WORDS
from service.dingtalk import DingTalkMessage, SignatureError, text_reply, verify_signature
from service.errors import http_error
from service.replies import reply_text
from service.state import State

router = APIRouter(prefix="/webhook", tags=["webhook"])

HELP = "请直接输入问题，例如：谁牵头企业开办一网通办？"


@router.post(
    "/dingtalk",
    summary="钉钉机器人 / DingTalk robot callback",
    responses={
        401: {"description": "missing signature headers"},
        403: {"description": "bad signature"},
        404: {"description": "webhook not enabled (no appSecret configured)"},
    },
)
def dingtalk(
    message: DingTalkMessage,
    state: State,
    timestamp: Annotated[str | None, Header(description="毫秒时间戳 / ms since epoch")] = None,
    sign: Annotated[str | None, Header(description="base64(HmacSHA256(appSecret, timestamp+\\n+appSecret))")] = None,
) -> dict[str, Any]:
    """Check DingTalk's signature headers, then reply with a text message: answer + citations."""
    secret = state.settings.dingtalk_app_secret.get_secret_value()
    if not secret:
        # Not enabled on this deployment, as if the route did not exist: the caller's fault (a
        # URL this server does not serve), not a server error, and retrying will not help.
        raise http_error(
            404, "未启用钉钉机器人", "the DingTalk webhook is not enabled: set POLICYQA_DINGTALK_APP_SECRET"
        )
    try:
        now_ms = int(time.time() * 1000)
        verify_signature(timestamp, sign, secret, now_ms, state.settings.dingtalk_max_skew_ms)
    except SignatureError as exc:
        raise http_error(exc.status, "钉钉签名校验失败", str(exc)) from None
    if message.msgtype != "text":
        return text_reply("目前只支持文字提问。" + HELP, message)
    try:
        question = validate_question(message.text.content)
    except InvalidQueryError as exc:
        return text_reply(HELP if not message.text.content.strip() else str(exc).split(" / ")[0], message)
    key = f"dingtalk:{message.conversationId or ''}:{message.senderStaffId or ''}"
    now = time.monotonic()
    if question in RESET_WORDS:
        state.conversations.clear(key)
        return text_reply("好的，请提出新问题。", message)
    with state.reading():
        turn = state.dialogue.ask([*state.conversations.history(key, now), question], top_k=3)
    state.conversations.add(key, question, now)
    return text_reply(reply_text(TurnRecord.of_turn(turn), max_citations=3), message)
