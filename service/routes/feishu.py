"""``POST /webhook/feishu``: a Feishu (飞书) app's event subscription URL.

Set the app's 事件订阅 request URL to ``https://<host>/webhook/feishu`` and subscribe to
``im.message.receive_v1``; set ``POLICYQA_FEISHU_APP_ID``, ``…_APP_SECRET``,
``…_VERIFICATION_TOKEN`` (and ``…_ENCRYPT_KEY`` when encryption is on). See docs/integrations.md.
The callback answers 200 at once; the answer (with citations) is sent through the reply API.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request

from corpus.errors import InvalidQueryError
from qa.answer import validate_question
from qa.records import TurnRecord
from service.conversations import RESET_WORDS
from service.errors import http_error
from service.feishu import FeishuCallback, FeishuClient, FeishuError, read_callback
from service.replies import reply_text
from service.state import ServiceState, State

router = APIRouter(prefix="/webhook", tags=["webhook"])

HELP = "请直接输入问题，例如：谁牵头企业开办一网通办？"


def _client(request: Request, state: ServiceState) -> FeishuClient:
    settings = state.settings
    if not settings.feishu_enabled:
        raise http_error(
            404,
            "未启用飞书回调",
            "the Feishu callback is not enabled: set POLICYQA_FEISHU_APP_ID, POLICYQA_FEISHU_APP_SECRET and "
            "POLICYQA_FEISHU_VERIFICATION_TOKEN",
        )
    client = getattr(request.app.state, "feishu", None)
    if not isinstance(client, FeishuClient):  # one per app: it caches the tenant token
        client = FeishuClient(
            settings.feishu_app_id.strip(), settings.feishu_app_secret.get_secret_value(), settings.feishu_api_base
        )
        request.app.state.feishu = client
    return client


@router.post(
    "/feishu",
    summary="飞书事件订阅 / Feishu event callback",
    responses={
        400: {"description": "malformed body"},
        403: {"description": "bad token or signature"},
        404: {"description": "Feishu callback not enabled"},
    },
)
async def feishu(request: Request, state: State, background: BackgroundTasks) -> dict[str, Any]:
    """Echo the URL-verification challenge; acknowledge events and answer text messages by reply."""
    client = _client(request, state)
    settings = state.settings
    declared = request.headers.get("content-length", "0")
    try:
        if declared.isdigit() and int(declared) > 64 * 1024:
            raise FeishuError(400, f"Feishu body of {declared} bytes exceeds 65536")
        callback = read_callback(
            await request.body(),
            {k.lower(): v for k, v in request.headers.items()},
            settings.feishu_verification_token.get_secret_value().strip(),
            settings.feishu_encrypt_key.get_secret_value().strip(),
        )
    except FeishuError as exc:
        raise http_error(exc.status, "飞书回调校验失败", str(exc)) from None
    if callback.kind == "challenge":
        return {"challenge": callback.challenge}
    if callback.kind == "message" and client.first_time(callback.event_id):
        background.add_task(_answer, state, client, callback)
    return {}


def _answer(state: ServiceState, client: FeishuClient, callback: FeishuCallback) -> None:
    """Answer one message through the reply API, read against the sender's recent questions."""
    if callback.message_type != "text":
        client.reply(callback.message_id, "目前只支持文字提问。" + HELP)
        return
    try:
        question = validate_question(callback.text)
    except InvalidQueryError as exc:
        client.reply(callback.message_id, HELP if not callback.text.strip() else str(exc).split(" / ")[0])
        return
    key, now = f"feishu:{callback.chat_id}:{callback.sender}", time.monotonic()
    if question in RESET_WORDS:
        state.conversations.clear(key)
        client.reply(callback.message_id, "好的，请提出新问题。")
        return
    with state.reading():
        turn = state.dialogue.ask([*state.conversations.history(key, now), question], top_k=3)
    state.conversations.add(key, question, now)
    client.reply(callback.message_id, reply_text(TurnRecord.of_turn(turn), max_citations=3))
