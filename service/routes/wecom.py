"""``GET/POST /webhook/wecom``: a WeCom (企业微信 / 政务微信) self-built app's callback URL.

Set the app's 接收消息 URL to ``https://<host>/webhook/wecom`` with the same Token and
EncodingAESKey as ``POLICYQA_WECOM_TOKEN`` / ``POLICYQA_WECOM_ENCODING_AES_KEY`` and the corp id
as ``POLICYQA_WECOM_CORP_ID``; see docs/integrations.md. Text messages are answered with a
passive (synchronous) encrypted reply: the answer plus numbered citations. Each user's recent
questions are kept (bounded, expiring), so follow-ups such as 「那什么时候完成？」 work.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from corpus.errors import InvalidQueryError
from qa.answer import validate_question
from qa.records import TurnRecord
from service.conversations import RESET_WORDS
from service.errors import http_error
from service.replies import reply_text
from service.state import ServiceState, State
from service.wecom import MAX_BODY_BYTES, WeComCrypto, WeComError, parse_xml, text_message

router = APIRouter(prefix="/webhook", tags=["webhook"])

HELP = "请直接输入问题，例如：谁牵头企业开办一网通办？"
_RESPONSES: dict[int | str, dict[str, str]] = {
    400: {"description": "missing parameter or malformed payload"},
    403: {"description": "bad msg_signature or another corp id"},
    404: {"description": "WeCom callback not enabled"},
}
Param = Annotated[str | None, Query()]


def _crypto(state: ServiceState) -> WeComCrypto:
    settings = state.settings
    if not settings.wecom_enabled:
        # As for DingTalk: a URL this deployment does not serve, not a server error.
        raise http_error(
            404,
            "未启用企业微信回调",
            "the WeCom callback is not enabled: set POLICYQA_WECOM_CORP_ID, POLICYQA_WECOM_TOKEN and "
            "POLICYQA_WECOM_ENCODING_AES_KEY",
        )
    return WeComCrypto(
        settings.wecom_token.get_secret_value().strip(),
        settings.wecom_encoding_aes_key.get_secret_value().strip(),
        settings.wecom_corp_id.strip(),
    )


def _refused(exc: WeComError) -> Exception:
    return http_error(exc.status, "企业微信回调校验失败", str(exc))


@router.get("/wecom", summary="企业微信回调 URL 验证 / WeCom URL verification", responses=_RESPONSES)
def wecom_verify(
    state: State, msg_signature: Param = None, timestamp: Param = None, nonce: Param = None, echostr: Param = None
) -> PlainTextResponse:
    """Check the signature over ``echostr``, decrypt it and answer its plaintext (as WeCom requires)."""
    crypto = _crypto(state)
    try:
        if not echostr:
            raise WeComError(400, "missing WeCom query parameter: echostr")
        crypto.verify(msg_signature, timestamp, nonce, echostr)
        return PlainTextResponse(crypto.decrypt(echostr))
    except WeComError as exc:
        raise _refused(exc) from None


@router.post("/wecom", summary="企业微信消息 / WeCom message callback", responses=_RESPONSES)
async def wecom_message(
    request: Request, state: State, msg_signature: Param = None, timestamp: Param = None, nonce: Param = None
) -> Response:
    """Verify and decrypt a message; answer a text message with an encrypted passive reply.

    Other message types and events get an empty 200 (WeCom's "no reply").
    """
    crypto = _crypto(state)
    try:
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refused before reading it
            raise WeComError(400, f"WeCom body of {declared} bytes exceeds {MAX_BODY_BYTES}")
        outer = parse_xml(await request.body())
        encrypted = outer.get("Encrypt", "")
        if not encrypted:
            raise WeComError(400, "WeCom body has no <Encrypt> element")
        crypto.verify(msg_signature, timestamp, nonce, encrypted)
        message = parse_xml(crypto.decrypt(encrypted).encode("utf-8"))
    except WeComError as exc:
        raise _refused(exc) from None
    user = message.get("FromUserName", "")
    if message.get("MsgType") != "text":
        if message.get("MsgType") == "event":
            return Response(status_code=200)
        content = "目前只支持文字提问。" + HELP
    else:
        content = _answer(state, f"wecom:{message.get('AgentID', '')}:{user}", message.get("Content", ""))
    plain = text_message(user, message.get("ToUserName", crypto.receive_id), content, int(time.time()))
    # A reply is signed with the request's timestamp and nonce (WeCom's sample does the same).
    return Response(crypto.reply(plain, timestamp or str(int(time.time())), nonce or ""), media_type="application/xml")


def _answer(state: ServiceState, key: str, text: str) -> str:
    """The reply to one text message, read against the sender's recent questions."""
    try:
        question = validate_question(text)
    except InvalidQueryError as exc:
        return HELP if not text.strip() else str(exc).split(" / ")[0]
    now = time.monotonic()
    if question in RESET_WORDS:
        state.conversations.clear(key)
        return "好的，请提出新问题。"
    with state.reading():
        turn = state.dialogue.ask([*state.conversations.history(key, now), question], top_k=3)
    state.conversations.add(key, question, now)
    return reply_text(TurnRecord.of_turn(turn), max_citations=3)
